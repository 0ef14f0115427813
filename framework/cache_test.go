package framework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/store"
)

// fakeRenderer renders "v1", "v2", ... for the cache, on the test's clock;
// fail makes its renders fail, gate (when set) holds them until closed.
type fakeRenderer struct {
	clock   *clock
	renders atomic.Int64
	fail    atomic.Bool
	gate    chan struct{}
}

func (f *fakeRenderer) render(_ context.Context, key string, _ Params) (*entry, error) {
	n := f.renders.Add(1)
	if f.gate != nil {
		<-f.gate
	}
	if f.fail.Load() {
		return nil, fmt.Errorf("render %d failed", n)
	}
	e := newPageEntry(http.StatusOK, htmlContentType, "", fmt.Appendf(nil, "v%d", n), nil, f.clock.Now(), time.Minute, 5*time.Minute, nil)
	e.preparePage(key, false)
	return e, nil
}

// downStore is a store that fails every call.
type downStore struct{ store.Store }

var errStoreDown = errors.New("store down")

func (downStore) Get(context.Context, string) ([]byte, error)              { return nil, errStoreDown }
func (downStore) Set(context.Context, string, []byte, time.Duration) error { return errStoreDown }
func (downStore) Delete(context.Context, string) error                     { return errStoreDown }

// newTestCache returns a cache on the clock clk over store, with no App and
// no HTTP, and the errors it reports.
func newTestCache(t *testing.T, clk *clock, st store.Store) (*cache, *[]*RenderError) {
	t.Helper()
	var (
		mu      sync.Mutex
		reports []*RenderError
		m       = new(metrics)
		ac      = new(appClock)
	)
	ac.init(clk.Now)
	log := slog.New(slog.DiscardHandler)
	gs := newGuardedStore(st, log, &m.storeErrors, ac.coarse.nanos)
	c := newCache(cacheConfig{
		buildID:       "b1",
		renderTimeout: time.Second,
		workers:       2,
		report: func(_ context.Context, err *RenderError) {
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, err)
		},
		log: log,
	}, ac, gs, newMemoryTier(1<<20), newSideTier(100, 1<<20), newTagTimes(1000), m)
	t.Cleanup(func() {
		c.close()
		gs.close(false)
		ac.close()
	})
	return c, &reports
}

