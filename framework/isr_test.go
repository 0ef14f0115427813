package framework

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
)

func isrRoute(pattern string, window time.Duration, s *source) Route {
	return Route{Pattern: pattern, Revalidate: window, Render: s.render}
}

func TestMissThenHit(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/blog/:id", time.Minute, s))

	r := h.get("/blog/7")
	if r.status != 200 || r.cache() != cacheMiss || !strings.Contains(r.body, "/blog/7 v1") {
		t.Fatalf("first request: %d %s %q", r.status, r.cache(), r.body)
	}
	r = h.get("/blog/7")
	if r.status != 200 || r.cache() != cacheHit || !strings.Contains(r.body, "/blog/7 v1") {
		t.Fatalf("second request: %d %s %q", r.status, r.cache(), r.body)
	}
	if n := s.renders.Load(); n != 1 {
		t.Fatalf("renders = %d, want 1", n)
	}
	// The query string does not make another entry.
	if r = h.get("/blog/7?utm=x"); r.cache() != cacheHit {
		t.Fatalf("with query: %s, want HIT", r.cache())
	}
}

func TestExpiryStaleThenHitWithNewContent(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")

	s.set("v2")
	h.clock.Advance(30 * time.Second)
	if r := h.get("/post"); r.cache() != cacheHit || !strings.Contains(r.body, "v1") {
		t.Fatalf("inside the window: %s %q", r.cache(), r.body)
	}
	h.clock.Advance(31 * time.Second)
	r := h.get("/post")
	if r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("past the window: %s %q, want STALE v1", r.cache(), r.body)
	}
	h.waitBackground()
	r = h.get("/post")
	if r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Fatalf("after regeneration: %s %q, want HIT v2", r.cache(), r.body)
	}
	if n := s.renders.Load(); n != 2 {
		t.Fatalf("renders = %d, want 2", n)
	}
}

func TestConcurrentStaleRequestsRegenerateOnce(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")
	h.clock.Advance(2 * time.Minute)
	s.set("v2")
	block := make(chan struct{})
	s.mu.Lock()
	s.block = block
	s.mu.Unlock()

	var wg sync.WaitGroup
	states := make(chan string, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.get("/post")
			if !strings.Contains(r.body, "v1") {
				t.Errorf("stale request got %q", r.body)
			}
			states <- r.cache()
		}()
	}
	waitGroup(t, "stale requests", &wg)
	close(states)
	for st := range states {
		if st != cacheStale {
			t.Fatalf("state %s, want every request STALE", st)
		}
	}
	close(block)
	h.waitBackground()
	if n := s.renders.Load(); n != 2 {
		t.Fatalf("renders = %d, want 2 (the first render and one regeneration)", n)
	}
	if r := h.get("/post"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Fatalf("after: %s %q", r.cache(), r.body)
	}
}

// TestConcurrentMissesRenderOnce: requests for a page nobody has rendered
// yet wait on the one render in progress and are all answered by it.
func TestConcurrentMissesRenderOnce(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	block := make(chan struct{})
	release := sync.OnceFunc(func() { close(block) })
	t.Cleanup(release) // before the harness stops, should the test fail
	s.block = block
	h.page(isrRoute("/post", time.Minute, s))

	const n = 50
	var wg sync.WaitGroup
	states := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.get("/post")
			if r.status != 200 || !strings.Contains(r.body, "v1") {
				t.Errorf("got %d %q", r.status, r.body)
			}
			states <- r.cache()
		}()
	}
	// Release the render only once the other n-1 requests wait on it:
	// one goroutine renders, the rest are blocked in renderShared.
	waitUntil(t, "every request waiting on the one render", func() bool {
		if got := s.renders.Load(); got > 1 {
			t.Fatalf("%d renders started for one page, want 1", got)
		}
		return blockedIn("renderShared") >= n-1
	})
	release()
	waitGroup(t, "requests", &wg)
	close(states)
	for st := range states {
		if st != cacheMiss {
			t.Fatalf("state %s, want every request a MISS answered by the one render", st)
		}
	}
	if got := s.renders.Load(); got != 1 {
		t.Fatalf("renders = %d, want 1", got)
	}
}

func TestFailedRegenerationKeepsLastGoodPage(t *testing.T) {
	var reported []*RenderError
	var mu sync.Mutex
	h := newHarness(t, Options{OnError: func(_ context.Context, err *RenderError) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	}})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")

	s.fail(errors.New("database down"))
	h.clock.Advance(2 * time.Minute)
	if r := h.get("/post"); r.status != 200 || r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("stale: %d %s %q", r.status, r.cache(), r.body)
	}
	h.waitBackground()
	if r := h.get("/post"); r.status != 200 || !strings.Contains(r.body, "v1") {
		t.Fatalf("after failed regeneration: %d %q, want the v1 page", r.status, r.body)
	}
	mu.Lock()
	if len(reported) != 1 || !reported[0].Background || reported[0].Path != "/post" || !strings.Contains(reported[0].Error(), "database down") {
		t.Fatalf("OnError got %v", reported)
	}
	mu.Unlock()

	// Backoff: requests right after the failure do not retry.
	renders := s.renders.Load()
	for range 5 {
		h.get("/post")
	}
	h.waitBackground()
	if n := s.renders.Load(); n != renders {
		t.Fatalf("%d renders during backoff, want none", n-renders)
	}
	// Past the backoff, the next request retries, and succeeds.
	s.fail(nil)
	s.set("v2")
	h.clock.Advance(backoffFirst)
	h.get("/post")
	h.waitBackground()
	if r := h.get("/post"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Fatalf("after recovery: %s %q", r.cache(), r.body)
	}
}

