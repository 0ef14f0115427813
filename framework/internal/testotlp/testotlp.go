// Package testotlp is a trace collector for tests: an OTLP/HTTP receiver on
// loopback that decodes the spans an exporter sends, and prints their trees.
package testotlp

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/isr-go/framework/framework/tracing"
)

// Receiver is a trace collector for tests: an OTLP/HTTP endpoint on
// loopback that decodes what the exporter sends (protobuf
// ExportTraceServiceRequests) and keeps the spans.
type Receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	spans []*tracepb.Span
}

// NewReceiver starts a Receiver on a free loopback port, closed when the
// test ends.
func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.export))
	t.Cleanup(r.srv.Close)
	return r
}

// export is POST /v1/traces.
func (r *Receiver) export(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want POST /v1/traces of application/x-protobuf", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(req.Body)
	var msg collectortrace.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &msg)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	for _, rs := range msg.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			r.spans = append(r.spans, ss.Spans...)
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

// TracerFromEnv returns the tracer provider package tracing makes from the
// environment, pointed at r, as the server makes it; shut down when the
// test ends.
func (r *Receiver) TracerFromEnv(t testing.TB) *sdktrace.TracerProvider {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", r.srv.URL)
	if os.Getenv("OTEL_TRACES_SAMPLER") == "" {
		t.Setenv("OTEL_TRACES_SAMPLER", "always_on")
	}
	t.Setenv("OTEL_SERVICE_NAME", "tracing-test")
	tp, err := tracing.FromEnv(context.Background(), "build-1")
	if err != nil || tp == nil {
		t.Fatalf("tracing.FromEnv: %v, %v", tp, err)
	}
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	return tp
}

// URL is the receiver's base URL, for OTEL_EXPORTER_OTLP_ENDPOINT.
func (r *Receiver) URL() string { return r.srv.URL }

// Spans returns every span r received so far.
func (r *Receiver) Spans() []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans)
}

// Collected sends the spans tp has batched and returns every span r
// received.
func (r *Receiver) Collected(t testing.TB, tp *sdktrace.TracerProvider) []*tracepb.Span {
	t.Helper()
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.Spans()
}

// Shown are the attributes a span tree shows: those that do not vary
// between runs.
var Shown = []string{"framework.cache", "http.response.status_code", "http.route", "framework.param.id",
	"framework.holes", "framework.data.cache", "framework.data.tags", "db.system.name", "framework.store.found",
	"framework.tag", "framework.regeneration", "framework.hole.name"}

// Tree prints the trace of root as an indented tree, children in the
// order they started, each span with its Shown attributes and the
// names of the spans it links to.
func Tree(spans []*tracepb.Span, root *tracepb.Span) string {
	var b strings.Builder
	var walk func(s *tracepb.Span, depth int)
	walk = func(s *tracepb.Span, depth int) {
		fmt.Fprintf(&b, "%s%s%s", strings.Repeat("  ", depth), s.Name, AttrText(s.Attributes))
		for _, l := range s.Links {
			if linked := FindSpan(spans, l.SpanId); linked != nil {
				fmt.Fprintf(&b, " (linked to %s)", linked.Name)
			}
		}
		b.WriteString("\n")
		var children []*tracepb.Span
		for _, c := range spans {
			if bytes.Equal(c.ParentSpanId, s.SpanId) && bytes.Equal(c.TraceId, s.TraceId) {
				children = append(children, c)
			}
		}
		slices.SortStableFunc(children, func(x, y *tracepb.Span) int {
			return int(int64(x.StartTimeUnixNano) - int64(y.StartTimeUnixNano))
		})
		for _, c := range children {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return b.String()
}

// AttrText is how Tree shows a span's attributes: " [key=value ...]".
func AttrText(attrs []*commonpb.KeyValue) string {
	var parts []string
	for _, key := range Shown {
		for _, kv := range attrs {
			if kv.Key == key {
				parts = append(parts, key+"="+valueText(kv.Value))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " [" + strings.Join(parts, " ") + "]"
}

func valueText(v *commonpb.AnyValue) string {
	switch x := v.Value.(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return fmt.Sprint(x.IntValue)
	case *commonpb.AnyValue_BoolValue:
		return fmt.Sprint(x.BoolValue)
	case *commonpb.AnyValue_ArrayValue:
		var items []string
		for _, item := range x.ArrayValue.Values {
			items = append(items, valueText(item))
		}
		return strings.Join(items, ",")
	}
	return v.String()
}

// FindSpan returns the span whose ID is id, or nil.
func FindSpan(spans []*tracepb.Span, id []byte) *tracepb.Span {
	for _, s := range spans {
		if bytes.Equal(s.SpanId, id) {
			return s
		}
	}
	return nil
}

// RootsNamed returns the spans named name whose parent is not among spans
// (none, or a caller's, from a traceparent header), oldest first.
func RootsNamed(spans []*tracepb.Span, name string) []*tracepb.Span {
	var roots []*tracepb.Span
	for _, s := range spans {
		if s.Name == name && FindSpan(spans, s.ParentSpanId) == nil {
			roots = append(roots, s)
		}
	}
	slices.SortFunc(roots, func(x, y *tracepb.Span) int { return int(int64(x.StartTimeUnixNano) - int64(y.StartTimeUnixNano)) })
	return roots
}

// Attr returns the value of a span's attribute key as text, or "".
func Attr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return valueText(kv.Value)
		}
	}
	return ""
}

// HexID is a trace or span ID as traceparent writes it.
func HexID(b []byte) string { return hex.EncodeToString(b) }