// TestCacheStates drives the ISR state machine alone (no App, no Echo, no
// HTTP) through each state of a page, on a fake clock: a page rendered at
// the start with a window of a minute and an expire of five is requested
// later by concurrent requests, then once more.
func TestCacheStates(t *testing.T) {
	tests := []struct {
		name      string
		seed      bool          // render the page at the start
		advance   time.Duration // then move the clock
		fail      bool          // renders after the seed fail
		storeDown bool
		requests  int // concurrent requests (1 when 0)

		want        string // their X-Framework-Cache state ("" for an error)
		wantBody    string
		wantRenders int64 // renders after the seed, background ones done
		wantReports int
		background  bool   // the report is of a background regeneration
		then        string // state of the next request
		thenBody    string
	}{
		{name: "fresh", seed: true, advance: 30 * time.Second,
			want: cacheHit, wantBody: "v1", then: cacheHit, thenBody: "v1"},
		{name: "stale: one background regeneration", seed: true, advance: 2 * time.Minute, requests: 4,
			want: cacheStale, wantBody: "v1", wantRenders: 1, then: cacheHit, thenBody: "v2"},
		{name: "stale, failing: kept and backed off", seed: true, advance: 2 * time.Minute, fail: true,
			want: cacheStale, wantBody: "v1", wantRenders: 1, wantReports: 1, background: true, then: cacheStale, thenBody: "v1"},
		{name: "expired: rendered in the request", seed: true, advance: 10 * time.Minute,
			want: cacheRevalidated, wantBody: "v2", wantRenders: 1, then: cacheHit, thenBody: "v2"},
		{name: "expired, failing: stale-if-error and backed off", seed: true, advance: 10 * time.Minute, fail: true, requests: 4,
			want: cacheStale, wantBody: "v1", wantRenders: 1, wantReports: 1, then: cacheStale, thenBody: "v1"},
		{name: "absent: one render shared", requests: 8,
			want: cacheMiss, wantBody: "v1", wantRenders: 1, then: cacheHit, thenBody: "v1"},
		{name: "absent, failing", fail: true, requests: 4,
			want: "", wantRenders: 1, wantReports: 1, then: ""},
		{name: "store down: served from memory", storeDown: true,
			want: cacheMiss, wantBody: "v1", wantRenders: 1, then: cacheHit, thenBody: "v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			var st store.Store = newDevStore(1<<20, clk.Now)
			if tt.storeDown {
				st = downStore{store.Discard}
			}
			c, reports := newTestCache(t, clk, st)
			r := &fakeRenderer{clock: clk}
			src := &renderer{route: "/p/:id", render: r.render}
			params := func() Params { return Params{"id": "1"} }
			ctx := context.Background()
			if tt.seed {
				if _, state, err := c.serve(ctx, "/p/1", src, params); err != nil || state != cacheMiss {
					t.Fatalf("seed: %s %v", state, err)
				}
			}
			seeded := r.renders.Load()
			clk.Advance(tt.advance)
			r.fail.Store(tt.fail)

			n := max(tt.requests, 1)
			if n > 1 {
				r.gate = make(chan struct{})
			}
			// The requests of a stale page are answered at once; those of
			// an expired or absent one wait on one render in a request.
			inRequest := !(tt.seed && tt.advance < 6*time.Minute)
			type result struct {
				body, state string
				err         error
			}
			results := make(chan result, n)
			for range n {
				go func() {
					e, state, err := c.serve(ctx, "/p/1", src, params)
					var body string
					if e != nil {
						body = string(e.body)
					}
					results <- result{body, state, err}
				}()
			}
			if r.gate != nil && inRequest {
				waitUntil(t, "the requests to wait on one render", func() bool {
					return r.renders.Load()-seeded == 1 && blockedIn("renderShared") == n-1
				})
				close(r.gate)
			}
			for range n {
				res := <-results
				if res.state != tt.want || res.body != tt.wantBody || (res.err != nil) != (tt.want == "") {
					t.Fatalf("request: %q %q %v, want %q %q", res.state, res.body, res.err, tt.want, tt.wantBody)
				}
			}
			if r.gate != nil && !inRequest {
				close(r.gate) // the regeneration, once every request is answered
			}
			c.background.Wait()
			if got := r.renders.Load() - seeded; got != tt.wantRenders {
				t.Errorf("%d renders, want %d", got, tt.wantRenders)
			}
			if tt.storeDown && c.metrics.storeErrors.Load() == 0 {
				t.Errorf("the store was not asked")
			}
			if len(*reports) != tt.wantReports {
				t.Fatalf("%d errors reported, want %d: %v", len(*reports), tt.wantReports, *reports)
			}
			for _, err := range *reports {
				if err.Path != "/p/1" || err.Route != "/p/:id" || err.Background != tt.background || err.Err == nil {
					t.Errorf("reported %+v", err)
				}
			}

			// The next request, at once: a failure is backed off, not
			// rendered again.
			e, state, _ := c.serve(ctx, "/p/1", src, params)
			var body string
			if e != nil {
				body = string(e.body)
			}
			if state != tt.then || body != tt.thenBody {
				t.Fatalf("next request: %q %q, want %q %q", state, body, tt.then, tt.thenBody)
			}
			c.background.Wait()
			if tt.fail && tt.seed && r.renders.Load()-seeded != tt.wantRenders {
				t.Fatalf("a backed-off page rendered again at once")
			}
		})
	}
}

// TestCacheBackoffEnds: once a failing page's backoff has passed, the next
// request renders it again, and a success serves the new page.
func TestCacheBackoffEnds(t *testing.T) {
	clk := newClock()
	c, reports := newTestCache(t, clk, newDevStore(1<<20, clk.Now))
	r := &fakeRenderer{clock: clk}
	src := &renderer{route: "/p", render: r.render}
	ctx := context.Background()
	c.serve(ctx, "/p", src, func() Params { return nil })
	clk.Advance(10 * time.Minute)
	r.fail.Store(true)
	if _, state, _ := c.serve(ctx, "/p", src, func() Params { return nil }); state != cacheStale {
		t.Fatalf("failing render: %s, want STALE", state)
	}
	clk.Advance(backoffFirst + time.Second)
	r.fail.Store(false)
	e, state, err := c.serve(ctx, "/p", src, func() Params { return nil })
	if err != nil || state != cacheRevalidated || string(e.body) != "v3" {
		t.Fatalf("after the backoff: %s %v, want REVALIDATED v3", state, err)
	}
	if len(*reports) != 1 {
		t.Fatalf("%d errors reported, want 1", len(*reports))
	}
}
