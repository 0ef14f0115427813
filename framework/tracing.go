package framework

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Tracing follows OpenTelemetry's API only: the SDK and its exporter are
// the server's (package tracing), or the app's own, handed over as
// Options.TracerProvider. Every span below starts behind one check of a
// nil tracer, so that an app without tracing pays nothing for it.

// tracerName is the instrumentation scope of the framework's spans.
const tracerName = "github.com/isr-go/framework/framework"

// traceContext reads and writes the W3C traceparent and tracestate headers.
var traceContext propagation.TraceContext

// Attribute keys of the framework's own; the HTTP ones are OpenTelemetry's
// semantic conventions.
const (
	attrCache      = attribute.Key("framework.cache") // X-Framework-Cache
	attrRoute      = attribute.Key("http.route")
	attrPath       = attribute.Key("url.path")
	attrHoles      = attribute.Key("framework.holes")
	attrDataCache  = attribute.Key("framework.data.cache") // hit, miss, shared or uncached
	attrStoreBytes = attribute.Key("framework.store.bytes")
)

// newTracer returns the framework's tracer of tp, or nil when tp is nil:
// tracing off.
func newTracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		return nil
	}
	return tp.Tracer(tracerName)
}

// Trace wraps h, the app's whole handler, so that each request is a span
// of the tracer provider of Options.TracerProvider, continuing the trace
// of the request's traceparent header: named after its method, and after
// its route once Echo has matched one ("GET /blog/:id"), with the
// X-Framework-Cache state as attribute framework.cache. Without a tracer
// provider it returns h itself, so that the hit path pays nothing. The
// server (package server) installs it outermost.
func (a *App) Trace(h http.Handler) http.Handler {
	if a.tracer == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := traceContext.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := a.tracer.Start(ctx, spanMethod(r.Method), trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		if !span.IsRecording() {
			// Sampled out: the trace goes on (Fetch's traceparent says
			// so) for nothing more than the context.
			h.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		span.SetAttributes(requestAttributes(r)...)
		tw := &tracedWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r.WithContext(ctx))
		status := tw.status
		if status == 0 {
			status = http.StatusOK
		}
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if state := w.Header().Get(headerCache); state != "" {
			span.SetAttributes(attrCache.String(state))
		}
		if status >= 500 {
			span.SetAttributes(attribute.String("error.type", strconv.Itoa(status)))
			span.SetStatus(codes.Error, "")
		}
	})
}

// requestAttributes are a server span's attributes known before routing.
func requestAttributes(r *http.Request) []attribute.KeyValue {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, ""
	}
	method := r.Method
	if spanMethod(method) == "HTTP" {
		method = "_OTHER"
	}
	attrs := []attribute.KeyValue{
		attribute.String("http.request.method", method),
		attrPath.String(r.URL.Path),
		attribute.String("url.scheme", scheme),
		attribute.String("server.address", host),
		attribute.String("network.protocol.version", strings.TrimPrefix(r.Proto, "HTTP/")),
	}
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int("server.port", n))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, attribute.String("user_agent.original", ua))
	}
	if client, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, attribute.String("client.address", client))
	}
	return attrs
}

// traceRoute names the request's span after the route Echo matched; the
// app's register installs it when tracing is on.
func (a *App) traceRoute(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if span := trace.SpanFromContext(c.Request().Context()); span.IsRecording() && c.Path() != "" {
			route := c.Path()
			span.SetName(spanMethod(c.Request().Method) + " " + route)
			span.SetAttributes(attrRoute.String(route))
		}
		return next(c)
	}
}

// spanMethod is the method in a request span's name: a standard one, or
// "HTTP" for any other, as the semantic conventions say, so that made-up
// methods do not make a span name each.
func spanMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "HTTP"
}

// tracedWriter records a response's status for Trace.
type tracedWriter struct {
	http.ResponseWriter
	status int
}

