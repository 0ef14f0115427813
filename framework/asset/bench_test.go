package asset

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

// benchCSS is a stylesheet of about 6 KB, the size of the page benchmarks'
// post (framework/bench_test.go).
var benchCSS = []byte(strings.Repeat(".post p { margin: 0 0 1rem; line-height: 1.6; color: #222; }\n", 100))

// nopWriter is a ResponseWriter that keeps nothing, so that the benchmarks
// measure the handlers and not a recorder.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

func serveLoop(b *testing.B, e *echo.Echo, acceptEncoding string) {
	req, _ := http.NewRequest(http.MethodGet, "/styles.css", nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := &nopWriter{h: make(http.Header)}
	e.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		e.ServeHTTP(w, req)
	}
}

// BenchmarkPlainEchoSameHeaders is the limit, as for pages: an Echo
// handler writing the same bytes with the same headers from memory, the
// fastest way (precomputed header values).
func BenchmarkPlainEchoSameHeaders(b *testing.B) {
	e := echo.New()
	header := map[string][]string{
		"Content-Type":   {"text/css; charset=utf-8"},
		"Cache-Control":  {RevalidateCacheControl},
		"Etag":           {`"0123456789abcdef01234567"`},
		"Vary":           {"Accept-Encoding"},
		"Content-Length": {strconv.Itoa(len(benchCSS))},
	}
	e.GET("/styles.css", func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range header {
			h[k] = v
		}
		c.Response().WriteHeader(http.StatusOK)
		_, err := c.Response().Write(benchCSS)
		return err
	})
	serveLoop(b, e, "")
}

func benchSet(b *testing.B) *echo.Echo {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(benchCSS)
	zw.Close()
	fsys := fstest.MapFS{"public/styles.css": {Data: benchCSS}, "static_gen/public/styles.css.gz": {Data: gz.Bytes()}}
	e := echo.New()
	New(fsys, []File{{Path: "/styles.css", Name: "public/styles.css", Type: "text/css; charset=utf-8", Hash: "0123456789abcdef01234567", Gzip: "static_gen/public/styles.css.gz"}}).Register(e)
	return e
}

// BenchmarkPublicFile serves a public/ stylesheet to a client that takes
// it as it is.
func BenchmarkPublicFile(b *testing.B) { serveLoop(b, benchSet(b), "") }

// BenchmarkPublicFileGzip serves it to a browser's Accept-Encoding: the
// gzip body made at build.
func BenchmarkPublicFileGzip(b *testing.B) { serveLoop(b, benchSet(b), "gzip, deflate, br, zstd") }
