package framework

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/internal/testredis"
)

// The cluster tests share one Redis Cluster (it takes two seconds to
// start), stopped once they are done.
func TestMain(m *testing.M) {
	code := m.Run()
	testredis.StopShared()
	os.Exit(code)
}

// eachRedis runs test against one Redis and against a Redis Cluster of
// three masters: everything instances share works alike on both.
func eachRedis(t *testing.T, test func(t *testing.T, kind testredis.Kind)) {
	for _, kind := range testredis.Kinds {
		t.Run(kind.Name, func(t *testing.T) { test(t, kind) })
	}
}

// cluster is two instances of one app sharing a real Redis (srv) and a
// clock.
func cluster(t *testing.T, srv testredis.Deployment, s *source, pattern string) (*harness, *harness) {
	t.Helper()
	a := newRedisHarness(t, srv.URL(), Options{})
	b := newRedisHarness(t, srv.URL(), Options{})
	b.clock = a.clock
	b.opts.Now = a.clock.Now
	b.restart()
	for _, h := range []*harness{a, b} {
		h.page(taggedRoute(pattern, s, "posts"))
	}
	return a, b
}

// requestsOnBoth sends n concurrent GETs of path, alternating between the
// instances a and b, and checks each answer with check; wait on the group.
func requestsOnBoth(a, b *harness, n int, path string, check func(i int, r response)) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range n {
		h := a
		if i%2 == 1 {
			h = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			check(i, h.get(path))
		}()
	}
	return &wg
}

// eventually polls cond until it holds, for changes that cross instances
// through Redis asynchronously.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestClusterPrerenderedOnceIsAHitOnBoth(t *testing.T) {
	eachRedis(t, testClusterPrerenderedOnceIsAHitOnBoth)
}

func testClusterPrerenderedOnceIsAHitOnBoth(t *testing.T, kind testredis.Kind) {
	s := newSource("v1")
	a, b := cluster(t, kind.Start(t), s, "/posts/:id")
	if _, err := prerenderPage(a.app, context.Background(), taggedRoute("/posts/:id", s, "posts"), Params{"id": "1"}); err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]*harness{"A": a, "B": b} {
		if r := h.get("/posts/1"); r.cache() != cacheHit || !strings.Contains(r.body, "v1") {
			t.Errorf("instance %s: %s %q, want HIT", name, r.cache(), r.body)
		}
	}
	if n := s.renders.Load(); n != 1 {
		t.Fatalf("renders = %d, want 1", n)
	}
}

func TestClusterRevalidateTagAppliesEverywhere(t *testing.T) {
	eachRedis(t, testClusterRevalidateTagAppliesEverywhere)
}

func testClusterRevalidateTagAppliesEverywhere(t *testing.T, kind testredis.Kind) {
	s := newSource("v1")
	a, b := cluster(t, kind.Start(t), s, "/posts/:id")
	a.get("/posts/1")
	if r := b.get("/posts/1"); r.cache() != cacheHit {
		t.Fatalf("B before: %s", r.cache())
	}
	s.set("v2")
	a.clock.Advance(time.Second)
	if err := a.app.revalidateTag(context.Background(), "posts", false); err != nil {
		t.Fatal(err)
	}
	// B learns of it through Redis pub/sub; its next request is STALE
	// and regenerates.
	eventually(t, "B serves the page STALE after A revalidated its tag", func() bool {
		return b.app.tags.check(b.app.cache.hot.get("/posts/1")).soft > 0
	})
	if r := b.get("/posts/1"); r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("B after revalidation: %s %q", r.cache(), r.body)
	}
	b.waitBackground()
	if r := b.get("/posts/1"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Fatalf("B after regeneration: %s %q", r.cache(), r.body)
	}
	if n := s.renders.Load(); n != 2 {
		t.Fatalf("renders = %d, want 2", n)
	}
}

func TestClusterStalePageRegeneratesOnce(t *testing.T) {
	eachRedis(t, testClusterStalePageRegeneratesOnce)
}

