package framework

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// draftHarness is a harness with /draft/on and /draft/off handlers that
// enable and disable draft mode, as an app's route.go would.
func draftHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := newHarness(t, opts)
	h.e.GET("/draft/on", h.app.routeHandler(func(c echo.Context) error {
		if err := EnableDraftMode(c); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}))
	h.e.GET("/draft/off", h.app.routeHandler(func(c echo.Context) error {
		if err := DisableDraftMode(c); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}))
	return h
}

// draftCookie enables draft mode and returns the Cookie header that carries
// it.
func (h *harness) draftCookie(header ...string) string {
	h.t.Helper()
	r := h.get("/draft/on", header...)
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == DraftCookie {
			return c.Name + "=" + c.Value
		}
	}
	h.t.Fatalf("/draft/on set no %s cookie: %v", DraftCookie, r.header)
	return ""
}

// draftRoute is a page that shows its source's version and whether it is
// rendered in draft mode, and is a 404 outside draft mode while hidden is
// set (an unpublished post).
func draftRoute(pattern string, window time.Duration, s *source, hidden *atomic.Bool) Route {
	return Route{Pattern: pattern, Revalidate: window, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		if hidden != nil && hidden.Load() && !DraftMode(ctx) {
			return nil, ErrNotFound
		}
		c, err := s.render(ctx, r)
		if err != nil {
			return nil, err
		}
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			fmt.Fprintf(w, "<i>draft=%v</i>", DraftMode(ctx))
			return c.Render(ctx, w)
		}), nil
	}}
}

func isBypass(r response) error {
	switch {
	case r.cache() != cacheBypass:
		return fmt.Errorf("X-Framework-Cache %q, want BYPASS", r.cache())
	case r.header.Get("Cache-Control") != "private, no-store":
		return fmt.Errorf("Cache-Control %q, want private, no-store", r.header.Get("Cache-Control"))
	case r.header.Get("Etag") != "":
		return fmt.Errorf("an ETag %q on a draft response", r.header.Get("Etag"))
	}
	return nil
}

// TestDraftModeBypassesTheCache: with the draft cookie, an ISR page, a
// never-cached page and a dynamic page render for the request, in draft
// mode, with BYPASS headers and no 304; nothing is stored, so the next
// normal request is the cached page as before.
func TestDraftModeBypassesTheCache(t *testing.T) {
	h := draftHarness(t, Options{})
	s := newSource("v1")
	h.page(draftRoute("/isr", time.Minute, s, nil))
	h.page(draftRoute("/never", Never, s, nil))
	h.page(draftRoute("/dynamic", 0, s, nil))
	for _, p := range []string{"/isr", "/never"} {
		if r := h.get(p); r.cache() != cacheMiss || !strings.Contains(r.body, "draft=false") {
			t.Fatalf("%s: %s %q", p, r.cache(), r.body)
		}
	}
	cookie := h.draftCookie()
	s.set("v2")
	for _, p := range []string{"/isr", "/never", "/dynamic"} {
		r := h.get(p, "Cookie", cookie)
		if r.status != 200 || !strings.Contains(r.body, "draft=true") || !strings.Contains(r.body, "v2") {
			t.Errorf("%s in draft mode: %d %q", p, r.status, r.body)
		}
		if err := isBypass(r); err != nil {
			t.Errorf("%s in draft mode: %v", p, err)
		}
		// No 304, whatever the client has.
		if r := h.get(p, "Cookie", cookie, "If-None-Match", "*"); r.status != 200 {
			t.Errorf("%s in draft mode with If-None-Match: %d", p, r.status)
		}
		// Gzip as usual.
		if r := h.get(p, "Cookie", cookie, "Accept-Encoding", "gzip"); r.header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.body, "v2") {
			t.Errorf("%s in draft mode with gzip: %q %q", p, r.header.Get("Content-Encoding"), r.body)
		}
	}
	for _, p := range []string{"/isr", "/never"} {
		if r := h.get(p); r.cache() != cacheHit || !strings.Contains(r.body, "v1") || !strings.Contains(r.body, "draft=false") {
			t.Errorf("%s after draft renders: %s %q, want the cached v1", p, r.cache(), r.body)
		}
	}
	if n := h.app.metrics.bypass.Load(); n != 9 {
		t.Errorf("framework_page_responses_total{cache=\"BYPASS\"} = %d, want 9", n)
	}
	if r := h.get("/dynamic"); r.cache() != "" || !strings.Contains(r.body, "draft=false") {
		t.Errorf("/dynamic without the cookie: %s %q", r.cache(), r.body)
	}
	// Nor does a restart find a draft in the store.
	h.restart()
	h.page(draftRoute("/isr", time.Minute, s, nil))
	if r := h.get("/isr"); r.cache() != cacheHit || !strings.Contains(r.body, "v1") {
		t.Errorf("/isr after a restart: %s %q", r.cache(), r.body)
	}
}

