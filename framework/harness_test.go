package framework

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/redisstore"
	"github.com/isr-go/framework/framework/store"
)

// clock is a test clock: tests move it instead of sleeping.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// harness is an App with a real Badger store in a temp dir (or a real
// Redis), served by Echo over real HTTP on loopback.
type harness struct {
	t     *testing.T
	app   *App
	clock *clock
	dir   string // the Badger directory, opened by start unless opts.Store or url is set
	url   string // a Redis URL, opened by start instead of dir unless opts.Store is set
	store store.Store
	srv   *httptest.Server
	e     *echo.Echo
	opts  Options
	tr    *http.Transport
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	return newHarnessOn(t, "", opts)
}

// newRedisHarness is newHarness on the Redis at url.
func newRedisHarness(t *testing.T, url string, opts Options) *harness {
	t.Helper()
	return newHarnessOn(t, url, opts)
}

func newHarnessOn(t *testing.T, url string, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: newClock(), dir: t.TempDir(), url: url,
		tr: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64,
			ResponseHeaderTimeout: 2 * testWait}} // a request that hangs fails the test
	t.Cleanup(h.tr.CloseIdleConnections)
	if opts.BuildID == "" {
		opts.BuildID = "build-1"
	}
	if opts.Now == nil {
		opts.Now = h.clock.Now // else the test's own clock, and h.clock unused
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h.opts = opts
	h.start()
	t.Cleanup(h.stop)
	return h
}

// start opens the store, the app and an HTTP server for it.
func (h *harness) start() {
	h.t.Helper()
	opts := h.opts
	// As the server, which opens no store in dev.
	if opts.Store == nil && !opts.Dev {
		var err error
		if h.url != "" {
			h.store, err = redisstore.Open(h.url)
		} else {
			h.store, err = badgerstore.OpenCache(h.dir, opts.Logger)
		}
		if err != nil {
			h.t.Fatal(err)
		}
		opts.Store = h.store
	}
	app, err := New(opts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.app = app
	h.e = echo.New()
	app.register(h.e)
	h.srv = httptest.NewServer(app.Trace(h.e)) // h.e itself without tracing
}

// stop closes the server and the app; restart reopens both on the same
// cache directory, as a process restart would.
func (h *harness) stop() {
	if h.srv != nil {
		h.srv.Close()
		h.srv = nil
	}
	if h.app != nil {
		if err := h.app.Close(); err != nil {
			h.t.Error(err)
		}
		h.app = nil
	}
	if h.store != nil {
		if err := h.store.Close(); err != nil {
			h.t.Error(err)
		}
		h.store = nil
	}
}

func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

// page registers rt on the harness's router.
func (h *harness) page(rt Route) {
	h.e.GET(rt.Pattern, h.app.pageHandler(rt))
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) cache() string { return r.header.Get(headerCache) }

// get requests path with optional header pairs ("Accept-Encoding", "gzip").
func (h *harness) get(path string, header ...string) response {
	h.t.Helper()
	return h.do(http.MethodGet, path, nil, header...)
}

func (h *harness) do(method, path string, body io.Reader, header ...string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := h.tr.RoundTrip(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			h.t.Fatalf("%s: bad gzip: %v", path, err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// waitBackground waits for the app's background regenerations, and fails
// the test if they have not ended within testWait.
func (h *harness) waitBackground() {
	h.t.Helper()
	waitGroup(h.t, "background regenerations", &h.app.cache.background)
}

// testWait bounds every wait in these tests: a test whose code under test
// hangs fails, naming what it waited for, instead of hanging until go
// test's -timeout kills the whole run without saying which wait it was.
const testWait = 30 * time.Second

// waitFor waits until done is closed, or fails the test after testWait.
// Call it from the test's goroutine only.
func waitFor(t testing.TB, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(testWait):
		t.Fatalf("%s: still waiting after %v", what, testWait)
	}
}

// waitGroup waits for wg like waitFor.
func waitGroup(t testing.TB, what string, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	waitFor(t, what, done)
}

// blockedIn counts the goroutines whose innermost frame outside the
// runtime is a function or method named fn (say "renderShared", whatever
// its receiver) and that are blocked in a select or channel operation there.
// The framework keeps no count of the requests waiting on a render, so it
// reads every goroutine's stack instead.
func blockedIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, frames, _ := strings.Cut(g, "\n")
		if !strings.Contains(header, "[select") && !strings.Contains(header, "[chan receive") {
			continue
		}
		for _, line := range strings.Split(frames, "\n") {
			if strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "runtime.") {
				continue
			}
			if strings.Contains(line, "."+fn+"(") {
				count++
			}
			break
		}
	}
	return count
}

// waitUntil polls cond until it holds, or fails the test after testWait.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, testWait)
		}
		time.Sleep(time.Millisecond)
	}
}

// source is a page's data: a version the test changes, a render counter,
// and optional failure, block and panic switches.
type source struct {
	mu       sync.Mutex
	version  string
	err      error
	panicMsg string
	block    chan struct{}
	renders  atomic.Int64
	missing  map[string]bool
}

func newSource(version string) *source { return &source{version: version} }

func (s *source) set(version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version = version
}

func (s *source) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// render is a Route.Render that shows the version and the path.
func (s *source) render(ctx context.Context, r *Request) (templ.Component, error) {
	s.renders.Add(1)
	s.mu.Lock()
	version, err, panicMsg, block, missing := s.version, s.err, s.panicMsg, s.block, s.missing[r.Path]
	s.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-time.After(testWait):
			return nil, errors.New("source: blocked render never released")
		}
	}
	if panicMsg != "" {
		panic(panicMsg)
	}
	if err != nil {
		return nil, err
	}
	if missing {
		return nil, ErrNotFound
	}
	return templ.Raw(fmt.Sprintf("<p>%s %s %s</p>", r.Path, version, strings.Repeat("x", 600))), nil
}

type echoContext = echo.Context

func itoa(i int) string { return strconv.Itoa(i) }

var errContent = errors.New("content unavailable")

// lockedWriter serializes writes from concurrent loggers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// openBadger opens a Badger store in a temp dir, closed when tb ends.
func openBadger(tb testing.TB) store.Store {
	tb.Helper()
	s, err := badgerstore.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// prerendered is what prerender returns, for tests that look at it.
type prerendered struct {
	Path  string
	Bytes int
	Holes int
}

// prerenderPage prerenders rt for params on a, as runtime.Prerender does.
func prerenderPage(a *App, ctx context.Context, rt Route, params Params) (prerendered, error) {
	path, size, holes, err := a.prerender(ctx, rt, params)
	return prerendered{path, size, holes}, err
}
