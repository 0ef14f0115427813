package framework

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// taggedRoute renders s through data tagged tags.
func taggedRoute(pattern string, s *source, tags ...string) Route {
	return Route{Pattern: pattern, Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		read := Cache(func(ctx context.Context, path string) (string, error) { return path, nil },
			CacheOptions{KeyParts: tags, Revalidate: Never, Tags: tags})
		if _, err := read(ctx, r.Path); err != nil {
			return nil, err
		}
		return s.render(ctx, r)
	}}
}

func TestRevalidateTagMarksExactlyTaggedPages(t *testing.T) {
	h := newHarness(t, Options{})
	posts, authors := newSource("v1"), newSource("v1")
	h.page(taggedRoute("/posts/:id", posts, "posts"))
	h.page(taggedRoute("/authors/:id", authors, "authors"))
	for _, p := range []string{"/posts/1", "/posts/2", "/authors/1"} {
		h.get(p)
	}
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", false); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"/posts/1": cacheStale, "/posts/2": cacheStale, "/authors/1": cacheHit} {
		if got := h.get(p).cache(); got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
	h.waitBackground()
	for _, p := range []string{"/posts/1", "/posts/2", "/authors/1"} {
		if got := h.get(p).cache(); got != cacheHit {
			t.Errorf("%s after regeneration: %s, want HIT", p, got)
		}
	}
	// The revalidation time survives a restart.
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "authors", false); err != nil {
		t.Fatal(err)
	}
	h.restart()
	h.page(taggedRoute("/posts/:id", posts, "posts"))
	h.page(taggedRoute("/authors/:id", authors, "authors"))
	if got := h.get("/authors/1").cache(); got != cacheStale {
		t.Errorf("/authors/1 after restart: %s, want STALE", got)
	}
	if got := h.get("/posts/1").cache(); got != cacheHit {
		t.Errorf("/posts/1 after restart: %s, want HIT", got)
	}
}

func TestExpireTagRendersFresh(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(taggedRoute("/posts/:id", s, "posts"))
	h.get("/posts/1")
	s.set("v2")
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", true); err != nil {
		t.Fatal(err)
	}
	r := h.get("/posts/1")
	if r.cache() != cacheRevalidated || !strings.Contains(r.body, "v2") {
		t.Fatalf("after ExpireTag: %s %q, want REVALIDATED v2", r.cache(), r.body)
	}
	if r := h.get("/posts/1"); r.cache() != cacheHit {
		t.Fatalf("next: %s", r.cache())
	}
}

func TestRevalidatePathAndLayout(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/blog", time.Hour, s))
	h.page(isrRoute("/blog/:id", time.Hour, s))
	h.page(isrRoute("/about", time.Hour, s))
	paths := []string{"/blog", "/blog/1", "/blog/2", "/about"}
	for _, p := range paths {
		h.get(p)
	}
	check := func(when string, want map[string]string) {
		t.Helper()
		for _, p := range paths {
			if got := h.get(p).cache(); got != want[p] {
				t.Errorf("%s: %s: %s, want %s", when, p, got, want[p])
			}
		}
		h.waitBackground()
	}
	h.clock.Advance(time.Second)
	ctx := context.Background()
	if err := h.app.revalidatePath(ctx, "/blog/1/", false); err != nil {
		t.Fatal(err)
	}
	check("path", map[string]string{"/blog": cacheHit, "/blog/1": cacheStale, "/blog/2": cacheHit, "/about": cacheHit})
	h.clock.Advance(time.Second)
	if err := h.app.revalidatePath(ctx, "/blog", false, AndBelow); err != nil {
		t.Fatal(err)
	}
	check("layout /blog", map[string]string{"/blog": cacheStale, "/blog/1": cacheStale, "/blog/2": cacheStale, "/about": cacheHit})
	h.clock.Advance(time.Second)
	if err := h.app.revalidatePath(ctx, "/", false, AndBelow); err != nil {
		t.Fatal(err)
	}
	check("layout /", map[string]string{"/blog": cacheStale, "/blog/1": cacheStale, "/blog/2": cacheStale, "/about": cacheStale})
	if err := h.app.revalidatePath(ctx, "blog", false); err == nil {
		t.Error("relative path accepted")
	}
}

func TestEagerRegeneratesRightAway(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(taggedRoute("/posts/:id", s, "posts"))
	h.get("/posts/1")
	h.get("/posts/2")
	s.set("v2")
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", false, Eager); err != nil {
		t.Fatal(err)
	}
	h.waitBackground()
	for _, p := range []string{"/posts/1", "/posts/2"} {
		if r := h.get(p); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
			t.Errorf("%s: %s %q, want HIT v2 without a stale request", p, r.cache(), r.body)
		}
	}
}

