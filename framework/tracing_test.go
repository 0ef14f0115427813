package framework

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/isr-go/framework/framework/internal/testotlp"
	"github.com/isr-go/framework/framework/internal/testredis"
)

// checkTree compares the tree of root with want.
func checkTree(t *testing.T, what string, spans []*tracepb.Span, root *tracepb.Span, want string) {
	t.Helper()
	if got := testotlp.Tree(spans, root); got != want {
		t.Errorf("%s: span tree:\n%s\nwant:\n%s", what, got, want)
	}
}

// oneRoot returns the only span named name without a parent whose
// framework.cache is state ("" for any), failing the test otherwise.
func oneRoot(t *testing.T, spans []*tracepb.Span, name, state string) *tracepb.Span {
	t.Helper()
	var found []*tracepb.Span
	for _, s := range testotlp.RootsNamed(spans, name) {
		if state == "" || testotlp.Attr(s, "framework.cache") == state {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		var names []string
		for _, s := range spans {
			names = append(names, s.Name+testotlp.AttrText(s.Attributes))
		}
		t.Fatalf("%d root spans %q with framework.cache=%q, want 1; spans:\n%s", len(found), name, state, strings.Join(names, "\n"))
	}
	return found[0]
}

func TestTraceMissThenHit(t *testing.T) {
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	h := newHarness(t, Options{TracerProvider: tp})
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: newSource("v1").render})
	for _, want := range []string{cacheMiss, cacheHit} {
		if r := h.get("/blog/7"); r.cache() != want {
			t.Fatalf("X-Framework-Cache %q, want %q", r.cache(), want)
		}
	}
	spans := recv.Collected(t, tp)
	checkTree(t, "MISS", spans, oneRoot(t, spans, "GET /blog/:id", cacheMiss), `GET /blog/:id [framework.cache=MISS http.response.status_code=200 http.route=/blog/:id]
  store get [db.system.name=badger framework.store.found=false]
  store get [db.system.name=badger framework.store.found=false]
  render /blog/:id [http.route=/blog/:id framework.param.id=7 framework.holes=0]
  store set [db.system.name=badger]
`)
	checkTree(t, "HIT", spans, oneRoot(t, spans, "GET /blog/:id", cacheHit), `GET /blog/:id [framework.cache=HIT http.response.status_code=200 http.route=/blog/:id]
`)
}

func TestTraceStaleLinksRegeneration(t *testing.T) {
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	h := newHarness(t, Options{TracerProvider: tp, RevalidateSecret: "test-secret-0123456789abcdef0123456789abcdef"})
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: newSource("v1").render})
	h.get("/blog/7")
	h.clock.Advance(time.Second)
	if r := h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(`{"paths":["/blog/7"]}`),
		"Authorization", "Bearer test-secret-0123456789abcdef0123456789abcdef", "Content-Type", "application/json"); r.status != http.StatusOK {
		t.Fatalf("revalidate: %d %s", r.status, r.body)
	}
	if r := h.get("/blog/7"); r.cache() != cacheStale {
		t.Fatalf("X-Framework-Cache %q, want STALE", r.cache())
	}
	h.waitBackground()
	spans := recv.Collected(t, tp)

	checkTree(t, "revalidate", spans, oneRoot(t, spans, "POST "+RevalidateEndpoint, ""), `POST /_framework/revalidate [http.response.status_code=200 http.route=/_framework/revalidate]
  revalidate [framework.tag=_path:/blog/7]
`)
	stale := oneRoot(t, spans, "GET /blog/:id", cacheStale)
	checkTree(t, "STALE", spans, stale, `GET /blog/:id [framework.cache=STALE http.response.status_code=200 http.route=/blog/:id]
`)
	regen := oneRoot(t, spans, "regenerate /blog/:id", "")
	checkTree(t, "regeneration", spans, regen, `regenerate /blog/:id [http.route=/blog/:id framework.regeneration=regenerated] (linked to GET /blog/:id)
  render /blog/:id [http.route=/blog/:id framework.param.id=7 framework.holes=0]
  store set [db.system.name=badger]
`)
	if string(regen.TraceId) == string(stale.TraceId) {
		t.Error("the regeneration is in the trace of the request that found the page stale, want a trace of its own")
	}
	if l := regen.Links; len(l) != 1 || string(l[0].TraceId) != string(stale.TraceId) || string(l[0].SpanId) != string(stale.SpanId) {
		t.Errorf("regeneration links %v, want the STALE request's span %s", l, testotlp.HexID(stale.SpanId))
	}
}