func TestPanickingRegenerationIsRecovered(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")
	s.mu.Lock()
	s.panicMsg = "boom"
	s.mu.Unlock()
	h.clock.Advance(2 * time.Minute)
	h.get("/post")
	h.waitBackground()
	if r := h.get("/post"); r.status != 200 || !strings.Contains(r.body, "v1") {
		t.Fatalf("after panic: %d %q", r.status, r.body)
	}
	// A panic on a miss is a 500, not a crash.
	if r := h.get("/other"); r.status != http.StatusNotFound {
		t.Fatalf("unrouted: %d", r.status)
	}
	h.page(isrRoute("/panics", time.Minute, s))
	if r := h.get("/panics"); r.status != 500 {
		t.Fatalf("panicking miss: %d, want 500", r.status)
	}
}

// TestRegenerationTimeout: a regeneration whose render blocks forever,
// deaf to its context, is abandoned after RenderTimeout and reported; the
// stale page keeps being served, and past the backoff a new regeneration
// lands the new content. Were the timeout not enforced, the first
// regeneration would never end and waitBackground would fail.
func TestRegenerationTimeout(t *testing.T) {
	reported := make(chan *RenderError, 10)
	h := newHarness(t, Options{RenderTimeout: 50 * time.Millisecond, OnError: func(_ context.Context, err *RenderError) {
		select {
		case reported <- err:
		default:
		}
	}})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")

	forever := make(chan struct{})
	t.Cleanup(func() { close(forever) }) // ends the abandoned render's goroutine
	s.mu.Lock()
	s.block = forever
	s.mu.Unlock()
	s.set("v2") // what the hung render would have shown
	h.clock.Advance(2 * time.Minute)
	if r := h.get("/post"); r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("past the window: %s %q, want STALE v1", r.cache(), r.body)
	}
	h.waitBackground()
	select {
	case err := <-reported:
		if !err.Background || err.Path != "/post" || !strings.Contains(err.Error(), "timed out") {
			t.Fatalf("OnError got %v, want the background render of /post timed out", err)
		}
	case <-time.After(testWait):
		t.Fatal("the timed-out regeneration was not reported")
	}

	// The stale page is served meanwhile, and the hung key is not retried
	// during its backoff.
	renders := s.renders.Load()
	if r := h.get("/post"); r.status != 200 || r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("after the timeout: %d %s %q, want STALE v1", r.status, r.cache(), r.body)
	}
	h.waitBackground()
	if n := s.renders.Load(); n != renders {
		t.Fatalf("%d renders during the backoff, want none", n-renders)
	}

	// Past the backoff, a render that returns lands.
	s.mu.Lock()
	s.block = nil
	s.mu.Unlock()
	s.set("v3")
	h.clock.Advance(backoffFirst)
	h.get("/post")
	h.waitBackground()
	if r := h.get("/post"); r.cache() != cacheHit || !strings.Contains(r.body, "v3") {
		t.Fatalf("after the next regeneration: %s %q, want HIT v3", r.cache(), r.body)
	}
}

func TestRestartKeepsEntries(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")

	h.restart()
	h.page(isrRoute("/post", time.Minute, s))
	r := h.get("/post")
	if r.cache() != cacheHit || !strings.Contains(r.body, "v1") {
		t.Fatalf("after restart: %s %q, want HIT", r.cache(), r.body)
	}
	if n := s.renders.Load(); n != 1 {
		t.Fatalf("renders = %d, want 1", n)
	}
}

func TestOtherBuildIsNotServed(t *testing.T) {
	h := newHarness(t, Options{BuildID: "old"})
	s := newSource("old build")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")

	h.opts.BuildID = "new"
	h.restart()
	s.set("new build")
	h.page(isrRoute("/post", time.Minute, s))
	r := h.get("/post")
	if r.cache() != cacheMiss || !strings.Contains(r.body, "new build") {
		t.Fatalf("new build: %s %q, want MISS with new content", r.cache(), r.body)
	}
}

func TestDynamicPageRendersEveryRequest(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/dash", 0, s))
	for range 3 {
		r := h.get("/dash")
		if r.status != 200 || r.header.Get("Cache-Control") != dynamicCacheControl || r.cache() != "" {
			t.Fatalf("dynamic: %d %q %q", r.status, r.header.Get("Cache-Control"), r.cache())
		}
	}
	if n := s.renders.Load(); n != 3 {
		t.Fatalf("renders = %d, want 3", n)
	}
}