// TestDraftModeShowsWhatIs404: a page that is a 404 for everyone (an
// unpublished post) renders in draft mode, and stays a 404 for everyone
// else, before and after; unknown URLs get draft mode too.
func TestDraftModeShowsWhatIs404(t *testing.T) {
	h := draftHarness(t, Options{})
	s := newSource("draft post")
	var hidden atomic.Bool
	hidden.Store(true)
	h.page(draftRoute("/blog/:id", time.Minute, s, &hidden))
	h.page(Route{Pattern: "/only/:id", Revalidate: time.Minute, StaticParamsOnly: true, Render: s.render,
		StaticParams: func(context.Context) ([]Params, error) { return []Params{{"id": "1"}}, nil }})
	h.e.RouteNotFound("/*", h.app.notFoundHandler(Route{NotFound: templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, err := fmt.Fprintf(w, "no such page, draft=%v", DraftMode(ctx))
		return err
	})}))

	if r := h.get("/blog/9"); r.status != 404 || r.cache() != cacheMiss {
		t.Fatalf("hidden post: %d %s", r.status, r.cache())
	}
	cookie := h.draftCookie()
	r := h.get("/blog/9", "Cookie", cookie)
	if r.status != 200 || !strings.Contains(r.body, "draft post") || !strings.Contains(r.body, "draft=true") {
		t.Fatalf("hidden post in draft mode: %d %q", r.status, r.body)
	}
	if err := isBypass(r); err != nil {
		t.Error(err)
	}
	if r := h.get("/blog/9"); r.status != 404 || r.cache() != cacheHit {
		t.Errorf("hidden post after the preview: %d %s, want the cached 404", r.status, r.cache())
	}
	// A draft is rarely among StaticParams: draft mode renders it anyway.
	if r := h.get("/only/2"); r.status != 404 {
		t.Errorf("/only/2: %d", r.status)
	}
	if r := h.get("/only/2", "Cookie", cookie); r.status != 200 || isBypass(r) != nil {
		t.Errorf("/only/2 in draft mode: %d %v", r.status, isBypass(r))
	}
	if r := h.get("/nowhere", "Cookie", cookie); r.status != 404 || !strings.Contains(r.body, "draft=true") || isBypass(r) != nil {
		t.Errorf("unknown URL in draft mode: %d %q %v", r.status, r.body, isBypass(r))
	}
	if r := h.get("/nowhere"); r.status != 404 || !strings.Contains(r.body, "draft=false") {
		t.Errorf("unknown URL: %d %q", r.status, r.body)
	}
}

