package framework

import (
	"context"
	"embed"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// postSource renders /blog/:id as the example blog does: a post for a known
// id, a 404 for anything else (such as "9/" or "./9", which is what the
// router hands a page for /blog/9/ and /blog/./9), and a permanent redirect
// for a zero-padded or signed number.
type postSource struct {
	version atomic.Value // string
	renders atomic.Int64
	http    atomic.Int64 // renders that saw the request
}

func newPostSource() *postSource {
	s := &postSource{}
	s.version.Store("v1")
	return s
}

func (s *postSource) render(ctx context.Context, r *Request) (templ.Component, error) {
	s.renders.Add(1)
	if r.HTTP != nil {
		s.http.Add(1)
	}
	id := r.Param("id")
	n, err := strconv.Atoi(id)
	switch {
	case err != nil || n <= 0 || n > 100:
		return nil, ErrNotFound
	case strconv.Itoa(n) != id:
		return nil, PermanentRedirect("/blog/" + strconv.Itoa(n))
	}
	return templ.Raw(fmt.Sprintf("<p>post %d %s %s</p>", n, s.version.Load(), strings.Repeat("x", 600))), nil
}

func (s *postSource) route() Route {
	return Route{Pattern: "/blog/:id", Revalidate: time.Minute, Render: s.render}
}

// TestNoSpellingReplacesAPage: GET /blog/9/ (or any other spelling of
// /blog/9) would render with the params "9/", a 404, and that 404 would
// replace the post for everyone while it was stale or expired. Every
// spelling must get a 308 to /blog/9 and leave the page alone, whatever
// state its entry is in.
func TestNoSpellingReplacesAPage(t *testing.T) {
	spellings := map[string]string{
		"/blog/9/":         "/blog/9",
		"/blog/9//":        "/blog/9",
		"/blog/./9":        "/blog/9",
		"/blog/9/.":        "/blog/9",
		"/blog//9":         "/blog/9",
		"//blog/9":         "/blog/9",
		"/blog/x/../9":     "/blog/9",
		"/blog/9/x/..":     "/blog/9",
		"/x/../blog/9":     "/blog/9",
		"/blog/%39":        "/blog/9",
		"/blog/%2E/9":      "/blog/9",
		"/blog/9/%2e":      "/blog/9",
		"/blog/9/?utm=a&b": "/blog/9?utm=a&b",
	}
	states := map[string]func(h *harness){
		"fresh": func(h *harness) {},
		"stale": func(h *harness) { h.clock.Advance(2 * time.Minute) },
		"expired": func(h *harness) {
			if err := h.app.revalidatePath(context.Background(), "/blog/9", true); err != nil {
				t.Fatal(err)
			}
		},
	}
	for spelling, location := range spellings {
		for state, setup := range states {
			t.Run(state+" "+spelling, func(t *testing.T) {
				h := newHarness(t, Options{})
				s := newPostSource()
				h.page(s.route())
				// Spellings that the router does not send to the page
				// (//blog/9) meet the app's not-found handler.
				h.e.RouteNotFound("/*", h.app.notFoundHandler(Route{}))
				if r := h.get("/blog/9"); r.status != 200 {
					t.Fatalf("/blog/9: %d", r.status)
				}
				setup(h)
				renders := s.renders.Load()
				for range 3 {
					r := h.get(spelling)
					if r.status != http.StatusPermanentRedirect || r.header.Get("Location") != location {
						t.Fatalf("%s: %d Location %q, want 308 %q", spelling, r.status, r.header.Get("Location"), location)
					}
				}
				if n := s.renders.Load(); n != renders {
					t.Fatalf("%s rendered %d times, want never", spelling, n-renders)
				}
				r := h.get("/blog/9")
				if r.status != 200 || !strings.Contains(r.body, "post 9 v1") {
					t.Fatalf("/blog/9 after %s: %d %s %.40q", spelling, r.status, r.cache(), r.body)
				}
				h.waitBackground()
				if r := h.get("/blog/9"); r.status != 200 || r.cache() != cacheHit || !strings.Contains(r.body, "post 9 v1") {
					t.Fatalf("/blog/9 then: %d %s %.40q", r.status, r.cache(), r.body)
				}
			})
		}
	}
}

//go:embed testdata/public
var testPublic embed.FS

// TestCanonicalPathsEverywhere checks that route handlers, public files and
// unknown URLs have one spelling too: through CanonicalPaths, as the app
// server serves, and through the handlers' own checks, for apps that serve
// their Echo themselves.
func TestCanonicalPathsEverywhere(t *testing.T) {
	h := newHarness(t, Options{})
	s := newPostSource()
	h.page(s.route())
	var handled atomic.Int64
	h.e.GET("/api/items/:id", h.app.routeHandler(func(c echo.Context) error {
		handled.Add(1)
		return c.String(200, "item "+c.Param("id"))
	}))
	h.e.FileFS("/styles.css", "testdata/public/styles.css", testPublic)
	h.e.RouteNotFound("/*", h.app.notFoundHandler(Route{}))
	wrapped := httptest.NewServer(canonicalPaths(h.e))
	t.Cleanup(wrapped.Close)

	tests := []struct {
		path, location string
		viaWrapperOnly bool // the router sends it to a handler that is not ours
	}{
		{"/api/items/7/", "/api/items/7", false},
		{"/api/items/%37", "/api/items/7", false},
		{"/api/./items/7", "/api/items/7", false},
		{"/styles.css/", "/styles.css", false},
		{"/%73tyles.css", "/styles.css", false},
		{"/nope/", "/nope", false},
		{"/nope//x?q=1", "/nope/x?q=1", false},
		{"/blog/9/", "/blog/9", false},
	}
	for _, srv := range []string{wrapped.URL, h.srv.URL} {
		for _, tc := range tests {
			req, _ := http.NewRequest(http.MethodGet, srv+tc.path, nil)
			res, err := h.tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != tc.location {
				t.Errorf("%s%s: %d %q, want 308 %q", srv, tc.path, res.StatusCode, res.Header.Get("Location"), tc.location)
			}
		}
	}
	if n := handled.Load(); n != 0 {
		t.Fatalf("the route handler ran %d times for spellings it should not see", n)
	}
	for path, want := range map[string]int{"/api/items/7": 200, "/styles.css": 200, "/nope": 404, "/blog/9": 200} {
		res, err := http.Get(wrapped.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
	// Bad paths are 4xx through the wrapper too.
	for path, want := range map[string]int{"/a%00b": 400, "/" + strings.Repeat("a", 3000): 414} {
		res, err := http.Get(wrapped.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%.30s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// TestRedirectFromLoadIsCached: a redirect is content, cached like the page
// (HIT on the second request), but apart from pages: never in the memory
// tier nor the store, so aliases cannot push pages out or grow the disk.
func TestRedirectFromLoadIsCached(t *testing.T) {
	h := newHarness(t, Options{})
	s := newPostSource()
	h.page(s.route())
	temporary := &source{}
	h.page(Route{Pattern: "/old", Revalidate: time.Hour, Render: func(context.Context, *Request) (templ.Component, error) {
		temporary.renders.Add(1)
		return nil, Redirect("/new?from=old")
	}})

	for _, alias := range []string{"/blog/01", "/blog/+1", "/blog/0001"} {
		for i, want := range []string{cacheMiss, cacheHit} {
			r := h.get(alias)
			if r.status != http.StatusPermanentRedirect || r.header.Get("Location") != "/blog/1" || r.cache() != want {
				t.Fatalf("%s #%d: %d %q %s, want 308 /blog/1 %s", alias, i+1, r.status, r.header.Get("Location"), r.cache(), want)
			}
			if r.body != "" {
				t.Fatalf("%s: body %q", alias, r.body)
			}
		}
	}
	if n := s.renders.Load(); n != 3 {
		t.Fatalf("renders = %d, want one per alias", n)
	}
	for i, want := range []string{cacheMiss, cacheHit} {
		r := h.get("/old")
		if r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != "/new?from=old" || r.cache() != want {
			t.Fatalf("/old #%d: %d %q %s", i+1, r.status, r.header.Get("Location"), r.cache())
		}
	}
	if n, _ := h.app.cache.hot.size(); n != 0 {
		t.Fatalf("%d redirects in the memory tier of pages, want 0", n)
	}
	for _, p := range []string{"/blog/01", "/old"} {
		if b, err := h.app.store.Get(context.Background(), h.app.cache.pageKey(p)); err != nil || b != nil {
			t.Fatalf("%s in the store: %d bytes, %v", p, len(b), err)
		}
	}
	// The page the aliases point to is an entry of its own.
	if r := h.get("/blog/1"); r.status != 200 || !strings.Contains(r.body, "post 1") {
		t.Fatalf("/blog/1: %d %.30q", r.status, r.body)
	}
}

// TestJunkURLsDoNotFlushPages floods a DynamicParams route with distinct
// URLs that render 404s and redirects; the pages in the memory tier stay,
// and the junk's own tier stays within its bound.
func TestJunkURLsDoNotFlushPages(t *testing.T) {
	const junk = 20_000
	h := newHarness(t, Options{NotFoundLimit: 1000, MemoryCacheBytes: 1 << 20})
	s := newPostSource()
	h.page(s.route())
	for i := 1; i <= 100; i++ {
		if r := h.get("/blog/" + itoa(i)); r.status != 200 {
			t.Fatalf("/blog/%d: %d", i, r.status)
		}
	}
	before, bytesBefore := h.app.cache.hot.size()
	if before != 100 {
		t.Fatalf("%d pages in the memory tier, want 100", before)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for i := range junk {
		// Half are valid-looking ids that are not posts, half aliases.
		if i%2 == 0 {
			req.URL.Path = "/blog/" + itoa(1000+i)
		} else {
			req.URL.Path = "/blog/" + fmt.Sprintf("%0*d", 3+i/100, 1+i%99)
		}
		w := httptest.NewRecorder()
		h.e.ServeHTTP(w, req)
		if w.Code != 404 && w.Code != 308 {
			t.Fatalf("%s: %d", req.URL.Path, w.Code)
		}
	}
	after, bytesAfter := h.app.cache.hot.size()
	t.Logf("memory tier: %d entries (%d bytes) before %d junk URLs, %d (%d bytes) after; side tier %d",
		before, bytesBefore, junk, after, bytesAfter, sideEntries(h.app))
	if after != before || bytesAfter != bytesBefore {
		t.Fatalf("memory tier went from %d entries to %d", before, after)
	}
	if n := sideEntries(h.app); n > 1000 {
		t.Fatalf("side tier holds %d, want at most 1000", n)
	}
	renders := s.renders.Load()
	for i := 1; i <= 100; i++ {
		if r := h.get("/blog/" + itoa(i)); r.cache() != cacheHit {
			t.Fatalf("/blog/%d: %s, want HIT", i, r.cache())
		}
	}
	if n := s.renders.Load(); n != renders {
		t.Fatalf("%d renders of pages that were cached", n-renders)
	}
}

// TestNotFoundBodiesAreShared: the 404s of a route share one body, so that a
// full side tier costs little memory.
func TestNotFoundBodiesAreShared(t *testing.T) {
	h := newHarness(t, Options{})
	s := newPostSource()
	h.page(s.route())
	h.get("/blog/500")
	h.get("/blog/501")
	a, b := h.app.cache.side.get("/blog/500"), h.app.cache.side.get("/blog/501")
	if a == nil || b == nil {
		t.Fatal("404s not cached")
	}
	if unsafe.SliceData(a.body) != unsafe.SliceData(b.body) || a.etag() != b.etag() {
		t.Fatal("two identical 404 bodies are two copies")
	}
}

// TestCachedRendersDoNotSeeTheRequest: a cached page is shared by every
// visitor, so its render must not see one visitor's request; a dynamic
// page's does.
func TestCachedRendersDoNotSeeTheRequest(t *testing.T) {
	h := newHarness(t, Options{})
	s := newPostSource()
	h.page(s.route())
	dynamic := newPostSource()
	h.e.GET("/live/:id", h.app.pageHandler(Route{Pattern: "/live/:id", Render: dynamic.render}))
	h.get("/blog/3?name=ada")
	h.clock.Advance(2 * time.Minute)
	h.get("/blog/3?name=ada") // STALE: regenerates in the background
	h.waitBackground()
	h.clock.Advance(time.Second)
	if err := h.app.revalidatePath(context.Background(), "/blog/3", true); err != nil {
		t.Fatal(err)
	}
	h.get("/blog/3?name=ada") // REVALIDATED: renders in the request
	if n, seen := s.renders.Load(), s.http.Load(); n != 3 || seen != 0 {
		t.Fatalf("cached page: %d renders, %d saw the request; want 3, 0", n, seen)
	}
	h.get("/live/3")
	if dynamic.http.Load() != 1 {
		t.Fatal("a dynamic page's render did not see its request")
	}
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{
		"/":               "/",
		"/blog":           "/blog",
		"/blog/":          "/blog",
		"//blog//7/":      "/blog/7",
		"/blog/./7":       "/blog/7",
		"/blog/../7":      "/7",
		"/../../7":        "/7",
		"/a/b/..":         "/a",
		"/a/%2E%2E/b":     "/b",
		"/a/%2e/b":        "/a/b",
		"/%E2%9C%93":      "/%E2%9C%93",
		"/%e2%9c%93":      "/%E2%9C%93",
		"/blog/%39":       "/blog/9",
		"/blog/héllo":     "/blog/h%C3%A9llo",
		"/blog/7?q":       "/blog/7%3Fq",
		"/blog/a%2Fb":     "/blog/a%2Fb",
		"/blog/a%2fb":     "/blog/a%2Fb",
		"/a(b)!*'":        "/a(b)!*'",
		"/a%28b%29":       "/a(b)",
		"/a b":            "/a%20b",
		"/a\\b":           "/a%5Cb",
		"/.well-known/":   "/.well-known",
		"/$&+,;=:@-._~":   "/$&+,;=:@-._~",
		"/%24%26%2B%40":   "/$&+@",
		"/%25":            "/%25",
		"/a/..%2F..%2Fb/": "/a/..%2F..%2Fb",
	} {
		got, status := cleanPath(in)
		if status != 0 || got != want {
			t.Errorf("cleanPath(%q) = %q, %d; want %q", in, got, status, want)
		}
	}
	for in, want := range map[string]int{
		"":                                       400,
		"blog":                                   400,
		"/a\x00b":                                400,
		"/a%00b":                                 400,
		"/a%zzb":                                 400,
		"/100%":                                  400,
		"/" + strings.Repeat("a", maxPathLength): 414,
		"/" + strings.Repeat("é", maxPathLength/2-1): 414, // escaped, it triples
	} {
		if _, status := cleanPath(in); status != want {
			t.Errorf("cleanPath(%.20q) status %d, want %d", in, status, want)
		}
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "/a/b", "//x/../y/", "/./", "/a/%2F/b", "x", "/%2e%2E/", "/a b/é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, status := cleanPath(in)
		if status != 0 {
			return
		}
		if !strings.HasPrefix(got, "/") || (len(got) > 1 && strings.HasSuffix(got, "/")) || strings.Contains(got, "//") || strings.ContainsAny(got, "\\ ?#") {
			t.Fatalf("cleanPath(%q) = %q", in, got)
		}
		if again, status := cleanPath(got); again != got || status != 0 {
			t.Fatalf("cleanPath not idempotent: %q -> %q -> %q (%d)", in, got, again, status)
		}
		// A canonical path parsed back from a request line is canonical.
		u, err := url.ParseRequestURI(got)
		if err != nil {
			t.Fatalf("cleanPath(%q) = %q, not a request URI: %v", in, got, err)
		}
		if key, ok, status := canonicalPath(u); !ok || key != got || status != 0 {
			t.Fatalf("canonicalPath(%q) = %q, %v, %d", got, key, ok, status)
		}
	})
}

// TestCanonicalPath parses request targets as net/http does and checks the
// key and whether the request must be redirected to it.
func TestCanonicalPath(t *testing.T) {
	tests := []struct {
		target    string
		key       string
		canonical bool
		status    int
	}{
		{"/", "/", true, 0},
		{"/blog/9", "/blog/9", true, 0},
		{"/blog/9?x=1", "/blog/9", true, 0},
		{"/blog/9/", "/blog/9", false, 0},
		{"/blog/./9", "/blog/9", false, 0},
		{"/blog/9/.", "/blog/9", false, 0},
		{"/blog//9", "/blog/9", false, 0},
		{"//blog/9", "/blog/9", false, 0},
		{"/x/../blog/9", "/blog/9", false, 0},
		{"/blog/%39", "/blog/9", false, 0},
		{"/blog/%2E/9", "/blog/9", false, 0},
		{"/blog/a%2Fb", "/blog/a%2Fb", true, 0},
		{"/blog/a%2fb", "/blog/a%2Fb", false, 0},
		{"/caf%C3%A9", "/caf%C3%A9", true, 0},
		{"/caf%c3%a9", "/caf%C3%A9", false, 0},
		{"/café", "/caf%C3%A9", false, 0},
		{"/a(b)", "/a(b)", true, 0},
		{"/a%28b%29", "/a(b)", false, 0},
		{"/100%25", "/100%25", true, 0},
		{"/a%20b", "/a%20b", true, 0},
		{"/a%5Cb", "/a%5Cb", true, 0},
		{"/a%00b", "", false, 400},
		{"/" + strings.Repeat("a", maxPathLength), "", false, 414},
	}
	for _, tc := range tests {
		u, err := url.ParseRequestURI(tc.target)
		if err != nil {
			t.Fatalf("%q: %v", tc.target, err)
		}
		key, canonical, status := canonicalPath(u)
		if key != tc.key || canonical != tc.canonical || status != tc.status {
			t.Errorf("canonicalPath(%q) = %q, %v, %d; want %q, %v, %d", tc.target, key, canonical, status, tc.key, tc.canonical, tc.status)
		}
	}
}

func BenchmarkCanonicalPath(b *testing.B) {
	u, _ := url.ParseRequestURI("/blog/2024/hello-world")
	b.ReportAllocs()
	for b.Loop() {
		canonicalPath(u)
	}
}
