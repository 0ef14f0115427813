package framework

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// expiredAndBlocked serves /post as v1, expires it hard (as an admin's
// edit does), and blocks the next render of v2 until the returned release
// is called, when it fails with renderErr if not nil; leader is the
// request that started that render.
func expiredAndBlocked(t *testing.T, h *harness, s *source, renderErr error) (leader <-chan response, release func()) {
	t.Helper()
	h.page(isrRoute("/post", time.Minute, s))
	if r := h.get("/post"); r.status != 200 {
		t.Fatalf("first render: %d", r.status)
	}
	h.clock.Advance(time.Millisecond) // the expiry comes after the render
	if err := h.app.revalidatePath(context.Background(), "/post", true); err != nil {
		t.Fatal(err)
	}
	block := make(chan struct{})
	release = sync.OnceFunc(func() { close(block) })
	t.Cleanup(release) // before the harness stops, should the test fail
	s.mu.Lock()
	s.version, s.block, s.err = "v2", block, renderErr
	s.mu.Unlock()
	rendersBefore := s.renders.Load()
	ch := make(chan response, 1)
	go func() { ch <- h.get("/post") }()
	waitUntil(t, "the render of v2 to start", func() bool { return s.renders.Load() > rendersBefore })
	return ch, release
}

// TestGivingUpIsNotARenderFailure: a request for an expired page whose
// client goes away while it waits on the page's render is not a failed
// render. Were it backed off as one, anybody who dropped requests to a page
// just expired would make every later request get the old page, STALE,
// instead of the fresh render of an ExpirePath.
func TestGivingUpIsNotARenderFailure(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	leader, release := expiredAndBlocked(t, h, s, nil)

	// A visitor waits on the render, then gives up.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL+"/post", nil)
	gaveUp := make(chan error, 1)
	go func() {
		res, err := h.tr.RoundTrip(req)
		if err == nil {
			res.Body.Close()
		}
		gaveUp <- err
	}()
	waitUntil(t, "the visitor to wait on the render", func() bool { return blockedIn("renderShared") == 1 })
	cancel()
	<-gaveUp
	waitUntil(t, "the server to drop the visitor's request", func() bool { return blockedIn("renderShared") == 0 })

	// The next visitor waits on the same render and gets v2.
	next := make(chan response, 1)
	go func() { next <- h.get("/post") }()
	waitUntil(t, "the next visitor to wait on the render, or to be answered", func() bool {
		return blockedIn("renderShared") == 1 || len(next) == 1
	})
	release()
	for name, ch := range map[string]<-chan response{"leader": leader, "next visitor": next} {
		if r := <-ch; r.status != 200 || r.cache() != cacheRevalidated || !strings.Contains(r.body, "v2") {
			t.Errorf("%s: %d %s %.40q, want REVALIDATED v2", name, r.status, r.cache(), r.body)
		}
	}
}

// TestOneFailedRenderBacksOffOnce: a render of an expired page that fails
// backs the page off once, for backoffFirst, however many requests waited
// on it: a waiter is not a failure of its own.
func TestOneFailedRenderBacksOffOnce(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	leader, release := expiredAndBlocked(t, h, s, errContent)

	const waiters = 5
	answers := make(chan response, waiters)
	for range waiters {
		go func() { answers <- h.get("/post") }()
	}
	waitUntil(t, "the requests to wait on the render", func() bool { return blockedIn("renderShared") == waiters })
	release()
	for range waiters {
		if r := <-answers; r.status != 200 || r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
			t.Fatalf("a waiter: %d %s %.40q, want STALE v1", r.status, r.cache(), r.body)
		}
	}
	if r := <-leader; r.cache() != cacheStale {
		t.Fatalf("leader: %s, want STALE", r.cache())
	}

	s.fail(nil)
	s.mu.Lock()
	s.block = nil
	s.mu.Unlock()
	h.clock.Advance(backoffFirst - time.Millisecond)
	if r := h.get("/post"); r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("inside the backoff: %s %.40q, want STALE v1", r.cache(), r.body)
	}
	h.clock.Advance(time.Millisecond)
	if r := h.get("/post"); r.cache() != cacheRevalidated || !strings.Contains(r.body, "v2") {
		t.Fatalf("after %v: %s %.40q, want REVALIDATED v2", backoffFirst, r.cache(), r.body)
	}
}