// TestDraftModeInHandlers: a route handler wrapped by App.Handler sees the
// request's draft mode, and its data reads skip the data cache.
func TestDraftModeInHandlers(t *testing.T) {
	h := draftHarness(t, Options{})
	var calls atomic.Int64
	get := Cache(func(ctx context.Context) (int64, error) { return calls.Add(1), nil }, CacheOptions{Revalidate: Never})
	h.e.GET("/api/draft", h.app.routeHandler(func(c echo.Context) error {
		n, err := get(c.Request().Context())
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, fmt.Sprintf("draft=%v call %d", DraftMode(c.Request().Context()), n))
	}))
	cookie := h.draftCookie()
	for _, tc := range []struct{ cookie, want string }{
		{"", "draft=false call 1"},
		{cookie, "draft=true call 2"},
		{cookie, "draft=true call 3"},
		{"", "draft=false call 1"},
	} {
		if r := h.get("/api/draft", "Cookie", tc.cookie); r.body != tc.want {
			t.Errorf("cookie %q: %q, want %q", tc.cookie, r.body, tc.want)
		}
	}
}

// TestDraftCookieRefused: a tampered, expired, foreign, malformed or
// cleared cookie is ignored: the request is served from the cache as if it
// had none, never a 500.
func TestDraftCookieRefused(t *testing.T) {
	h := draftHarness(t, Options{DraftSecret: "s3cret"})
	s := newSource("v1")
	h.page(draftRoute("/isr", time.Minute, s, nil))
	h.get("/isr")
	good := h.draftCookie()
	value := strings.TrimPrefix(good, DraftCookie+"=")
	exp, sig, _ := strings.Cut(value, ".")

	other := newDraftKeys("another", nil)
	foreign := other.sign(h.clock.Now().Add(time.Minute).Unix())
	flip := []byte(sig)
	flip[3] ^= 1
	tests := []struct{ name, cookie string }{
		{"tampered signature", DraftCookie + "=" + exp + "." + string(flip)},
		{"tampered expiry", DraftCookie + "=" + fmt.Sprint(h.clock.Now().Add(2*time.Hour).Unix()) + "." + sig},
		{"foreign secret", DraftCookie + "=" + foreign},
		{"far future", DraftCookie + "=" + h.app.drafts.sign(h.clock.Now().Add(24*time.Hour).Unix())},
		{"no signature", DraftCookie + "=" + exp},
		{"junk", DraftCookie + "=%%%..."},
		{"huge", DraftCookie + "=" + strings.Repeat("9", 4000) + "." + sig},
		{"empty", DraftCookie + "="},
		{"another name", "x" + good},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.get("/isr", "Cookie", tc.cookie)
			if r.status != 200 || r.cache() != cacheHit || !strings.Contains(r.body, "draft=false") {
				t.Errorf("%d %s %q, want the cached page", r.status, r.cache(), r.body)
			}
		})
	}
	if r := h.get("/isr", "Cookie", "a=b; "+good+"; c=d"); r.cache() != cacheBypass {
		t.Errorf("the good cookie among others: %s", r.cache())
	}
	// Expired: an hour later the same cookie is ignored.
	h.clock.Advance(DraftModeLifetime + time.Second)
	if r := h.get("/isr", "Cookie", good); r.cache() == cacheBypass || strings.Contains(r.body, "draft=true") {
		t.Errorf("expired cookie: %s %q", r.cache(), r.body)
	}
}

// TestDraftCookieAttributes: the cookie is HttpOnly, SameSite=Lax, Path=/,
// expires with DraftModeLifetime, and is Secure over TLS or behind a proxy
// that says so; DisableDraftMode clears it.
func TestDraftCookieAttributes(t *testing.T) {
	h := draftHarness(t, Options{})
	cookieOf := func(r response) *http.Cookie {
		for _, c := range (&http.Response{Header: r.header}).Cookies() {
			if c.Name == DraftCookie {
				return c
			}
		}
		t.Fatalf("no %s cookie in %v", DraftCookie, r.header)
		return nil
	}
	c := cookieOf(h.get("/draft/on"))
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge != int(DraftModeLifetime/time.Second) {
		t.Errorf("cookie %+v", c)
	}
	if c := cookieOf(h.get("/draft/on", "X-Forwarded-Proto", "https")); !c.Secure {
		t.Errorf("behind a TLS proxy: not Secure")
	}
	c = cookieOf(h.get("/draft/off"))
	if c.MaxAge >= 0 || c.Value != "" || !c.HttpOnly || c.Path != "/" {
		t.Errorf("cleared cookie %+v", c)
	}

	tlsSrv := httptest.NewTLSServer(h.e)
	defer tlsSrv.Close()
	res, err := tlsSrv.Client().Get(tlsSrv.URL + "/draft/on")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if c := cookieOf(response{header: res.Header}); !c.Secure {
		t.Errorf("over TLS: not Secure")
	}
}

