package framework

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// greeting is a hole's content: it greets the visitor by the name cookie.
var greeting = templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
	name := Cookie(ctx, "name")
	if name == "" {
		name = "stranger"
	}
	_, err := io.WriteString(w, "Hello, "+templ.EscapeString(name))
	return err
})

// holePage is a page whose shell shows its source's version around one
// hole, and which records whether its render could see the request.
type holePage struct {
	s          *source
	hole       templ.Component
	sawRequest atomic.Bool
}

func (p *holePage) render(ctx context.Context, r *Request) (templ.Component, error) {
	if _, err := p.s.render(ctx, r); err != nil {
		return nil, err
	}
	p.s.mu.Lock()
	version := p.s.version
	p.s.mu.Unlock()
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if HTTPRequest(ctx) != nil {
			p.sawRequest.Store(true)
		}
		io.WriteString(w, "<main>shell "+version+" ")
		if err := p.hole.Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "<footer>end</footer></main>")
		return err
	}), nil
}

func TestHolesInCachedPage(t *testing.T) {
	h := newHarness(t, Options{})
	p := &holePage{s: newSource("v1"), hole: PerRequest(greeting)}
	rt := Route{Pattern: "/", Revalidate: time.Minute, Render: p.render}
	h.page(rt)
	h.e.HEAD("/", h.app.pageHandler(rt))

	r := h.get("/", "Cookie", "name=Ada")
	if r.status != 200 || r.cache() != cacheMiss || r.body != "<main>shell v1 Hello, Ada<footer>end</footer></main>" {
		t.Fatalf("first request: %d %s %q", r.status, r.cache(), r.body)
	}
	// Another visitor: the shell from the cache, their own greeting.
	r = h.get("/", "Cookie", "name=Bob%20%3Cb%3E", "Accept-Encoding", "gzip", "If-None-Match", "*")
	if r.status != 200 || r.cache() != cacheHit || r.body != "<main>shell v1 Hello, Bob &lt;b&gt;<footer>end</footer></main>" {
		t.Fatalf("second visitor: %d %s %q", r.status, r.cache(), r.body)
	}
	if got := r.header.Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("Cache-Control = %q, want private, no-store", got)
	}
	for _, name := range []string{"Etag", "Content-Encoding", "Content-Length"} {
		if v := r.header.Get(name); v != "" {
			t.Errorf("%s = %q, want none", name, v)
		}
	}
	if r = h.get("/"); r.body != "<main>shell v1 Hello, stranger<footer>end</footer></main>" {
		t.Errorf("no cookie: %q", r.body)
	}
	if n := p.s.renders.Load(); n != 1 {
		t.Errorf("shell renders = %d, want 1", n)
	}
	if p.sawRequest.Load() {
		t.Error("the shared render saw a request")
	}

	// The shell keeps its window: stale, regenerated, holes still personal.
	p.s.set("v2")
	h.clock.Advance(2 * time.Minute)
	if r = h.get("/", "Cookie", "name=Cy"); r.cache() != cacheStale || r.body != "<main>shell v1 Hello, Cy<footer>end</footer></main>" {
		t.Fatalf("stale: %s %q", r.cache(), r.body)
	}
	h.waitBackground()
	if r = h.get("/", "Cookie", "name=Cy"); r.cache() != cacheHit || r.body != "<main>shell v2 Hello, Cy<footer>end</footer></main>" {
		t.Fatalf("regenerated: %s %q", r.cache(), r.body)
	}
	if r = h.do(http.MethodHead, "/", nil); r.status != 200 || r.body != "" {
		t.Errorf("HEAD: %d %q", r.status, r.body)
	}
}

