package framework

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// benchBody is a blog post page of about 6 KB.
var benchBody = "<!doctype html><html><head><title>Post</title></head><body><article>" +
	strings.Repeat("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.</p>", 80) +
	"</article></body></html>"

// nopWriter is a ResponseWriter that keeps nothing, so that the benchmarks
// measure the handlers and not a recorder.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

func serveLoop(b *testing.B, e *echo.Echo, acceptEncoding string, wantStatus int) {
	req, _ := http.NewRequest(http.MethodGet, "/blog/7", nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := &nopWriter{h: make(http.Header)}
	e.ServeHTTP(w, req)
	if w.status != wantStatus {
		b.Fatalf("status %d", w.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		e.ServeHTTP(w, req)
	}
}

// BenchmarkPlainEcho is the baseline: an Echo handler writing the same bytes
// from memory.
func BenchmarkPlainEcho(b *testing.B) {
	e := echo.New()
	body := []byte(benchBody)
	e.GET("/blog/:id", func(c echo.Context) error { return c.HTMLBlob(http.StatusOK, body) })
	serveLoop(b, e, "", http.StatusOK)
}

// BenchmarkPlainEchoSameHeaders is the strict baseline: an Echo handler
// writing the same bytes as a cache hit, headers included, from memory,
// the fastest way (precomputed header values, no canonicalization).
func BenchmarkPlainEchoSameHeaders(b *testing.B) {
	e := echo.New()
	body := []byte(benchBody)
	header := map[string][]string{
		"Content-Type":   {htmlContentType},
		"Cache-Control":  {"s-maxage=3600, stale-while-revalidate=31536000"},
		"Etag":           {`W/"0123456789abcdefghijklmn"`},
		headerCache:      {cacheHit},
		"Vary":           {"Accept-Encoding"},
		"Content-Length": {strconv.Itoa(len(body))},
	}
	e.GET("/blog/:id", func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range header {
			h[k] = v
		}
		c.Response().WriteHeader(http.StatusOK)
		_, err := c.Response().Write(body)
		return err
	})
	serveLoop(b, e, "", http.StatusOK)
}

func benchApp(b *testing.B, memoryBytes int64) *echo.Echo {
	app, err := New(Options{Store: openBadger(b), MemoryCacheBytes: memoryBytes, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	e := echo.New()
	app.register(e) // as generated routers do: canonical-path redirects before routing
	e.GET("/blog/:id", app.pageHandler(Route{Pattern: "/blog/:id", Revalidate: time.Hour,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) { return templ.Raw(benchBody), nil }}))
	if _, err := prerenderPage(app, context.Background(), Route{Pattern: "/blog/:id", Revalidate: time.Hour,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) { return templ.Raw(benchBody), nil }}, Params{"id": "7"}); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkHitMemory serves a cached page from the in-memory tier.
func BenchmarkHitMemory(b *testing.B) { serveLoop(b, benchApp(b, 32<<20), "", http.StatusOK) }

// BenchmarkHitMemoryGzip serves the precompressed body from memory.
func BenchmarkHitMemoryGzip(b *testing.B) { serveLoop(b, benchApp(b, 32<<20), "gzip", http.StatusOK) }

// BenchmarkHitBadger serves a cached page from Badger: the memory tier is
// too small to hold it. The client does not accept gzip: the page, stored
// gzip'd, is decompressed for it.
func BenchmarkHitBadger(b *testing.B) { serveLoop(b, benchApp(b, 1), "", http.StatusOK) }

// BenchmarkHitBadgerGzip serves a cached page from Badger to a client that
// accepts gzip, as browsers, crawlers and CDNs do: what a read of the store
// costs on top of Badger's own (BenchmarkBadgerFloor, package badgerstore).
func BenchmarkHitBadgerGzip(b *testing.B) { serveLoop(b, benchApp(b, 1), "gzip", http.StatusOK) }

// BenchmarkHitBadgerMany serves 20,000 cached pages in random order from
// Badger, as random posts of a large site do once the memory tier holds a
// fraction of them: keys in the store's tables as well as its memtable,
// values all over the value log.
func BenchmarkHitBadgerMany(b *testing.B) {
	const pages = 20000
	app, err := New(Options{Store: openBadger(b), MemoryCacheBytes: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	route := Route{Pattern: "/blog/:id", Revalidate: time.Hour,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			return templ.Raw(strings.Replace(benchBody, "Post", "Post "+r.Param("id"), 1)), nil
		}}
	e := echo.New()
	app.register(e)
	e.GET("/blog/:id", app.pageHandler(route))
	reqs := make([]*http.Request, pages)
	for i := range reqs {
		if _, err := prerenderPage(app, context.Background(), route, Params{"id": strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
		reqs[i], _ = http.NewRequest(http.MethodGet, "/blog/"+strconv.Itoa(i), nil)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(pages, func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] })
	w := &nopWriter{h: make(http.Header)}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		clear(w.h)
		e.ServeHTTP(w, reqs[i%pages])
		if w.h.Get(headerCache) != cacheHit {
			b.Fatalf("%s: %s", reqs[i%pages].URL.Path, w.h.Get(headerCache))
		}
		i++
	}
}

// BenchmarkGzipPage is the compression of a rendered page, paid once per
// render.
func BenchmarkGzipPage(b *testing.B) {
	body := []byte(strings.Repeat("<p>Paragraph about caching: a page rendered once is served many times.</p>\n", 60))
	b.ReportAllocs()
	for b.Loop() {
		if gzipBytes(body) == nil {
			b.Fatal("not compressed")
		}
	}
}
