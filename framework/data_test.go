package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
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
	if got := h.get("/p").cache(); got != cacheStale {
		t.Fatalf("after the data window: %s", got)
	}
	h.waitBackground()
	if r := h.get("/p"); !strings.Contains(r.body, "d2") || o.hits.Load() != 2 {
		t.Fatalf("after regeneration: %q, %d origin hits", r.body, o.hits.Load())
	}
	// The page carries the data's tag.
	o.version.Store("d3")
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", false); err != nil {
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
		// Asked to cache until revalidated: still fetched again.
		_, err := Fetch(ctx, o.URL+"/fail", FetchOptions{Revalidate: Never})
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
	}, CacheOptions{KeyParts: []string{"posts"}, Revalidate: Never, Tags: []string{"posts"}})

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
	if err := h.app.revalidateTag(ctx, "posts", false); err != nil {
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

// TestUncachedDataIsReadEveryCall: the zero FetchOptions and CacheOptions
// cache nothing, as Revalidate = 0 does on a page: every call reads the data
// (identical calls in one render share one read), and a page that reads such
// data is dynamic, rendered on every request although its own window is an
// hour.
func TestUncachedDataIsReadEveryCall(t *testing.T) {
	h := newHarness(t, Options{})
	o := newOrigin(t)
	var calls atomic.Int64
	count := Cache(func(ctx context.Context) (int64, error) { return calls.Add(1), nil }, CacheOptions{})
	h.page(Route{Pattern: "/live", Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		var parts []string
		for range 2 {
			b, err := Fetch(ctx, o.URL+"/now", FetchOptions{Tags: []string{"now"}})
			if err != nil {
				return nil, err
			}
			parts = append(parts, string(b))
		}
		n, err := count(ctx)
		return templ.Raw(fmt.Sprintf("%s %d", strings.Join(parts, ","), n)), err
	}})

	for i, version := range []string{"d1", "d2", "d3"} {
		o.version.Store(version)
		r := h.get("/live")
		want := fmt.Sprintf("/now:%s,/now:%s %d", version, version, i+1)
		if r.body != want || r.header.Get("Cache-Control") != dynamicCacheControl {
			t.Fatalf("request %d: %q %q, want %q rendered afresh, not cached", i+1, r.body, r.header.Get("Cache-Control"), want)
		}
		if n := o.hits.Load(); n != int64(i+1) {
			t.Fatalf("request %d: origin hits = %d, want one per render", i+1, n)
		}
	}

	// Outside a page too, nothing is kept in the store.
	ctx := h.app.Context(context.Background())
	for range 2 {
		if _, err := Fetch(ctx, o.URL+"/now", FetchOptions{}); err != nil {
			t.Fatal(err)
		}
		count(ctx)
	}
	if o.hits.Load() != 5 || calls.Load() != 5 {
		t.Fatalf("origin hits %d, calls %d outside a page; want 5 and 5", o.hits.Load(), calls.Load())
	}
}

// TestNeverDataIsCachedUntilRevalidateTag: data read with Revalidate: Never
// is read once, however much time passes, until one of its tags is
// revalidated; the page that reads it is cached likewise.
func TestNeverDataIsCachedUntilRevalidateTag(t *testing.T) {
	h := newHarness(t, Options{})
	o := newOrigin(t)
	opts := FetchOptions{Revalidate: Never, Tags: []string{"posts"}}
	h.page(Route{Pattern: "/p", Revalidate: Never, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		b, err := Fetch(ctx, o.URL+"/posts", opts)
		return templ.Raw(string(b)), err
	}})
	ctx := h.app.Context(context.Background())

	if r := h.get("/p"); r.body != "/posts:d1" || r.header.Get("Cache-Control") != "s-maxage=31536000" {
		t.Fatalf("first request: %q %q", r.body, r.header.Get("Cache-Control"))
	}
	o.version.Store("d2")
	h.clock.Advance(300 * 24 * time.Hour)
	if r := h.get("/p"); r.cache() != cacheHit || r.body != "/posts:d1" {
		t.Fatalf("300 days later: %s %q, want the cached page", r.cache(), r.body)
	}
	if b, err := Fetch(ctx, o.URL+"/posts", opts); err != nil || string(b) != "/posts:d1" {
		t.Fatalf("Fetch outside the page: %q %v, want the cached d1", b, err)
	}
	if n := o.hits.Load(); n != 1 {
		t.Fatalf("origin hits = %d before RevalidateTag, want 1", n)
	}

	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(ctx, "posts", false); err != nil {
		t.Fatal(err)
	}
	if r := h.get("/p"); r.cache() != cacheStale {
		t.Fatalf("after RevalidateTag: %s, want STALE", r.cache())
	}
	h.waitBackground()
	if r := h.get("/p"); r.cache() != cacheHit || r.body != "/posts:d2" {
		t.Fatalf("after the regeneration: %s %q, want HIT d2", r.cache(), r.body)
	}
	if b, _ := Fetch(ctx, o.URL+"/posts", opts); string(b) != "/posts:d2" || o.hits.Load() != 2 {
		t.Fatalf("Fetch after RevalidateTag: %q, %d origin hits; want d2 read once more", b, o.hits.Load())
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
			setMetadata(ctx, Metadata{Title: "Hello"})
			return templ.Raw("<p>body</p>"), nil
		}})
	if r := h.get("/m"); r.body != "<title>Hello</title><title>Hello</title><p>body</p>" {
		t.Fatalf("body %q", r.body)
	}
}