func (w *tracedWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *tracedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush flushes a streaming response, for handlers that look for
// http.Flusher rather than use http.ResponseController.
func (w *tracedWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *tracedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// spanOnly returns a context that carries ctx's span and nothing else: a
// render shared by several requests, which must outlive the one that
// started it, still shows in its trace.
func spanOnly(ctx context.Context) context.Context {
	return trace.ContextWithSpan(context.Background(), trace.SpanFromContext(ctx))
}

// recording reports whether ctx's span is recorded (sampled). The spans
// of renders, data and store calls are made under a recorded one only: a
// request sampled out costs its own span and no more.
func recording(ctx context.Context) bool { return trace.SpanFromContext(ctx).IsRecording() }

// endSpan ends span, marking it failed when err is not nil.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// paramAttributes are a render's route params, one attribute each
// (framework.param.id=7), in a stable order.
func paramAttributes(params Params) []attribute.KeyValue {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	attrs := make([]attribute.KeyValue, len(names))
	for i, name := range names {
		attrs[i] = attribute.String("framework.param."+name, params[name])
	}
	return attrs
}

// startDataSpan starts the span of one Fetch, Cache or CacheComponent call
// whose data is identified by id ("fetch\x00<url>...", "cache\x00<func>...").
func (a *App) startDataSpan(ctx context.Context, id string, window int64, tags []string) (context.Context, trace.Span) {
	kind, rest, _ := strings.Cut(id, "\x00")
	name, _, _ := strings.Cut(rest, "\x00")
	attrs := []attribute.KeyValue{
		attribute.String("framework.data.key", name),
		attribute.Int64("framework.data.revalidate", window),
	}
	if len(tags) > 0 {
		attrs = append(attrs, attribute.StringSlice("framework.data.tags", tags))
	}
	opts := []trace.SpanStartOption{trace.WithAttributes(attrs...)}
	spanName := "Cache"
	switch kind {
	case "fetch":
		spanName = "Fetch"
		opts = append(opts, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			attribute.String("http.request.method", http.MethodGet), attribute.String("url.full", name)))
	case "component":
		spanName = "CacheComponent"
	}
	return a.tracer.Start(ctx, spanName, opts...)
}

// storeSystem names a store for its spans' db.system.name: "redis",
// "badger", or the name of the package that implements it.
func storeSystem(s any) string {
	t := reflect.TypeOf(s)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	pkg = pkg[strings.LastIndex(pkg, "/")+1:]
	switch pkg {
	case "redisstore":
		return "redis"
	case "badgerstore":
		return "badger"
	case "framework":
		return "memory"
	}
	return pkg
}

// startStoreSpan starts the span of one store call.
func (s *guardedStore) startStoreSpan(ctx context.Context, op, key string) (context.Context, trace.Span) {
	return s.tracer.Start(ctx, "store "+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", s.system),
		attribute.String("db.operation.name", op),
		attribute.String("framework.store.key", key)))
}

// endStoreRead ends a store read's span with what it found.
func endStoreRead(span trace.Span, value []byte, err error) {
	span.SetAttributes(attrStoreBytes.Int(len(value)), attribute.Bool("framework.store.found", value != nil))
	endSpan(span, err)
}

// startRegenerationSpan starts the span of a background regeneration of
// key: the root of a trace of its own, linked to the request that found
// the page stale (trigger, when valid).
func (c *cache) startRegenerationSpan(key string, job renderJob, trigger trace.SpanContext) (context.Context, trace.Span) {
	opts := []trace.SpanStartOption{trace.WithNewRoot(), trace.WithAttributes(attrPath.String(key), attrRoute.String(job.source.route))}
	if trigger.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: trigger}))
	}
	return c.tracer.Start(context.Background(), "regenerate "+job.source.route, opts...)
}

// noteRegeneration records on a regeneration's span what became of it:
// "regenerated", or why it was left to another.
func (c *cache) noteRegeneration(ctx context.Context, outcome string) {
	if c.tracer != nil {
		trace.SpanFromContext(ctx).SetAttributes(attribute.String("framework.regeneration", outcome))
	}
}

// render is renderBounded in a span of its own when tracing is on: the
// route, the params, the status and the number of PerRequest holes.
func (p *page) render(parent context.Context, path string, params Params, r *http.Request, renderFn renderFunc) (*entry, error) {
	if p.app.tracer == nil || !recording(parent) {
		return p.renderBounded(parent, path, params, r, renderFn)
	}
	attrs := append(paramAttributes(params), attrRoute.String(p.route.Pattern), attrPath.String(path),
		attribute.Bool("framework.render.shared", r == nil))
	ctx, span := p.app.tracer.Start(parent, "render "+p.route.Pattern, trace.WithAttributes(attrs...))
	e, err := p.renderBounded(ctx, path, params, r, renderFn)
	if e != nil {
		span.SetAttributes(attrHoles.Int(len(e.holeAt)), attribute.Int("framework.render.status", e.status))
		if len(e.tags) > 0 {
			span.SetAttributes(attribute.StringSlice("framework.tags", e.tags))
		}
	}
	endSpan(span, err)
	return e, err
}

// renderHole renders the i-th hole of a page for this request, in a span
// of its own when tracing is on.
func (p *page) renderHole(ctx context.Context, st *renderState, h Hole, i int) *bytes.Buffer {
	if p.app.tracer == nil || !recording(ctx) {
		return h.renderFor(ctx, st)
	}
	ctx, span := p.app.tracer.Start(ctx, "render hole", trace.WithAttributes(
		attrRoute.String(p.route.Pattern), attribute.Int("framework.hole.index", i), attribute.String("framework.hole.name", h.name)))
	defer span.End()
	return h.renderFor(ctx, st)
}

// noteData records on a data call's span where its value came from: "hit"
// (the data cache), "miss" (fetched and stored), "shared" (another call's
// fetch, in this render or a concurrent one) or "uncached".
func noteData(ctx context.Context, how string) {
	trace.SpanFromContext(ctx).SetAttributes(attrDataCache.String(how))
}
