package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// box is a component that counts its renders and shows a version, with
// optional failure and block switches.
type box struct {
	renders atomic.Int64
	version atomic.Value
	err     atomic.Pointer[error]
	block   chan struct{}
}

func newBox(version string) *box {
	b := &box{}
	b.version.Store(version)
	return b
}

func (b *box) component() templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		n := b.renders.Add(1)
		if b.block != nil {
			select {
			case <-b.block:
			case <-time.After(testWait):
				return errors.New("box: blocked render never released")
			}
		}
		if err := b.err.Load(); err != nil {
			return *err
		}
		_, err := fmt.Fprintf(w, "<aside>box %v render %d</aside>", b.version.Load(), n)
		return err
	})
}

// boxRoute is a page that renders b through CacheComponent with opts, and counts
// its own renders.
func boxRoute(pattern string, window time.Duration, b *box, opts CacheOptions, renders *atomic.Int64) Route {
	return Route{Pattern: pattern, Revalidate: window, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		n := renders.Add(1)
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			fmt.Fprintf(w, "<p>page render %d</p>", n)
			return CacheComponent("box", opts, b.component()).Render(ctx, w)
		}), nil
	}}
}

// TestCachedInDynamicPage: a dynamic page renders on every request, and its
// cached component once, until its window passes.
func TestCachedInDynamicPage(t *testing.T) {
	h := newHarness(t, Options{})
	b := newBox("v1")
	var pages atomic.Int64
	h.page(boxRoute("/admin", 0, b, CacheOptions{Revalidate: time.Minute}, &pages))
	for i := 1; i <= 3; i++ {
		r := h.get("/admin")
		if want := fmt.Sprintf("<p>page render %d</p><aside>box v1 render 1</aside>", i); r.body != want {
			t.Fatalf("request %d: %q, want %q", i, r.body, want)
		}
		if cc := r.header.Get("Cache-Control"); cc != dynamicCacheControl {
			t.Fatalf("Cache-Control %q: the page is still dynamic", cc)
		}
	}
	b.version.Store("v2")
	h.clock.Advance(59 * time.Second)
	if r := h.get("/admin"); !strings.Contains(r.body, "box v1 render 1") {
		t.Errorf("inside the window: %q", r.body)
	}
	h.clock.Advance(2 * time.Second)
	if r := h.get("/admin"); !strings.Contains(r.body, "box v2 render 2") {
		t.Errorf("past the window: %q, want a new render", r.body)
	}
}

// TestCachedTagsFlowIntoThePage: a cached page carries its component's
// window and tags; RevalidateTag makes both stale, and the page's
// regeneration renders the component again.
func TestCachedTagsFlowIntoThePage(t *testing.T) {
	h := newHarness(t, Options{CacheTagHeader: true})
	b := newBox("v1")
	var pages atomic.Int64
	h.page(boxRoute("/", Never, b, CacheOptions{Revalidate: 10 * time.Minute, Tags: []string{"posts"}}, &pages))
	h.page(boxRoute("/other", Never, b, CacheOptions{Revalidate: 10 * time.Minute, Tags: []string{"posts"}}, &pages))
	r := h.get("/")
	if !strings.Contains(r.body, "box v1 render 1") {
		t.Fatalf("first: %q", r.body)
	}
	if cc := r.header.Get("Cache-Control"); !strings.HasPrefix(cc, "s-maxage=600,") {
		t.Errorf("Cache-Control %q, want the component's window", cc)
	}
	if tags := r.header.Get("Cache-Tag"); !strings.Contains(tags, "posts") {
		t.Errorf("Cache-Tag %q, want posts", tags)
	}
	// Another page shows the same component: from the store.
	if r := h.get("/other"); !strings.Contains(r.body, "box v1 render 1") {
		t.Errorf("/other: %q", r.body)
	}
	b.version.Store("v2")
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", false); err != nil {
		t.Fatal(err)
	}
	if r := h.get("/"); r.cache() != cacheStale || !strings.Contains(r.body, "box v1") {
		t.Fatalf("after RevalidateTag: %s %q, want STALE v1", r.cache(), r.body)
	}
	h.waitBackground()
	if r := h.get("/"); r.cache() != cacheHit || !strings.Contains(r.body, "box v2 render 2") {
		t.Errorf("after the regeneration: %s %q, want the component rendered again", r.cache(), r.body)
	}
	if n := b.renders.Load(); n != 2 {
		t.Errorf("%d component renders, want 2", n)
	}
}

// TestCachedSingleFlight: concurrent renders needing the same component
// render it once and all show that render.
func TestCachedSingleFlight(t *testing.T) {
	h := newHarness(t, Options{})
	b := newBox("v1")
	b.block = make(chan struct{})
	release := sync.OnceFunc(func() { close(b.block) })
	t.Cleanup(release)
	var pages atomic.Int64
	h.page(boxRoute("/admin", 0, b, CacheOptions{Revalidate: Never}, &pages))

	const n = 8
	var wg sync.WaitGroup
	bodies := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies <- h.get("/admin").body
		}()
	}
	// One render runs the component; the others wait on it in App.data.
	waitUntil(t, "renders waiting on the component", func() bool { return blockedIn("(*dataCache).get") == n-1 })
	release()
	waitGroup(t, "requests", &wg)
	close(bodies)
	for body := range bodies {
		if !strings.Contains(body, "box v1 render 1") {
			t.Errorf("body %q, want the one render", body)
		}
	}
	if got := b.renders.Load(); got != 1 {
		t.Errorf("%d component renders, want 1", got)
	}
}