func testClusterStalePageRegeneratesOnce(t *testing.T, kind testredis.Kind) {
	s := newSource("v1")
	a, b := cluster(t, kind.Start(t), s, "/posts/:id")
	a.get("/posts/1")
	b.get("/posts/1")
	a.clock.Advance(2 * time.Hour)
	s.set("v2")
	block := make(chan struct{})
	s.mu.Lock()
	s.block = block
	s.mu.Unlock()

	wg := requestsOnBoth(a, b, 200, "/posts/1", func(i int, r response) {
		if r.status != 200 || r.cache() != cacheStale {
			t.Errorf("request %d: %d %s, want a STALE 200", i, r.status, r.cache())
		}
	})
	waitGroup(t, "stale requests", wg)
	close(block)
	a.waitBackground()
	b.waitBackground()
	if n := s.renders.Load(); n != 2 {
		t.Fatalf("renders = %d, want 2: the first render and one regeneration in the cluster", n)
	}
	// Both instances end up serving the regenerated page without another
	// render: the one that did not regenerate takes it from Redis.
	a.clock.Advance(2 * regenerationWait)
	for _, h := range []*harness{a, b} {
		h.get("/posts/1")
		h.waitBackground()
	}
	for name, h := range map[string]*harness{"A": a, "B": b} {
		if r := h.get("/posts/1"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
			t.Errorf("instance %s: %s %q, want HIT v2", name, r.cache(), r.body)
		}
	}
	if n := s.renders.Load(); n != 2 {
		t.Fatalf("renders = %d after both caught up, want 2", n)
	}
}

func TestClusterSurvivesRedisOutage(t *testing.T) { eachRedis(t, testClusterSurvivesRedisOutage) }

func testClusterSurvivesRedisOutage(t *testing.T, kind testredis.Kind) {
	s := newSource("v1")
	srv := kind.StartOwn(t)
	a, b := cluster(t, srv, s, "/posts/:id")
	for _, h := range []*harness{a, b} {
		h.get("/posts/1")
		h.get("/posts/2")
	}
	srv.Stop()
	for i := range 50 {
		for name, h := range map[string]*harness{"A": a, "B": b} {
			if r := h.get("/posts/1"); r.status != http.StatusOK || !strings.Contains(r.body, "v1") {
				t.Fatalf("request %d on %s with Redis down: %d", i, name, r.status)
			}
		}
	}
	// A page not cached in memory still renders.
	if r := a.get("/posts/3"); r.status != http.StatusOK {
		t.Fatalf("miss with Redis down: %d", r.status)
	}
	// A stale page regenerates locally while the lock is unreachable.
	s.set("v2")
	a.clock.Advance(2 * time.Hour)
	a.get("/posts/2")
	a.waitBackground()
	if r := a.get("/posts/2"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Fatalf("regeneration with Redis down: %s %q", r.cache(), r.body)
	}

	srv.Restart()
	s.set("v3")
	a.clock.Advance(time.Second)
	eventually(t, "revalidation works again once Redis is back", func() bool {
		return a.app.revalidateTag(context.Background(), "posts", false) == nil
	})
	eventually(t, "B sees A's revalidation after the outage", func() bool {
		e := b.app.cache.hot.get("/posts/1")
		return e != nil && b.app.tags.check(e).soft > 0
	})
}

// TestClusterNeverCachedPageRendersOnce: requests on two instances for a
// page nobody has cached are answered by one render in the cluster; the
// other instance waits for it in Redis instead of rendering too.
func TestClusterNeverCachedPageRendersOnce(t *testing.T) {
	eachRedis(t, testClusterNeverCachedPageRendersOnce)
}

func testClusterNeverCachedPageRendersOnce(t *testing.T, kind testredis.Kind) {
	s := newSource("v1")
	a, b := cluster(t, kind.Start(t), s, "/posts/:id")
	block := make(chan struct{})
	s.mu.Lock()
	s.block = block
	s.mu.Unlock()

	wg := requestsOnBoth(a, b, 40, "/posts/1", func(i int, r response) {
		if r.status != 200 || !strings.Contains(r.body, "/posts/1 v1") {
			t.Errorf("request %d: %d %q", i, r.status, r.body)
		}
	})
	// Both instances have a render in flight for the key: one renders
	// (blocked), the other waits on the cluster's lock.
	inFlight := func(h *harness) bool {
		h.app.cache.flights.mu.Lock()
		defer h.app.cache.flights.mu.Unlock()
		_, ok := h.app.cache.flights.m["/posts/1"]
		return ok
	}
	eventually(t, "a render in flight on both instances", func() bool { return inFlight(a) && inFlight(b) })
	close(block)
	waitGroup(t, "requests", wg)
	if n := s.renders.Load(); n != 1 {
		t.Fatalf("renders = %d, want 1 in the cluster", n)
	}
}