func TestHolesSurviveTheStore(t *testing.T) {
	h := newHarness(t, Options{})
	p := &holePage{s: newSource("v1"), hole: PerRequest(greeting)}
	rt := Route{Pattern: "/", Revalidate: Never, Render: p.render}
	if _, err := prerenderPage(h.app, context.Background(), rt, nil); err != nil {
		t.Fatal(err)
	}
	h.restart()
	h.page(rt)
	// The shell comes from Badger; the holes' components from one render
	// of the page in this process, shared by the requests waiting on it.
	p.s.set("v2")
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = h.get("/", "Cookie", "name=V"+itoa(i)).body
		}()
	}
	waitGroup(t, "requests", &wg)
	for i, body := range bodies {
		if want := "<main>shell v1 Hello, V" + itoa(i) + "<footer>end</footer></main>"; body != want {
			t.Errorf("visitor %d: %q, want %q", i, body, want)
		}
	}
	if n := p.s.renders.Load(); n != 2 {
		t.Errorf("renders = %d, want 2 (the prerender and one for the holes)", n)
	}
	if r := h.get("/", "Cookie", "name=Z"); r.cache() != cacheHit || !strings.Contains(r.body, "shell v1 Hello, Z") {
		t.Errorf("later: %s %q", r.cache(), r.body)
	}
	if n := p.s.renders.Load(); n != 2 {
		t.Errorf("renders = %d after the holes were known, want 2", n)
	}
}

func TestFailingHoleRendersItsFallback(t *testing.T) {
	fails := templ.ComponentFunc(func(context.Context, io.Writer) error { return errors.New("greeting service down") })
	panics := templ.ComponentFunc(func(context.Context, io.Writer) error { panic("greeting bug") })
	tests := []struct {
		name string
		hole Hole
		want string
	}{
		{"error", PerRequest(fails).Fallback(templ.Raw("Hello!")), "Hello!"},
		{"panic", PerRequest(panics).Fallback(templ.Raw("Hello!")), "Hello!"},
		{"no fallback", PerRequest(fails), ""},
		{"failing fallback", PerRequest(fails).Fallback(panics), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reported atomic.Int64
			h := newHarness(t, Options{OnError: func(_ context.Context, err *RenderError) {
				if err.Path == "/" && strings.Contains(err.Error(), "dynamic hole") {
					reported.Add(1)
				}
			}})
			p := &holePage{s: newSource("v1"), hole: tc.hole}
			h.page(Route{Pattern: "/", Revalidate: time.Minute, Render: p.render})
			for _, want := range []string{cacheMiss, cacheHit} {
				r := h.get("/")
				if r.status != 200 || r.cache() != want || r.body != "<main>shell v1 "+tc.want+"<footer>end</footer></main>" {
					t.Fatalf("%d %s %q", r.status, r.cache(), r.body)
				}
			}
			want := int64(2)
			if tc.name == "failing fallback" {
				want = 4 // the content's and the fallback's
			}
			if n := reported.Load(); n != want {
				t.Errorf("reported %d hole errors, want %d", n, want)
			}
		})
	}
}

func TestShellIsSentBeforeTheHoles(t *testing.T) {
	h := newHarness(t, Options{})
	release := make(chan struct{})
	slow := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		_, err := io.WriteString(w, "late")
		return err
	})
	p := &holePage{s: newSource("v1"), hole: PerRequest(slow)}
	h.page(Route{Pattern: "/", Revalidate: time.Minute, Render: p.render})
	close(release)
	h.get("/") // cache the shell
	release = make(chan struct{})

	res, err := h.tr.RoundTrip(mustRequest(t, h.srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	head := make([]byte, len("<main>shell v1 "))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != "<main>shell v1 " {
		t.Fatalf("first part: %q %v", head, err)
	}
	close(release) // only now can the hole end
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "late<footer>end</footer></main>" {
		t.Fatalf("rest: %q %v", rest, err)
	}
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestHoleMarkersCannotBeForged(t *testing.T) {
	h := newHarness(t, Options{})
	forged := holeMarkerPrefix + "0123:0-->"
	render := func(ctx context.Context, r *Request) (templ.Component, error) {
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, "a "+forged+" b ")
			PerRequest(greeting).Render(ctx, w)
			_, err := io.WriteString(w, " c "+holeMarkerPrefix+"x")
			return err
		}), nil
	}
	h.page(Route{Pattern: "/", Revalidate: time.Minute, Render: render})
	for range 2 {
		if r := h.get("/", "Cookie", "name=Ada"); r.body != "a "+forged+" b Hello, Ada c "+holeMarkerPrefix+"x" {
			t.Fatalf("%s %q", r.cache(), r.body)
		}
	}
}

