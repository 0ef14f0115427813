package framework

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// BenchmarkHitMemoryCSP is BenchmarkHitMemory with the security headers
// and a Content-Security-Policy, on a page with an inline script and style:
// their hashes were computed at the render, so a hit sets precomputed
// header values and allocates nothing more.
func BenchmarkHitMemoryCSP(b *testing.B) {
	app, err := New(Options{Store: openBadger(b), MemoryCacheBytes: 32 << 20, ContentSecurityPolicy: DefaultContentSecurityPolicy,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	body := strings.Replace(benchBody, "</head>", `<style>p{margin:0}</style><script type="speculationrules">{"prefetch":[]}</script></head>`, 1)
	route := Route{Pattern: "/blog/:id", Revalidate: time.Hour,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) { return templ.Raw(body), nil }}
	e := echo.New()
	app.register(e)
	e.GET("/blog/:id", app.pageHandler(route))
	h := app.SecurityHeaders(e)
	req, _ := http.NewRequest(http.MethodGet, "/blog/7", nil)
	w := &nopWriter{h: make(http.Header)}
	h.ServeHTTP(w, req)
	if w.status != http.StatusOK || !strings.Contains(w.h.Get("Content-Security-Policy"), "'sha256-") {
		b.Fatalf("status %d, %v", w.status, w.h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}