func TestEagerCoversPagesServedFromTheStore(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(taggedRoute("/posts/:id", s, "posts"))
	h.get("/posts/1")
	h.restart() // a new process: the page is in the store, rendered by the last one
	h.page(taggedRoute("/posts/:id", s, "posts"))
	if r := h.get("/posts/1"); r.cache() != cacheHit {
		t.Fatalf("after restart: %s", r.cache())
	}
	s.set("v2")
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", false, Eager); err != nil {
		t.Fatal(err)
	}
	h.waitBackground()
	if r := h.get("/posts/1"); r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
		t.Errorf("%s %q, want HIT v2 without a stale request", r.cache(), r.body)
	}
}

func TestPackageLevelRevalidateFindsApp(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Hour, s))
	h.e.POST("/api/touch", h.app.routeHandler(func(c echoContext) error {
		if err := RevalidatePath(c.Request().Context(), "/post"); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}))
	h.get("/post")
	h.clock.Advance(time.Second)
	if r := h.do(http.MethodPost, "/api/touch", nil); r.status != http.StatusNoContent {
		t.Fatalf("handler: %d %s", r.status, r.body)
	}
	if got := h.get("/post").cache(); got != cacheStale {
		t.Fatalf("after handler: %s", got)
	}
	if err := RevalidateTag(context.Background(), "x"); err == nil {
		t.Fatal("RevalidateTag without an app in the context succeeded")
	}
}

func TestRevalidateEndpoint(t *testing.T) {
	h := newHarness(t, Options{RevalidateSecret: "test-secret-0123456789abcdef0123456789abcdef"})
	s := newSource("v1")
	h.page(taggedRoute("/posts/:id", s, "posts"))
	h.page(isrRoute("/about", time.Hour, s))
	h.get("/posts/1")
	h.get("/about")
	h.clock.Advance(time.Second)

	post := func(auth, body string) response {
		return h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(body), "Authorization", auth, "Content-Type", "application/json")
	}
	for _, tc := range []struct {
		name, auth, body string
		want             int
	}{
		{"no secret", "", `{"tags":["posts"]}`, http.StatusUnauthorized},
		{"wrong secret", "Bearer nope", `{"tags":["posts"]}`, http.StatusUnauthorized},
		{"prefix of secret", "Bearer test-secret-0123456789abcdef", `{"tags":["posts"]}`, http.StatusUnauthorized},
		{"not bearer", "test-secret-0123456789abcdef0123456789abcdef", `{"tags":["posts"]}`, http.StatusUnauthorized},
		{"bad json", "Bearer test-secret-0123456789abcdef0123456789abcdef", `{"tags":`, http.StatusBadRequest},
		{"unknown field", "Bearer test-secret-0123456789abcdef0123456789abcdef", `{"tag":["posts"]}`, http.StatusBadRequest},
		{"nothing", "Bearer test-secret-0123456789abcdef0123456789abcdef", `{}`, http.StatusBadRequest},
		{"relative path", "Bearer test-secret-0123456789abcdef0123456789abcdef", `{"paths":["about"],"tags":["posts"]}`, http.StatusBadRequest},
		{"huge body", "Bearer test-secret-0123456789abcdef0123456789abcdef", `{"tags":["` + strings.Repeat("a", 2<<20) + `"]}`, http.StatusRequestEntityTooLarge},
	} {
		if r := post(tc.auth, tc.body); r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.want)
		}
	}
	// Nothing above changed anything.
	for _, p := range []string{"/posts/1", "/about"} {
		if got := h.get(p).cache(); got != cacheHit {
			t.Fatalf("%s after refused requests: %s, want HIT", p, got)
		}
	}
	if r := post("Bearer test-secret-0123456789abcdef0123456789abcdef", `{"tags":["posts"],"paths":["/about"]}`); r.status != 200 || !strings.Contains(r.body, `"revalidated":true`) {
		t.Fatalf("good request: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/posts/1", "/about"} {
		if got := h.get(p).cache(); got != cacheStale {
			t.Errorf("%s after revalidation: %s, want STALE", p, got)
		}
	}
	h.waitBackground()
	s.set("v3")
	h.clock.Advance(time.Second)
	if r := post("Bearer test-secret-0123456789abcdef0123456789abcdef", `{"paths":["/about"],"expire":true}`); r.status != 200 {
		t.Fatalf("expire: %d %s", r.status, r.body)
	}
	if r := h.get("/about"); r.cache() != cacheRevalidated || !strings.Contains(r.body, "v3") {
		t.Fatalf("after expire: %s", r.cache())
	}
}