// TestDevDataLivesOneProcess: in development the data of Cache is reused
// within one process (one build, under framework dev) but neither written
// to the cache directory nor found again by the next process, so that an
// edit of the function behind it shows after the rebuild.
func TestDevDataLivesOneProcess(t *testing.T) {
	h := newHarness(t, Options{Dev: true})
	var calls atomic.Int64
	getTitle := Cache(func(ctx context.Context, id int) (string, error) {
		calls.Add(1)
		return fmt.Sprintf("post %d", id), nil
	}, CacheOptions{Revalidate: Never, Tags: []string{"posts"}})

	ctx := h.app.Context(context.Background())
	for range 2 {
		if s, err := getTitle(ctx, 1); err != nil || s != "post 1" {
			t.Fatalf("getTitle = %q, %v", s, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("calls in one process = %d, want 1", n)
	}
	h.restart()
	ctx = h.app.Context(context.Background())
	getTitle(ctx, 1)
	if n := calls.Load(); n != 2 {
		t.Fatalf("calls after a restart = %d, want 2: the data outlived its process", n)
	}
	if entries, err := os.ReadDir(h.dir); err != nil || len(entries) != 0 {
		t.Errorf("dev wrote to the cache dir: %v %v", entries, err)
	}
	// Tags still work within the process.
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(ctx, "posts", false); err != nil {
		t.Fatal(err)
	}
	getTitle(ctx, 1)
	if n := calls.Load(); n != 3 {
		t.Fatalf("calls after RevalidateTag = %d, want 3", n)
	}
}

// TestMetadataURLsResolveAgainstTheSiteURL: a page's canonical and Open
// Graph URLs written as paths reach its layouts absolute, against
// Options.SiteURL, as Next.js resolves them against metadataBase; without
// a site URL they stay paths and the first relative canonical is logged.
func TestMetadataURLsResolveAgainstTheSiteURL(t *testing.T) {
	layout := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		m := MetadataFrom(ctx)
		fmt.Fprintf(w, "%s|%s|%s|", m.Canonical, m.OpenGraph.URL, m.OpenGraph.Image)
		return templ.GetChildren(ctx).Render(ctx, w)
	})
	render := func(ctx context.Context, r *Request) (templ.Component, error) {
		setMetadata(ctx, Metadata{Canonical: "/blog/1", OpenGraph: OpenGraph{URL: "/blog/1", Image: "https://cdn.example.org/a.jpg"}})
		return templ.Raw("body"), nil
	}
	for _, tc := range []struct {
		site, want string
		logged     bool
	}{
		{"https://example.com", "https://example.com/blog/1|https://example.com/blog/1|https://cdn.example.org/a.jpg|body", false},
		{"", "/blog/1|/blog/1|https://cdn.example.org/a.jpg|body", true},
	} {
		var logs bytes.Buffer
		h := newHarness(t, Options{SiteURL: tc.site, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		h.page(Route{Pattern: "/a", Revalidate: time.Hour, Layouts: []templ.Component{layout}, Render: render})
		h.page(Route{Pattern: "/b", Revalidate: time.Hour, Layouts: []templ.Component{layout}, Render: render})
		for _, p := range []string{"/a", "/b"} {
			if r := h.get(p); r.body != tc.want {
				t.Errorf("site %q, %s: body %q, want %q", tc.site, p, r.body, tc.want)
			}
		}
		if n := strings.Count(logs.String(), "canonical URL is a path"); n != map[bool]int{true: 1}[tc.logged] {
			t.Errorf("site %q: %d warnings about a relative canonical URL, want logged %v:\n%s", tc.site, n, tc.logged, logs.String())
		}
	}
}
