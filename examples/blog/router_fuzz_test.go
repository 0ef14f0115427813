package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/runtime"
)

// TestMain gives the in-process tests one database for the whole run: the
// app opens it once, on first use.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "blog-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("BLOG_DB", filepath.Join(dir, "blog.db"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hostileRouter is the generated blog router as the app server serves it,
// on a real Badger cache, with a clock that moves a minute and a second
// before every hostile request: /blog/1 is stale whenever one comes, the
// state in which a 404 rendered for an odd spelling used to replace it.
type hostileRouter struct {
	handler  http.Handler
	baseline []byte
	clock    atomic.Int64 // nanoseconds since start
}

func newHostileRouter(tb testing.TB, dir string) *hostileRouter {
	tb.Helper()
	r := &hostileRouter{}
	start := time.Now()
	cache, err := badgerstore.Open(filepath.Join(dir, "cache"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cache.Close() }) // after app.Close: cleanups run last first
	app, err := framework.New(framework.Options{
		Store:  cache,
		Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return start.Add(time.Duration(r.clock.Load())) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { app.Close() })
	e := echo.New()
	Register(e, app)
	r.handler = runtime.CanonicalPaths(e)
	res := r.serve(tb, "/blog/1")
	if res.Code != 200 || !bytes.Contains(res.Body.Bytes(), []byte("<article")) {
		tb.Fatalf("/blog/1: %d %.200q", res.Code, res.Body.String())
	}
	r.baseline = res.Body.Bytes()
	return r
}

// serve sends a GET for target, a raw request-target, parsed as net/http's
// server parses it; nil when net/http itself would refuse it.
func (r *hostileRouter) serve(tb testing.TB, target string) *httptest.ResponseRecorder {
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + target + " HTTP/1.1\r\nHost: blog\r\n\r\n")))
	if err != nil {
		return nil
	}
	w := httptest.NewRecorder()
	r.handler.ServeHTTP(w, req)
	return w
}

// check serves target and then /blog/1: the first never answers 5xx, the
// second always serves the same post.
func (r *hostileRouter) check(t *testing.T, target string) {
	r.clock.Add(int64(61 * time.Second))
	res := r.serve(t, target)
	if res == nil {
		return
	}
	if res.Code >= 500 {
		t.Fatalf("GET %q: %d %.200q", target, res.Code, res.Body.String())
	}
	after := r.serve(t, "/blog/1")
	if after.Code != 200 || !bytes.Equal(after.Body.Bytes(), r.baseline) {
		t.Fatalf("after GET %q, /blog/1 answers %d %s %.200q", target, after.Code, after.Header().Get("X-Framework-Cache"), after.Body.String())
	}
}

// hostileSeeds are the spellings an attacker tries first.
var hostileSeeds = []string{
	"/blog/1/", "/blog/1//", "/blog/./1", "/blog/1/.", "/blog//1", "//blog/1", "/blog/x/../1",
	"/blog/%31", "/blog/%2e/1", "/blog/01", "/blog/+1", "/blog/0001", "/blog/1?x=1", "/blog/1/..",
	"/blog/-1", "/blog/1.0", "/blog/1%00", "/blog/%", "/blog/1%2F", "/blog/%2F1", "/blog/1;x",
	"/blog/99999999999999999999", "/blog/", "/blog/*", "/admin/", "/admin/../blog/1", "/styles.css/",
	"/%2e%2e/blog/1", "/_framework/revalidate", "/metrics", "*", "http://blog/blog/1/", "/" + strings.Repeat("a/", 1500),
}

// FuzzBlogRouter throws paths at the generated router. `go test` runs the
// seeds; `go test -fuzz FuzzBlogRouter` searches further.
func FuzzBlogRouter(f *testing.F) {
	r := newHostileRouter(f, f.TempDir())
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) { r.check(t, target) })
}

// TestRandomPathsAgainstTheBlog is FuzzBlogRouter's check over a few
// thousand random paths made of the pieces that matter (dots, slashes,
// escapes, digits, the app's segments), on every CI run.
func TestRandomPathsAgainstTheBlog(t *testing.T) {
	r := newHostileRouter(t, t.TempDir())
	pieces := []string{"/", "/", "/", ".", "..", "%2e", "%2E", "%2f", "%2F", "%31", "%00", "%", "1", "01", "+", "-",
		"blog", "blog", "admin", "posts", "styles.css", "_framework", "revalidate", "?", "?x=/blog/1", "#", ";", "é", " ", "\\"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		b.WriteString("/")
		for range 1 + rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		r.check(t, b.String())
	}
	for _, s := range hostileSeeds {
		r.check(t, s)
	}
}