func TestRevalidateEndpointOffWithoutSecret(t *testing.T) {
	t.Setenv("FRAMEWORK_REVALIDATE_SECRET", "")
	h := newHarness(t, Options{})
	r := h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(`{"tags":["a"]}`), "Authorization", "Bearer ")
	if r.status != http.StatusNotFound {
		t.Fatalf("without a secret: %d, want 404", r.status)
	}
}

func TestNotFoundIsCachedAndHeals(t *testing.T) {
	h := newHarness(t, Options{NotFoundWindow: time.Minute})
	s := newSource("v1")
	s.missing = map[string]bool{"/blog/new": true}
	rt := isrRoute("/blog/:id", time.Hour, s)
	rt.NotFound = templ.Raw("<p>no such post</p>")
	h.page(rt)

	r := h.get("/blog/new")
	if r.status != 404 || r.cache() != cacheMiss || r.body != "<p>no such post</p>" {
		t.Fatalf("first: %d %s %q", r.status, r.cache(), r.body)
	}
	if r := h.get("/blog/new"); r.status != 404 || r.cache() != cacheHit {
		t.Fatalf("second: %d %s, want a cached 404", r.status, r.cache())
	}
	if n := s.renders.Load(); n != 1 {
		t.Fatalf("renders = %d", n)
	}
	// The post now exists; the 404 heals once its window passes.
	s.mu.Lock()
	s.missing = nil
	s.mu.Unlock()
	h.clock.Advance(59 * time.Second)
	if r := h.get("/blog/new"); r.status != 404 {
		t.Fatalf("inside the 404 window: %d", r.status)
	}
	h.clock.Advance(2 * time.Second)
	if r := h.get("/blog/new"); r.status != 200 || !strings.Contains(r.body, "v1") {
		t.Fatalf("after the 404 window: %d %q", r.status, r.body)
	}
	if r := h.get("/blog/new"); r.status != 200 || r.cache() != cacheHit {
		t.Fatalf("then: %d %s", r.status, r.cache())
	}
}

func TestRandomURLsDoNotEvictPages(t *testing.T) {
	h := newHarness(t, Options{NotFoundLimit: 100, MemoryCacheBytes: 1 << 20})
	s := newSource("v1")
	s.missing = map[string]bool{}
	for i := range 10_000 {
		s.missing["/blog/missing-"+itoa(i)] = true
	}
	h.page(isrRoute("/blog/:id", time.Hour, s))
	for i := range 20 {
		h.get("/blog/" + itoa(i))
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 10_000; i += 4 {
				if r := h.get("/blog/missing-" + itoa(i)); r.status != 404 {
					t.Errorf("missing-%d: %d", i, r.status)
					return
				}
			}
		}()
	}
	waitGroup(t, "requests for missing posts", &wg)
	if n := sideEntries(h.app); n > 100 {
		t.Fatalf("%d cached 404s, want at most 100", n)
	}
	renders := s.renders.Load()
	for i := range 20 {
		if r := h.get("/blog/" + itoa(i)); r.cache() != cacheHit {
			t.Fatalf("/blog/%d after 10,000 random URLs: %s, want HIT", i, r.cache())
		}
	}
	if s.renders.Load() != renders {
		t.Fatal("real pages were rendered again")
	}
}

func TestStaticParamsOnly(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	rt := isrRoute("/blog/:id", time.Hour, s)
	rt.StaticParamsOnly = true
	rt.StaticParams = func(context.Context) ([]Params, error) {
		return []Params{{"id": "1"}, {"id": "2"}}, nil
	}
	h.page(rt)
	if r := h.get("/blog/1"); r.status != 200 {
		t.Fatalf("listed param: %d", r.status)
	}
	if r := h.get("/blog/3"); r.status != 404 {
		t.Fatalf("unlisted param: %d", r.status)
	}
	if n := s.renders.Load(); n != 1 {
		t.Fatalf("renders = %d: the unlisted param was rendered", n)
	}
}

func TestPrerenderedPageIsAHit(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	rt := isrRoute("/blog/:id", time.Hour, s)
	page, err := prerenderPage(h.app, context.Background(), rt, Params{"id": "9"})
	if err != nil || page.Path != "/blog/9" || page.Bytes == 0 {
		t.Fatalf("Prerender = %+v, %v", page, err)
	}
	h.page(rt)
	if r := h.get("/blog/9"); r.cache() != cacheHit || !strings.Contains(r.body, "/blog/9 v1") {
		t.Fatalf("prerendered: %s %q", r.cache(), r.body)
	}
	s.fail(errContent)
	if _, err := prerenderPage(h.app, context.Background(), rt, Params{"id": "10"}); err == nil || !strings.Contains(err.Error(), "/blog/10") {
		t.Fatalf("failing prerender: %v", err)
	}
}