// TestClusterRedisRefusesWrites: a Redis at its maxmemory with the
// noeviction policy refuses every write (OOM), and answers reads. Both
// instances keep serving what they cached, render each new page once
// (without waiting on the other's render, which never lands in Redis),
// regenerate a stale page once, locally, and write again once Redis has room.
func TestClusterRedisRefusesWrites(t *testing.T) {
	s := newSource("v1")
	srv := testredis.Start(t)
	a, b := cluster(t, srv, s, "/posts/:id")
	a.get("/posts/1")
	if r := b.get("/posts/1"); r.cache() != cacheHit {
		t.Fatalf("prerendered by A, on B: %s", r.cache())
	}
	srv.Command("CONFIG", "SET", "maxmemory-policy", "noeviction")
	srv.Command("CONFIG", "SET", "maxmemory", "1") // every write is past it

	renders := s.renders.Load()
	for i := range 5 {
		for name, h := range map[string]*harness{"A": a, "B": b} {
			if r := h.get("/posts/1"); r.status != http.StatusOK || r.cache() != cacheHit {
				t.Fatalf("request %d on %s for a cached page: %d %s", i, name, r.status, r.cache())
			}
			if r := h.get("/posts/2"); r.status != http.StatusOK || !strings.Contains(r.body, "/posts/2 v1") {
				t.Fatalf("request %d on %s for a new page: %d %s", i, name, r.status, r.cache())
			}
		}
	}
	if n := s.renders.Load() - renders; n != 2 {
		t.Fatalf("%d renders of a new page on two instances, want one each", n)
	}

	s.set("v2")
	a.clock.Advance(2 * time.Hour)
	renders = s.renders.Load()
	for name, h := range map[string]*harness{"A": a, "B": b} {
		if r := h.get("/posts/1"); r.status != http.StatusOK || r.cache() != cacheStale {
			t.Fatalf("%s, stale: %d %s", name, r.status, r.cache())
		}
		h.waitBackground()
		for i := range 3 {
			if r := h.get("/posts/1"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
				t.Fatalf("%s, request %d after the regeneration: %s %q", name, i, r.cache(), r.body)
			}
		}
	}
	if n := s.renders.Load() - renders; n != 2 {
		t.Fatalf("%d regenerations on two instances, want one each", n)
	}
	if a.app.metrics.storeErrors.Load() == 0 {
		t.Fatal("no refused write was counted")
	}

	srv.Command("CONFIG", "SET", "maxmemory", "0")
	s.set("v3")
	a.clock.Advance(time.Second)
	eventually(t, "revalidation works again once Redis has room", func() bool {
		return a.app.revalidateTag(context.Background(), "posts", false) == nil
	})
	a.get("/posts/3")
	if r := b.get("/posts/3"); r.cache() != cacheHit || !strings.Contains(r.body, "v3") {
		t.Fatalf("a page A rendered after the recovery, on B: %s %q", r.cache(), r.body)
	}
}

// TestClusterRedisFlushed: FLUSHALL (or a Redis restarted empty) under two
// instances loses the shared entries, tag times and locks at once: both
// keep serving what they hold, and a revalidation made before the flush
// still applies (each instance keeps the times it has seen; the flush
// cannot bring back a revalidated page).
func TestClusterRedisFlushed(t *testing.T) {
	s := newSource("v1")
	srv := testredis.Start(t)
	a, b := cluster(t, srv, s, "/posts/:id")
	for _, h := range []*harness{a, b} {
		h.get("/posts/1")
		h.get("/posts/2")
	}
	a.clock.Advance(time.Second)
	if err := a.app.revalidateTag(context.Background(), "posts", false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B sees A's revalidation", func() bool {
		e := b.app.cache.hot.get("/posts/1")
		return e != nil && b.app.tags.check(e).soft > 0
	})
	srv.Flush()
	// A later change of the tag times makes every instance read them all
	// again: the flushed times must not undo the revalidation.
	b.app.revalidateTag(context.Background(), "other", false)
	b.app.loadTagTimes()

	s.set("v2")
	for name, h := range map[string]*harness{"A": a, "B": b} {
		if r := h.get("/posts/2"); r.status != http.StatusOK || r.cache() != cacheStale {
			t.Fatalf("%s, revalidated before the flush: %d %s", name, r.status, r.cache())
		}
		h.waitBackground()
		if r := h.get("/posts/2"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
			t.Fatalf("%s after the regeneration: %s %q", name, r.cache(), r.body)
		}
	}
	if r := a.get("/posts/3"); r.status != http.StatusOK {
		t.Fatalf("a new page after the flush: %d", r.status)
	}
}