func TestHolesRenderInPlaceWhenTheRenderHasTheRequest(t *testing.T) {
	h := newHarness(t, Options{})
	p := &holePage{s: newSource("v1"), hole: PerRequest(greeting)}
	h.page(Route{Pattern: "/dynamic", Revalidate: 0, Render: p.render})
	r := h.get("/dynamic", "Cookie", "name=Ada")
	if r.status != 200 || r.body != "<main>shell v1 Hello, Ada<footer>end</footer></main>" || r.cache() != "" {
		t.Fatalf("%d %s %q", r.status, r.cache(), r.body)
	}
	if !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
		t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
	}
	if !p.sawRequest.Load() {
		t.Error("a dynamic page's render did not see its request")
	}
}

func TestHolesInLayoutsAndNotFoundPages(t *testing.T) {
	h := newHarness(t, Options{})
	layout := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		io.WriteString(w, "<nav>")
		PerRequest(greeting).Render(ctx, w)
		io.WriteString(w, "</nav>")
		return templ.GetChildren(ctx).Render(ctx, w)
	})
	s := newSource("v1")
	s.missing = map[string]bool{"/blog/2": true}
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Minute, Render: s.render, Layouts: []templ.Component{layout}, NotFound: templ.Raw("gone")})
	for _, want := range []string{cacheMiss, cacheHit} {
		r := h.get("/blog/1", "Cookie", "name=Ada")
		if r.status != 200 || r.cache() != want || !strings.HasPrefix(r.body, "<nav>Hello, Ada</nav><p>/blog/1 v1") {
			t.Fatalf("page: %d %s %q", r.status, r.cache(), r.body)
		}
		r = h.get("/blog/2", "Cookie", "name=Bo")
		if r.status != 404 || r.cache() != want || r.body != "<nav>Hello, Bo</nav>gone" {
			t.Fatalf("404: %d %s %q", r.status, r.cache(), r.body)
		}
	}
}

func TestDataInHoles(t *testing.T) {
	h := newHarness(t, Options{})
	var calls atomic.Int64
	count := Cache(func(ctx context.Context) (int64, error) { return calls.Add(1), nil }, CacheOptions{Revalidate: time.Hour, Tags: []string{"n"}})
	hole := PerRequest(templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		n, err := count(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "n=%d", n)
		return err
	}))
	p := &holePage{s: newSource("v1"), hole: hole}
	h.page(Route{Pattern: "/", Revalidate: time.Minute, Render: p.render})
	for range 3 {
		if r := h.get("/"); r.body != "<main>shell v1 n=1<footer>end</footer></main>" {
			t.Fatalf("%q", r.body)
		}
	}
}

func TestEntryWithHolesRoundTrips(t *testing.T) {
	e := newPageEntry(200, htmlContentType, "", []byte("<p>a</p><p>b</p>"), []int{3, 3, 16}, time.Unix(1, 0), time.Minute, time.Hour, nil)
	e.preparePage("/", false)
	if e.gzipBody != nil {
		t.Error("a page with holes was compressed")
	}
	d, err := decodeEntry(e.encode())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(d.holeAt) != "[3 3 16]" || string(d.body) != string(e.body) || d.holeNames != nil {
		t.Fatalf("decoded %v %q %q", d.holeAt, d.body, d.holeNames)
	}
	e.holeNames = []string{"", "greeting", ""}
	if d, err = decodeEntry(e.encode()); err != nil || fmt.Sprintf("%q", d.holeNames) != `["" "greeting" ""]` {
		t.Fatalf("decoded names %q, %v", d.holeNames, err)
	}
	for _, bad := range [][]int{{17}, {5, 4}} {
		b := newPageEntry(200, htmlContentType, "", []byte("<p>a</p><p>b</p>"), bad, time.Unix(1, 0), time.Minute, time.Hour, nil).encode()
		if _, err := decodeEntry(b); err == nil {
			t.Errorf("holes at %v decoded", bad)
		}
	}
}

