package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/isr-go/framework/framework/internal/testotlp"
)

// TestServeTracesFromEnv: OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on;
// the spans batched at shutdown are sent, and each JSON request line
// carries its trace_id and span_id.
func TestServeTracesFromEnv(t *testing.T) {
	recv := testotlp.NewReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL())
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "600000") // only the shutdown sends them
	t.Setenv("FRAMEWORK_LOG_FORMAT", "json")
	t.Setenv("FRAMEWORK_LOG_REQUESTS", "1")
	addr, stop := serveArgs(t, "--cache-dir", t.TempDir())
	const caller = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/blog/4", nil)
	req.Header.Set("Traceparent", "00-"+caller+"-00f067aa0ba902b7-01")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	stderr := stop()

	var request map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var v map[string]any
		if json.Unmarshal([]byte(line), &v) == nil && v["msg"] == "framework: request" && v["path"] == "/blog/4" {
			request = v
		}
	}
	if request == nil {
		t.Fatalf("no request line for /blog/4 in:\n%s", stderr)
	}
	spans := testotlp.RootsNamed(recv.Spans(), "GET /blog/:id")
	if len(spans) != 1 {
		t.Fatalf("%d spans GET /blog/:id received by the end of shutdown, want 1", len(spans))
	}
	span := spans[0]
	if got := testotlp.HexID(span.TraceId); got != caller {
		t.Errorf("span in trace %s, want the traceparent's %s", got, caller)
	}
	if request["trace_id"] != caller || request["span_id"] != testotlp.HexID(span.SpanId) {
		t.Errorf("request line trace_id %v span_id %v, want %s and the span's %s", request["trace_id"], request["span_id"], caller, testotlp.HexID(span.SpanId))
	}
	if got := testotlp.Attr(span, "framework.cache"); got != "MISS" {
		t.Errorf("span framework.cache=%q, want MISS", got)
	}
}

// TestServeNoTraceIDsWithoutTracing: without OTEL_* variables, request
// lines have no trace fields.
func TestServeNoTraceIDsWithoutTracing(t *testing.T) {
	t.Setenv("FRAMEWORK_LOG_FORMAT", "json")
	t.Setenv("FRAMEWORK_LOG_REQUESTS", "1")
	addr, stop := serveArgs(t, "--cache-dir", t.TempDir())
	fetch(t, addr, "/blog/4")
	if stderr := stop(); strings.Contains(stderr, "trace_id") {
		t.Errorf("trace_id logged without tracing:\n%s", stderr)
	}
}

// TestRunRefusesGRPCTraces: OTLP over gRPC is not what the server speaks;
// it says so rather than sending nothing.
func TestRunRefusesGRPCTraces(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	var out, errOut strings.Builder
	code := Run(t.Context(), []string{"--addr", "127.0.0.1:0", "--cache-dir", t.TempDir()}, nil, register(nil), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "http/protobuf") {
		t.Fatalf("exit %d, %q; want 2 naming http/protobuf", code, errOut.String())
	}
}
