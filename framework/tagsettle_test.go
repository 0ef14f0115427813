package framework

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/internal/testredis"
)

// TestFutureTagTimesFromBadger and TestFutureTagTimesFromRedis: a
// revalidation time an hour in the future in the store (written by an
// instance whose clock ran ahead, or before this one's was set back) is
// settled as memory settles one: the page regenerates once, and reading
// the store again (a shared store's refresh, a restart) costs no more
// regenerations.
func TestFutureTagTimesFromBadger(t *testing.T) {
	testFutureTagTimes(t, newHarness(t, Options{}))
}

func TestFutureTagTimesFromRedis(t *testing.T) {
	eachRedis(t, func(t *testing.T, kind testredis.Kind) {
		testFutureTagTimes(t, newRedisHarness(t, kind.Start(t).URL(), Options{}))
	})
}

func testFutureTagTimes(t *testing.T, h *harness) {
	src := newSource("v1")
	route := Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: src.render}
	h.page(route)
	if r := h.get("/blog/1"); r.cache() != cacheMiss {
		t.Fatalf("first: %s", r.cache())
	}
	ctx := context.Background()
	h.clock.Advance(time.Second)
	future := h.app.now().Add(time.Hour).UnixNano()
	if err := h.store.SetTagTime(ctx, softTagPrefix+pathTag("/blog/1"), future); err != nil {
		t.Fatal(err)
	}
	h.app.loadTagTimes()
	src.set("v2")
	h.get("/blog/1")
	h.waitBackground()
	if r := h.get("/blog/1"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Fatalf("after the future revalidation: %s %.40q", r.cache(), r.body)
	}
	renders := src.renders.Load()
	check := func(when string) {
		t.Helper()
		for i := range 3 {
			r := h.get("/blog/1")
			h.waitBackground()
			if r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
				t.Fatalf("%s, request %d: %s %.40q", when, i, r.cache(), r.body)
			}
		}
		if n := src.renders.Load() - renders; n != 0 {
			t.Fatalf("%s: %d more renders of a fresh page", when, n)
		}
	}
	h.clock.Advance(10 * time.Second)
	h.app.loadTagTimes() // a full reread
	check("after reading the store again")
	h.clock.Advance(10 * time.Second)
	h.restart()
	h.page(route)
	check("after a restart")
}
