package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// origin is a real HTTP data source on loopback that counts its requests.
type origin struct {
	*httptest.Server
	hits    atomic.Int64
	version atomic.Value
}

func newOrigin(t *testing.T) *origin {
	o := &origin{}
	o.version.Store("d1")
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		if r.URL.Path == "/fail" {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "%s:%s", r.URL.Path, o.version.Load())
	}))
	t.Cleanup(o.Close)
	return o
}

func TestFetchCachesAndDeduplicates(t *testing.T) {
	h := newHarness(t, Options{})
	o := newOrigin(t)
	h.page(Route{Pattern: "/p", Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		var parts []string
		for range 3 { // identical calls in one render: one request
			b, err := Fetch(ctx, o.URL+"/posts", FetchOptions{Revalidate: 10 * time.Minute, Tags: []string{"posts"}})
			if err != nil {
				return nil, err
			}
			parts = append(parts, string(b))
		}
		return templ.Raw(strings.Join(parts, ",")), nil
	}})

	r := h.get("/p")
	if r.body != "/posts:d1,/posts:d1,/posts:d1" {
		t.Fatalf("body %q", r.body)
	}
	if n := o.hits.Load(); n != 1 {
		t.Fatalf("origin hits = %d, want 1", n)
	}
	// The page's window is the data's (10 min), lower than its own hour.
	if cc := r.header.Get("Cache-Control"); !strings.HasPrefix(cc, "s-maxage=600,") {
		t.Fatalf("Cache-Control %q, want the data's window", cc)
	}
	// Past 10 minutes the page is stale, and its regeneration refetches.
	o.version.Store("d2")
	h.clock.Advance(11 * time.Minute)
	if got := h.get("/p").cache(); got != CacheStale {
		t.Fatalf("after the data window: %s", got)
	}
	h.waitBackground()
	if r := h.get("/p"); !strings.Contains(r.body, "d2") || o.hits.Load() != 2 {
		t.Fatalf("after regeneration: %q, %d origin hits", r.body, o.hits.Load())
	}
	// The page carries the data's tag.
	o.version.Store("d3")
	h.clock.Advance(time.Second)
	if err := h.app.RevalidateTag(context.Background(), "posts"); err != nil {
		t.Fatal(err)
	}
	h.get("/p")
	h.waitBackground()
	if r := h.get("/p"); !strings.Contains(r.body, "d3") {
		t.Fatalf("after RevalidateTag: %q", r.body)
	}
}

func TestFetchErrorsAreNotCached(t *testing.T) {
	h := newHarness(t, Options{})
	o := newOrigin(t)
	ctx := h.app.Context(context.Background())
	for range 2 {
		_, err := Fetch(ctx, o.URL+"/fail", FetchOptions{})
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Status != http.StatusBadGateway {
			t.Fatalf("err = %v", err)
		}
	}
	if n := o.hits.Load(); n != 2 {
		t.Fatalf("origin hits = %d, want 2", n)
	}
}

func TestCachePersistsValuesAcrossRestart(t *testing.T) {
	h := newHarness(t, Options{})
	type post struct {
		ID    int
		Title string
	}
	var calls atomic.Int64
	getPost := Cache(func(ctx context.Context, id int, lang string) (post, error) {
		calls.Add(1)
		return post{ID: id, Title: fmt.Sprintf("post %d in %s", id, lang)}, nil
	}, CacheOptions{KeyParts: []string{"posts"}, Tags: []string{"posts"}})

	ctx := h.app.Context(context.Background())
	for range 2 {
		p, err := getPost(ctx, 7, "en")
		if err != nil || p.Title != "post 7 in en" {
			t.Fatalf("getPost = %+v, %v", p, err)
		}
	}
	if p, _ := getPost(ctx, 8, "en"); p.ID != 8 {
		t.Fatalf("other arguments: %+v", p)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("calls = %d, want 2 (one per distinct argument list)", n)
	}
	h.restart()
	ctx = h.app.Context(context.Background())
	if p, err := getPost(ctx, 7, "en"); err != nil || p.Title != "post 7 in en" || calls.Load() != 2 {
		t.Fatalf("after restart: %+v %v, calls %d", p, err, calls.Load())
	}
	// RevalidateTag makes the next call read afresh.
	h.clock.Advance(time.Second)
	if err := h.app.RevalidateTag(ctx, "posts"); err != nil {
		t.Fatal(err)
	}
	getPost(ctx, 7, "en")
	if n := calls.Load(); n != 3 {
		t.Fatalf("calls after RevalidateTag = %d, want 3", n)
	}
	// Without an app the function is simply called.
	getPost(context.Background(), 7, "en")
	if n := calls.Load(); n != 4 {
		t.Fatalf("calls without an app = %d, want 4", n)
	}
}

func TestNoStoreDataMakesPageDynamic(t *testing.T) {
	h := newHarness(t, Options{})
	var calls atomic.Int64
	now := Cache(func(ctx context.Context) (int64, error) { return calls.Add(1), nil }, CacheOptions{Revalidate: NoStore})
	h.page(Route{Pattern: "/live", Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		n, err := now(ctx)
		return templ.Raw(fmt.Sprint(n)), err
	}})
	h.get("/live")
	r := h.get("/live")
	if r.body != "2" || r.header.Get("Cache-Control") != dynamicCacheControl {
		t.Fatalf("second request: %q %q, want a fresh render, not cached", r.body, r.header.Get("Cache-Control"))
	}
}

func TestCacheRejectsWrongShape(t *testing.T) {
	for _, fn := range []any{
		func() (int, error) { return 0, nil },
		func(ctx context.Context) int { return 0 },
		func(s string) (int, error) { return 0, nil },
		42,
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Cache(%T) did not panic", fn)
				}
			}()
			Cache(fn, CacheOptions{})
		}()
	}
}

func TestMetadataReachesLayouts(t *testing.T) {
	h := newHarness(t, Options{})
	layout := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		fmt.Fprintf(w, "<title>%s</title>", MetadataFrom(ctx).Title)
		return templ.GetChildren(ctx).Render(ctx, w)
	})
	h.page(Route{Pattern: "/m", Revalidate: time.Hour, Layouts: []templ.Component{layout, layout},
		Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			SetMetadata(ctx, Metadata{Title: "Hello"})
			return templ.Raw("<p>body</p>"), nil
		}})
	if r := h.get("/m"); r.body != "<title>Hello</title><title>Hello</title><p>body</p>" {
		t.Fatalf("body %q", r.body)
	}
}
