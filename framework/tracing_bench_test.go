package framework

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework/internal/testotlp"
)

// benchmarkTraced serves the cached page of BenchmarkHitMemory (or, with
// memoryBytes 1, of BenchmarkHitBadger) with tracing on, sampling the
// fraction sample of the requests (OTEL_TRACES_SAMPLER_ARG), the spans
// batched and exported over OTLP/HTTP to a receiver on loopback, as the
// server does: what tracing costs a hit.
func benchmarkTraced(b *testing.B, memoryBytes int64, sample float64) {
	recv := testotlp.NewReceiver(b)
	b.Setenv("OTEL_TRACES_SAMPLER_ARG", strconv.FormatFloat(sample, 'f', -1, 64))
	b.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
	tp := recv.TracerFromEnv(b)
	app, err := New(Options{Store: openBadger(b), MemoryCacheBytes: memoryBytes, Logger: slog.New(slog.DiscardHandler), TracerProvider: tp})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	route := Route{Pattern: "/blog/:id", Revalidate: time.Hour,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) { return templ.Raw(benchBody), nil }}
	e := echo.New()
	app.register(e)
	e.GET("/blog/:id", app.pageHandler(route))
	if _, err := prerenderPage(app, context.Background(), route, Params{"id": "7"}); err != nil {
		b.Fatal(err)
	}
	h := app.Trace(e)
	req, _ := http.NewRequest(http.MethodGet, "/blog/7", nil)
	w := &nopWriter{h: make(http.Header)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	b.StopTimer()
	if w.h.Get(headerCache) != cacheHit {
		b.Fatalf("X-Framework-Cache %q", w.h.Get(headerCache))
	}
}

// BenchmarkTracedMemory1Percent is BenchmarkHitMemory with tracing on and
// 1% of the requests sampled.
func BenchmarkTracedMemory1Percent(b *testing.B) { benchmarkTraced(b, 32<<20, 0.01) }

// BenchmarkTracedMemoryAll is BenchmarkHitMemory with every request traced.
func BenchmarkTracedMemoryAll(b *testing.B) { benchmarkTraced(b, 32<<20, 1) }

// BenchmarkTracedBadger1Percent is BenchmarkHitBadger with tracing on and
// 1% of the requests sampled: a store read's span besides the request's.
func BenchmarkTracedBadger1Percent(b *testing.B) { benchmarkTraced(b, 1, 0.01) }