// TestDraftModeWithoutSecret: without a secret, a random key signs the
// cookies: they work in this app, another app (another process) ignores
// them, and the log says so once.
func TestDraftModeWithoutSecret(t *testing.T) {
	var logs lockedWriter
	var buf strings.Builder
	logs.w = &buf
	h := draftHarness(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	s := newSource("v1")
	h.page(draftRoute("/isr", time.Minute, s, nil))
	h.get("/isr")
	cookie := h.draftCookie()
	h.draftCookie()
	if r := h.get("/isr", "Cookie", cookie); r.cache() != cacheBypass {
		t.Errorf("same process: %s", r.cache())
	}
	h.restart()
	h.page(draftRoute("/isr", time.Minute, s, nil))
	if r := h.get("/isr", "Cookie", cookie); r.cache() != cacheHit {
		t.Errorf("after a restart: %s, want the cookie ignored", r.cache())
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if n := strings.Count(buf.String(), "draft mode without a secret"); n != 1 {
		t.Errorf("%d log lines about the missing secret, want 1:\n%s", n, buf.String())
	}
}

// TestDraftModeBypassesTheDataCache: in draft mode Cache'd functions run
// afresh, and what they return is not stored: a normal render afterwards
// reads the value cached before.
func TestDraftModeBypassesTheDataCache(t *testing.T) {
	h := draftHarness(t, Options{})
	var calls atomic.Int64
	var version atomic.Value
	version.Store("d1")
	get := Cache(func(ctx context.Context, id int) (string, error) {
		calls.Add(1)
		return fmt.Sprintf("%v draft=%v", version.Load(), DraftMode(ctx)), nil
	}, CacheOptions{Revalidate: Never, Tags: []string{"posts"}})
	h.page(Route{Pattern: "/p/:n", Revalidate: time.Minute, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		v, err := get(ctx, 1)
		return templ.Raw(v), err
	}})
	if r := h.get("/p/1"); r.body != "d1 draft=false" {
		t.Fatalf("first render: %q", r.body)
	}
	version.Store("d2")
	cookie := h.draftCookie()
	for range 2 {
		if r := h.get("/p/2", "Cookie", cookie); r.body != "d2 draft=true" {
			t.Errorf("draft render: %q, want the function run afresh", r.body)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3 (one normal, two draft)", n)
	}
	// /p/2 was never rendered normally: it reads the data cache, which
	// still holds d1, not the draft's d2.
	if r := h.get("/p/2"); r.body != "d1 draft=false" || r.cache() != cacheMiss {
		t.Errorf("normal render after drafts: %s %q, want d1 from the data cache", r.cache(), r.body)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want still 3", n)
	}
}

// FuzzDraftCookie: no value makes draftKeys.check panic, and only values this
// app signed pass.
func FuzzDraftCookie(f *testing.F) {
	d := newDraftKeys("s3cret", nil)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good := d.sign(now.Add(time.Minute).Unix())
	for _, v := range []string{good, "", ".", "1.", ".x", "-1.AAAA", "01.AAAA", good + "x", strings.Repeat("1", 70)} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d.check(v, now) == nil && v != good {
			t.Fatalf("%q accepted", v)
		}
	})
}