func TestTraceFetchPropagates(t *testing.T) {
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	var mu sync.Mutex
	var upstreamParents []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		upstreamParents = append(upstreamParents, r.Header.Get("Traceparent"))
		mu.Unlock()
		w.Write([]byte(`"post"`))
	}))
	defer upstream.Close()
	h := newHarness(t, Options{TracerProvider: tp})
	h.page(Route{Pattern: "/posts/:id", Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		b, err := Fetch(ctx, upstream.URL+"/api/posts", FetchOptions{Revalidate: time.Hour, Tags: []string{"posts"}})
		if err != nil {
			return nil, err
		}
		return templ.Raw(string(b)), nil
	}})
	const caller, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	h.get("/posts/1", "Traceparent", "00-"+caller+"-"+callerSpan+"-01")
	h.get("/posts/2")
	spans := recv.Collected(t, tp)

	first := testotlp.RootsNamed(spans, "GET /posts/:id")[0]
	if testotlp.HexID(first.TraceId) != caller || testotlp.HexID(first.ParentSpanId) != callerSpan {
		t.Errorf("request span in trace %s under %s, want the traceparent's %s under %s", testotlp.HexID(first.TraceId), testotlp.HexID(first.ParentSpanId), caller, callerSpan)
	}
	checkTree(t, "first fetch", spans, first, `GET /posts/:id [framework.cache=MISS http.response.status_code=200 http.route=/posts/:id]
  store get [db.system.name=badger framework.store.found=false]
  store get [db.system.name=badger framework.store.found=false]
  render /posts/:id [http.route=/posts/:id framework.param.id=1 framework.holes=0]
    Fetch [http.response.status_code=200 framework.data.cache=miss framework.data.tags=posts]
      store get [db.system.name=badger framework.store.found=false]
      store set [db.system.name=badger]
  store set [db.system.name=badger]
`)
	var fetches []*tracepb.Span
	for _, s := range spans {
		if s.Name == "Fetch" {
			fetches = append(fetches, s)
		}
	}
	if len(fetches) != 2 || len(upstreamParents) != 1 {
		t.Fatalf("%d Fetch spans and %d upstream requests, want 2 and 1 (the second read from the data cache)", len(fetches), len(upstreamParents))
	}
	var fetched *tracepb.Span
	for _, f := range fetches {
		if testotlp.Attr(f, "framework.data.cache") == "miss" {
			fetched = f
		} else if got := testotlp.Attr(f, "framework.data.cache"); got != "hit" {
			t.Errorf("second Fetch framework.data.cache=%q, want hit", got)
		}
	}
	if want := "00-" + caller + "-" + testotlp.HexID(fetched.SpanId) + "-01"; upstreamParents[0] != want {
		t.Errorf("upstream got traceparent %q, want %q (the Fetch span's)", upstreamParents[0], want)
	}
}

func TestTraceRedisStoreRead(t *testing.T) {
	srv := testredis.Start(t)
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	a := newRedisHarness(t, srv.URL(), Options{TracerProvider: tp})
	b := newRedisHarness(t, srv.URL(), Options{TracerProvider: tp})
	s := newSource("v1")
	for _, h := range []*harness{a, b} {
		h.page(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: s.render})
	}
	if r := a.get("/blog/7"); r.cache() != cacheMiss {
		t.Fatalf("first instance: %q, want MISS", r.cache())
	}
	if r := b.get("/blog/7"); r.cache() != cacheHit {
		t.Fatalf("second instance: %q, want HIT from Redis", r.cache())
	}
	spans := recv.Collected(t, tp)
	checkTree(t, "HIT from Redis", spans, oneRoot(t, spans, "GET /blog/:id", cacheHit), `GET /blog/:id [framework.cache=HIT http.response.status_code=200 http.route=/blog/:id]
  store get [db.system.name=redis framework.store.found=true]
`)
	var read *tracepb.Span
	for _, sp := range spans {
		if sp.Name == "store get" && testotlp.Attr(sp, "framework.store.found") == "true" {
			read = sp
		}
	}
	if read == nil || testotlp.Attr(read, "framework.store.bytes") == "0" || testotlp.Attr(read, "framework.store.key") != "p/build-1/blog/7" {
		t.Errorf("store read: bytes %q, key %q; want the page's bytes under p/build-1/blog/7", testotlp.Attr(read, "framework.store.bytes"), testotlp.Attr(read, "framework.store.key"))
	}
}

func TestTraceHoles(t *testing.T) {
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	h := newHarness(t, Options{TracerProvider: tp})
	p := &holePage{s: newSource("v1"), hole: PerRequest(greeting).Register("greeting")}
	h.page(Route{Pattern: "/", Revalidate: time.Minute, Render: p.render})
	h.get("/")
	if r := h.get("/", "Cookie", "name=Ada"); r.cache() != cacheHit || !strings.Contains(r.body, "Hello, Ada") {
		t.Fatalf("second request: %s %q", r.cache(), r.body)
	}
	spans := recv.Collected(t, tp)
	checkTree(t, "MISS", spans, oneRoot(t, spans, "GET /", cacheMiss), `GET / [framework.cache=MISS http.response.status_code=200 http.route=/]
  store get [db.system.name=badger framework.store.found=false]
  store get [db.system.name=badger framework.store.found=false]
  render / [http.route=/ framework.holes=1]
  store set [db.system.name=badger]
  render hole [http.route=/ framework.hole.name=greeting]
`)
	checkTree(t, "HIT", spans, oneRoot(t, spans, "GET /", cacheHit), `GET / [framework.cache=HIT http.response.status_code=200 http.route=/]
  render hole [http.route=/ framework.hole.name=greeting]
`)
}