func TestNeverCachesUntilRevalidated(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/about", Never, s))
	h.get("/about")
	h.clock.Advance(300 * 24 * time.Hour)
	r := h.get("/about")
	if r.cache() != cacheHit || r.header.Get("Cache-Control") != "s-maxage=31536000" {
		t.Fatalf("300 days later: %s %q", r.cache(), r.header.Get("Cache-Control"))
	}
	s.set("v2")
	h.clock.Advance(time.Second)
	if err := h.app.revalidatePath(context.Background(), "/about", false); err != nil {
		t.Fatal(err)
	}
	if r := h.get("/about"); r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("after RevalidatePath: %s %q", r.cache(), r.body)
	}
	h.waitBackground()
	if r := h.get("/about"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Fatalf("after regeneration: %s %q", r.cache(), r.body)
	}
}

func TestHardExpiry(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	rt := isrRoute("/post", time.Minute, s)
	rt.Expire = time.Hour
	h.page(rt)
	h.get("/post")
	if cc := h.get("/post").header.Get("Cache-Control"); cc != "s-maxage=60, stale-while-revalidate=3600" {
		t.Fatalf("Cache-Control %q", cc)
	}
	s.set("v2")
	h.clock.Advance(time.Minute + 59*time.Minute)
	if r := h.get("/post"); r.cache() != cacheStale {
		t.Fatalf("within expire: %s", r.cache())
	}
	h.waitBackground()
	s.set("v3")
	h.clock.Advance(time.Minute + time.Hour)
	r := h.get("/post")
	if r.cache() != cacheRevalidated || !strings.Contains(r.body, "v3") {
		t.Fatalf("past expire: %s %q, want REVALIDATED v3", r.cache(), r.body)
	}
}

func TestResponseHeaders(t *testing.T) {
	h := newHarness(t, Options{CacheTagHeader: true})
	s := newSource("v1")
	h.page(Route{Pattern: "/post", Revalidate: time.Minute, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		if _, err := Cache(func(ctx context.Context) (int, error) { return 1, nil }, CacheOptions{Revalidate: Never, Tags: []string{"posts", "authors"}})(ctx); err != nil {
			return nil, err
		}
		return s.render(ctx, r)
	}})
	plain := h.get("/post")
	if plain.header.Get("Cache-Control") != "s-maxage=60, stale-while-revalidate=31536000" {
		t.Errorf("Cache-Control %q", plain.header.Get("Cache-Control"))
	}
	if plain.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", plain.header.Get("Content-Type"))
	}
	if plain.header.Get("Cache-Tag") != "authors,posts" {
		t.Errorf("Cache-Tag %q", plain.header.Get("Cache-Tag"))
	}
	if plain.header.Get("Content-Encoding") != "" || plain.header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("identity response: Content-Encoding %q Vary %q", plain.header.Get("Content-Encoding"), plain.header.Get("Vary"))
	}
	etag := plain.header.Get("Etag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("ETag %q", etag)
	}

	zipped := h.get("/post", "Accept-Encoding", "br, gzip;q=0.8")
	if zipped.header.Get("Content-Encoding") != "gzip" || zipped.body != plain.body {
		t.Errorf("gzip response: encoding %q, same body %v", zipped.header.Get("Content-Encoding"), zipped.body == plain.body)
	}
	if h.get("/post", "Accept-Encoding", "gzip;q=0").header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}

	for _, inm := range []string{etag, strings.TrimPrefix(etag, "W/"), `"x", ` + etag, "*"} {
		if r := h.get("/post", "If-None-Match", inm); r.status != http.StatusNotModified || r.body != "" {
			t.Errorf("If-None-Match %s: %d", inm, r.status)
		}
	}
	if r := h.get("/post", "If-None-Match", `"other"`); r.status != 200 {
		t.Errorf("non-matching If-None-Match: %d", r.status)
	}
}

func TestBadPathsAre4xx(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/blog/:id", time.Minute, s))
	h.get("/blog/1")
	for path, want := range map[string]int{
		"/blog/" + strings.Repeat("a", 3000): http.StatusRequestURITooLong,
		"/blog/%00":                          http.StatusBadRequest,
	} {
		if r := h.get(path); r.status != want {
			t.Errorf("%.40s: %d, want %d", path, r.status, want)
		}
	}
	if r := h.get("/blog/1"); r.cache() != cacheHit {
		t.Fatalf("good entry after bad requests: %s", r.cache())
	}
}

func TestDebugCacheLogs(t *testing.T) {
	var buf bytes.Buffer
	h := newHarness(t, Options{DebugCache: true, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, nil))})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")
	h.get("/post")
	h.clock.Advance(2 * time.Minute)
	h.get("/post")
	h.waitBackground()
	log := buf.String()
	for _, want := range []string{"event=MISS path=/post", "event=HIT path=/post", "event=STALE path=/post", "event=REGENERATED path=/post"} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
}