// TestCachedErrorNotCached: a component that fails fails the render and is
// not cached; the next render tries again.
func TestCachedErrorNotCached(t *testing.T) {
	h := newHarness(t, Options{})
	b := newBox("v1")
	fail := errors.New("database down")
	b.err.Store(&fail)
	var pages atomic.Int64
	h.page(boxRoute("/admin", 0, b, CacheOptions{Revalidate: Never}, &pages))
	if r := h.get("/admin"); r.status != 500 || strings.Contains(r.body, "box") {
		t.Fatalf("failing component: %d %q", r.status, r.body)
	}
	b.err.Store(nil)
	if r := h.get("/admin"); r.status != 200 || !strings.Contains(r.body, "box v1 render 2") {
		t.Fatalf("after the failure: %d %q", r.status, r.body)
	}
	if r := h.get("/admin"); !strings.Contains(r.body, "box v1 render 2") {
		t.Fatalf("then: %q, want the cached render", r.body)
	}
}

// TestCachedKeys: KeyParts tell components apart; a render outside any app
// renders the component without caching.
func TestCachedKeys(t *testing.T) {
	h := newHarness(t, Options{})
	b := newBox("v1")
	h.page(Route{Pattern: "/", Revalidate: 0, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			for _, part := range []string{"a", "b", "a"} {
				if err := CacheComponent("box", CacheOptions{KeyParts: []string{part}, Revalidate: Never}, b.component()).Render(ctx, w); err != nil {
					return err
				}
			}
			return nil
		}), nil
	}})
	if r := h.get("/"); r.body != "<aside>box v1 render 1</aside><aside>box v1 render 2</aside><aside>box v1 render 1</aside>" {
		t.Errorf("body %q", r.body)
	}
	var sb strings.Builder
	for range 2 {
		if err := CacheComponent("box", CacheOptions{Revalidate: Never}, b.component()).Render(context.Background(), &sb); err != nil {
			t.Fatal(err)
		}
	}
	if sb.String() != "<aside>box v1 render 3</aside><aside>box v1 render 4</aside>" {
		t.Errorf("outside an app: %q", sb.String())
	}
}

// TestCachedInDraftMode: a draft render renders the component afresh and
// stores nothing.
func TestCachedInDraftMode(t *testing.T) {
	h := draftHarness(t, Options{})
	b := newBox("v1")
	var pages atomic.Int64
	h.page(boxRoute("/admin", 0, b, CacheOptions{Revalidate: Never}, &pages))
	h.get("/admin")
	b.version.Store("draft")
	cookie := h.draftCookie()
	if r := h.get("/admin", "Cookie", cookie); !strings.Contains(r.body, "box draft render 2") {
		t.Errorf("draft: %q", r.body)
	}
	if r := h.get("/admin"); !strings.Contains(r.body, "box v1 render 1") {
		t.Errorf("after the draft: %q, want the cached component", r.body)
	}
}

// TestCachedCarriesTheTagsOfItsData: a component cached without tags that
// lists data tagged "posts" (and kept a minute) is stored with that tag and
// window: RevalidateTag("posts") renders it again, and so does the minute
// passing, on a hit of the component as on its first render.
func TestCachedCarriesTheTagsOfItsData(t *testing.T) {
	h := newHarness(t, Options{CacheTagHeader: true})
	var version atomic.Value
	version.Store("d1")
	var lists, boxes atomic.Int64
	list := Cache(func(ctx context.Context) (string, error) {
		lists.Add(1)
		return version.Load().(string), nil
	}, CacheOptions{Revalidate: time.Minute, Tags: []string{"posts"}})
	box := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		v, err := list(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "<aside>%s box %d</aside>", v, boxes.Add(1))
		return err
	})
	for _, p := range []string{"/a", "/b"} {
		h.page(Route{Pattern: p, Revalidate: Never, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			return CacheComponent("box", CacheOptions{Revalidate: Never}, box), nil
		}})
	}
	if r := h.get("/a"); r.body != "<aside>d1 box 1</aside>" || !strings.HasPrefix(r.header.Get("Cache-Control"), "s-maxage=60,") || r.header.Get("Cache-Tag") != "posts" {
		t.Fatalf("/a: %q %q %q", r.body, r.header.Get("Cache-Control"), r.header.Get("Cache-Tag"))
	}
	// /b reads the component from the store, and gets its window and tag.
	if r := h.get("/b"); r.body != "<aside>d1 box 1</aside>" || !strings.HasPrefix(r.header.Get("Cache-Control"), "s-maxage=60,") || r.header.Get("Cache-Tag") != "posts" {
		t.Fatalf("/b: %q %q %q", r.body, r.header.Get("Cache-Control"), r.header.Get("Cache-Tag"))
	}
	version.Store("d2")
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", true); err != nil {
		t.Fatal(err)
	}
	if r := h.get("/b"); r.body != "<aside>d2 box 2</aside>" {
		t.Errorf("/b after ExpireTag(posts): %q, want the component and its list again", r.body)
	}
	version.Store("d3")
	h.clock.Advance(61 * time.Second)
	h.get("/a") // stale: regenerates in the background
	h.waitBackground()
	if r := h.get("/a"); r.body != "<aside>d3 box 3</aside>" {
		t.Errorf("/a past the list's minute: %q, want the component again", r.body)
	}
	if n := lists.Load(); n != 3 {
		t.Errorf("%d list reads, want 3", n)
	}
}