// BenchmarkHitMemoryHole serves a cached 6 KB page with one small hole (the
// greeting) from the memory tier, next to BenchmarkHitMemory's page without
// one.
func BenchmarkHitMemoryHole(b *testing.B) {
	app, err := New(Options{Store: openBadger(b), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	e := echo.New()
	half := len(benchBody) / 2
	render := func(context.Context, *Request) (templ.Component, error) {
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, benchBody[:half])
			PerRequest(greeting).Render(ctx, w)
			_, err := io.WriteString(w, benchBody[half:])
			return err
		}), nil
	}
	e.GET("/blog/:id", app.pageHandler(Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: render}))
	serveLoop(b, e, "", http.StatusOK)
}

func TestHolesInCachedComponentsRenderTheirFallback(t *testing.T) {
	h := newHarness(t, Options{})
	var sawRequest atomic.Bool
	box := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if HTTPRequest(ctx) != nil {
			sawRequest.Store(true)
		}
		io.WriteString(w, "[box ")
		PerRequest(greeting).Fallback(templ.Raw("anyone")).Render(ctx, w)
		_, err := io.WriteString(w, "]")
		return err
	})
	for _, window := range []time.Duration{0, time.Minute} {
		pattern := "/p" + window.String()
		render := func(ctx context.Context, r *Request) (templ.Component, error) {
			return CacheComponent("box", CacheOptions{Revalidate: time.Hour}, box), nil
		}
		h.page(Route{Pattern: pattern, Revalidate: window, Render: render})
		for _, name := range []string{"Ada", "Bob"} {
			if r := h.get(pattern, "Cookie", "name="+name); r.body != "[box anyone]" {
				t.Errorf("%s for %s: %q", pattern, name, r.body)
			}
		}
	}
	if sawRequest.Load() {
		t.Error("a Cached component saw the request")
	}
}

// registeredGreeting is a hole registered by name, as an app's package
// variable would be.
var registeredGreeting = PerRequest(greeting).Register("test-greeting")

func TestRegisteredHolesNeedNoRenderFromTheStore(t *testing.T) {
	for _, tc := range []struct {
		name    string
		holes   []Hole
		renders int64 // the prerender's, and one for the holes when needed
	}{
		{"registered", []Hole{registeredGreeting, registeredGreeting}, 1},
		{"one unregistered", []Hole{registeredGreeting, PerRequest(greeting)}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			s := newSource("v1")
			render := func(ctx context.Context, r *Request) (templ.Component, error) {
				s.render(ctx, r)
				return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
					for _, hole := range tc.holes {
						io.WriteString(w, "[")
						hole.Render(ctx, w)
						io.WriteString(w, "]")
					}
					return nil
				}), nil
			}
			rt := Route{Pattern: "/", Revalidate: Never, Render: render}
			if _, err := prerenderPage(h.app, context.Background(), rt, nil); err != nil {
				t.Fatal(err)
			}
			h.restart()
			h.page(rt)
			for _, name := range []string{"Ada", "Bob"} {
				if r := h.get("/", "Cookie", "name="+name); r.cache() != cacheHit || r.body != "[Hello, "+name+"][Hello, "+name+"]" {
					t.Fatalf("%s: %s %q", name, r.cache(), r.body)
				}
			}
			if n := s.renders.Load(); n != tc.renders {
				t.Errorf("renders = %d, want %d", n, tc.renders)
			}
		})
	}
}

func TestRegisterRefusesEmptyAndTakenNames(t *testing.T) {
	for _, name := range []string{"", "test-greeting"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			PerRequest(greeting).Register(name)
		}()
	}
}