// TestTraceWaitForRender: a request that finds another's render of its
// page in progress shows the wait, not a render.
func TestTraceWaitForRender(t *testing.T) {
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	h := newHarness(t, Options{TracerProvider: tp})
	s := newSource("v1")
	s.block = make(chan struct{})
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: s.render})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { h.get("/blog/7") })
	}
	waitUntil(t, "one request to wait on the other's render", func() bool {
		return s.renders.Load() == 1 && blockedIn("renderShared") == 1
	})
	close(s.block)
	wg.Wait()
	spans := recv.Collected(t, tp)
	var waiter *tracepb.Span
	for _, r := range testotlp.RootsNamed(spans, "GET /blog/:id") {
		if !strings.Contains(testotlp.Tree(spans, r), "render /blog/:id") {
			waiter = r
		}
	}
	if waiter == nil {
		t.Fatal("both requests rendered")
	}
	checkTree(t, "waiter", spans, waiter, `GET /blog/:id [framework.cache=MISS http.response.status_code=200 http.route=/blog/:id]
  store get [db.system.name=badger framework.store.found=false]
  wait for render
`)
}

// TestTraceOffAllocatesNothing: without a tracer provider, a hit through
// App.Trace allocates nothing, as one without it.
func TestTraceOffAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	h := newHarness(t, Options{})
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: newSource("v1").render})
	handler := h.app.Trace(h.e)
	req := httptest.NewRequest(http.MethodGet, "/blog/7", nil)
	w := &nopWriter{h: make(http.Header)}
	handler.ServeHTTP(w, req) // the miss
	allocs := testing.AllocsPerRun(100, func() {
		clear(w.h)
		handler.ServeHTTP(w, req)
	})
	if allocs != 0 || w.h.Get(headerCache) != cacheHit {
		t.Errorf("a %s with tracing off: %v allocations, want a HIT with none", w.h.Get(headerCache), allocs)
	}
}

// TestTraceUnknownMethod: a made-up method is named as the semantic
// conventions say, so that it cannot make span names without end.
func TestTraceUnknownMethod(t *testing.T) {
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	h := newHarness(t, Options{TracerProvider: tp})
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: newSource("v1").render})
	h.do("FROBNICATE", "/blog/7", nil)
	spans := recv.Collected(t, tp)
	if len(spans) != 1 || !strings.HasPrefix(spans[0].Name, "HTTP") || testotlp.Attr(spans[0], "http.request.method") != "_OTHER" {
		for _, s := range spans {
			t.Logf("%s%s", s.Name, testotlp.AttrText(s.Attributes))
		}
		t.Fatalf("want one span named HTTP..., http.request.method=_OTHER")
	}
}

// TestTraceWaitForRenderLock: on Redis, an instance that finds another
// rendering the page shows its wait for the lock, and renders nothing.
func TestTraceWaitForRenderLock(t *testing.T) {
	srv := testredis.Start(t)
	recv := testotlp.NewReceiver(t)
	tp := recv.TracerFromEnv(t)
	a := newRedisHarness(t, srv.URL(), Options{TracerProvider: tp})
	b := newRedisHarness(t, srv.URL(), Options{TracerProvider: tp})
	s := newSource("v1")
	s.block = make(chan struct{})
	for _, h := range []*harness{a, b} {
		h.page(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: s.render})
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.get("/blog/7") })
	waitUntil(t, "the first instance to render", func() bool { return s.renders.Load() == 1 })
	wg.Go(func() { b.get("/blog/7") })
	// Asleep between two tries: past the first, which started the wait.
	waitUntil(t, "the second instance to wait for the lock", func() bool { return inStack("time.Sleep(", "(*cache).lockRender(") == 1 })
	close(s.block)
	wg.Wait()
	if n := s.renders.Load(); n != 1 {
		t.Fatalf("%d renders, want 1", n)
	}
	spans := recv.Collected(t, tp)
	var waited, rendered int
	for _, r := range testotlp.RootsNamed(spans, "GET /blog/:id") {
		tree := testotlp.Tree(spans, r)
		if strings.Contains(tree, "\n  wait for render lock\n") {
			waited++
		}
		if strings.Contains(tree, "render /blog/:id") {
			rendered++
		}
	}
	if waited != 1 || rendered != 1 {
		t.Errorf("%d requests waited for the lock and %d rendered, want 1 and 1", waited, rendered)
	}
}

// inStack counts the goroutines whose stack has every one of fns in it.
func inStack(fns ...string) int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		all := true
		for _, fn := range fns {
			all = all && strings.Contains(g, fn)
		}
		if all {
			count++
		}
	}
	return count
}
