package framework

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// hashOf is the CSP source a browser computes for an inline text.
func hashOf(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func TestInlineSources(t *testing.T) {
	page := `<!doctype html><html><head><style>body{color:red}</style>` +
		`<script src="/a.js"></script><script type="application/ld+json">{"@type":"BlogPosting"}</script>` +
		`<SCRIPT>let a = "</scr" + "ipt>";</SCRIPT></head><body style="x">` +
		`<script type="speculationrules">{"prerender":[]}</script><script>a()` + "\r\n" + `</script>` +
		`<style>body{color:red}</style><p>&lt;script&gt;not one&lt;/script&gt;</p></body></html>`
	scripts, styles, _ := strings.Cut(inlineSources([]byte(page)), "\n")
	want := strings.Join([]string{hashOf(`let a = "</scr" + "ipt>";`),
		hashOf(`{"prerender":[]}`), hashOf("a()\n")}, " ")
	if scripts != want {
		t.Errorf("scripts:\n%s\nwant\n%s", scripts, want)
	}
	if styles != hashOf("body{color:red}") {
		t.Errorf("styles: %s, want one (the same style twice)", styles)
	}
	if got := inlineSources([]byte("<p>plain</p>")); got != "\n" {
		t.Errorf("a page without inline scripts: %q", got)
	}
}

func TestCSPPolicy(t *testing.T) {
	for _, tc := range []struct{ policy, sources, want string }{
		{DefaultContentSecurityPolicy, "'sha256-s'\n'sha256-t'",
			"default-src 'self'; script-src 'self' 'sha256-s'; style-src 'self' 'sha256-t'; img-src 'self' data:; " +
				"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
		{"default-src 'none'; img-src *", "'sha256-s'\n",
			"default-src 'none'; img-src *; script-src 'sha256-s'; style-src 'none'"},
		{"script-src 'self'  https://cdn.example", "\n", "script-src 'self' https://cdn.example"},
		{"img-src 'self'", "'sha256-s'\n'sha256-t'", "img-src 'self'"},
	} {
		p, err := newCSPPolicy(tc.policy)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.header(tc.sources)[0]; got != tc.want {
			t.Errorf("%q with %q:\n%s\nwant\n%s", tc.policy, tc.sources, got, tc.want)
		}
	}
	for _, bad := range []string{" ; ", "default-src 'self'\r\nX-Evil: 1", "script-src a, script-src b"} {
		if _, err := New(Options{ContentSecurityPolicy: bad}); err == nil {
			t.Errorf("New accepted the policy %q", bad)
		}
	}
	if _, err := New(Options{FrameOptions: "ALLOW-FROM x"}); err == nil {
		t.Error("New accepted FrameOptions ALLOW-FROM")
	}
}

// TestPagesShareTheirPolicy: cached pages with the same inline scripts and
// styles hold one policy value, which their cost in the memory tier leaves
// out, up to maxSharedPolicies values; past that a page holds and counts
// its own. A page rendered per request adds no shared value.
func TestPagesShareTheirPolicy(t *testing.T) {
	p, err := newCSPPolicy(DefaultContentSecurityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	page := func(script string) *entry {
		body := []byte(`<html><head><style>p{}</style><script type="application/ld+json">{"n":"` + script + `"}</script>` +
			`<script>` + script + `()</script></head><body>` + strings.Repeat("<p>text</p>", 100) + `</body></html>`)
		e := newPageEntry(200, htmlContentType, "", body, nil, time.Now(), time.Minute, 0, nil)
		e.preparePage("/p", false)
		e.setCSP(p)
		return e
	}
	a, b := page("go"), page("go")
	if &a.header.csp[0] != &b.header.csp[0] || !a.sharedCSP {
		t.Fatalf("two pages with the same script hold two policies")
	}
	if !strings.Contains(a.header.csp[0], hashOf("go()")) || strings.Contains(a.header.csp[0], hashOf(`{"n":"go"}`)) {
		t.Errorf("policy %q: want the script's hash and not the JSON-LD's", a.header.csp[0])
	}
	p.header("'sha256-x'\n") // per request: not kept
	for i := 0; p.nShared.Load() < maxSharedPolicies; i++ {
		page("f" + strconv.Itoa(i))
	}
	own := page("last")
	if own.sharedCSP {
		t.Fatal("a page past maxSharedPolicies shares its policy")
	}
	if d := own.cost() - a.cost(); d < int64(len(own.header.csp[0])) {
		t.Errorf("a page with its own policy costs %d more than one sharing it, want at least its policy's %d bytes", d, len(own.header.csp[0]))
	}
	if got := page("go"); &got.header.csp[0] != &a.header.csp[0] {
		t.Error("a page stopped sharing a value kept before the bound")
	}
}

// inlinePage renders a page with an inline script and style whose text
// holds version, so that a new render has new hashes.
func inlinePage(version *string) func(context.Context, *Request) (templ.Component, error) {
	return func(ctx context.Context, r *Request) (templ.Component, error) {
		v := *version
		return templ.Raw(`<html><head><style>p{color:#` + v + `}</style></head><body><p>` + v +
			`</p><script>console.log("` + v + `")</script><script type="speculationrules">` + speculationJSON() + `</script></body></html>`), nil
	}
}

// TestCSPCachedPageKeepsItsHashes checks that a cached page, served from
// memory, from Badger after a restart, and stale, keeps a strict policy
// allowing its own inline script and style, and no 'unsafe-inline'.
func TestCSPCachedPageKeepsItsHashes(t *testing.T) {
	h := newHarness(t, Options{ContentSecurityPolicy: DefaultContentSecurityPolicy})
	version := "111"
	rt := Route{Pattern: "/post", Revalidate: time.Minute, Render: inlinePage(&version)}
	h.page(rt)
	check := func(when, wantCache, v string) {
		t.Helper()
		r := h.get("/post")
		csp := r.header.Get("Content-Security-Policy")
		if r.cache() != wantCache || !strings.Contains(r.body, v) {
			t.Fatalf("%s: %s %q", when, r.cache(), r.body)
		}
		for _, src := range []string{"script-src 'self' " + hashOf(`console.log("`+v+`")`) + " " + hashOf(speculationJSON()),
			"style-src 'self' " + hashOf("p{color:#"+v+"}"), "frame-ancestors 'none'"} {
			if !strings.Contains(csp, src) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", when, csp, src)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", when, csp)
		}
	}
	check("miss", cacheMiss, "111")
	check("hit", cacheHit, "111")
	h.restart()
	h.page(rt)
	check("hit from Badger", cacheHit, "111")
	version = "222"
	h.clock.Advance(2 * time.Minute)
	check("stale", cacheStale, "111")
	h.waitBackground()
	check("regenerated", cacheHit, "222")
}

// TestCSPHolesAddTheirHashes checks that the inline script a hole renders
// for one request is allowed in that response's policy, beside the shell's.
func TestCSPHolesAddTheirHashes(t *testing.T) {
	h := newHarness(t, Options{ContentSecurityPolicy: DefaultContentSecurityPolicy})
	hole := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<script>hello("`+templ.EscapeString(Cookie(ctx, "name"))+`")</script>`)
		return err
	})
	rt := Route{Pattern: "/", Revalidate: time.Minute, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, `<main><style>main{margin:0}</style>`)
			if err := PerRequest(hole).Render(ctx, w); err != nil {
				return err
			}
			_, err := io.WriteString(w, `</main>`)
			return err
		}), nil
	}}
	h.page(rt)
	for _, name := range []string{"Ada", "Bob"} {
		r := h.get("/", "Cookie", "name="+name)
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(r.body, `hello("`+name+`")`) {
			t.Fatalf("%s: %q", name, r.body)
		}
		if !strings.Contains(csp, "script-src 'self' "+hashOf(`hello("`+name+`")`)+";") ||
			!strings.Contains(csp, "style-src 'self' "+hashOf("main{margin:0}")+";") {
			t.Errorf("%s: Content-Security-Policy %q", name, csp)
		}
	}
}

// TestCSPErrorPages checks that a failed render's error page and a
// route's 404 carry the policy with their own inline styles' hashes.
func TestCSPErrorPages(t *testing.T) {
	h := newHarness(t, Options{ContentSecurityPolicy: DefaultContentSecurityPolicy})
	styled := templ.Raw(`<style>h1{color:red}</style><h1>Oops</h1>`)
	h.page(Route{Pattern: "/fail", Revalidate: time.Minute, Error: styled,
		Render: func(context.Context, *Request) (templ.Component, error) { return nil, errors.New("down") }})
	h.page(Route{Pattern: "/missing", Revalidate: time.Minute, NotFound: styled,
		Render: func(context.Context, *Request) (templ.Component, error) { return nil, ErrNotFound }})
	for _, path := range []string{"/fail", "/missing"} {
		r := h.get(path)
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' "+hashOf("h1{color:red}")) {
			t.Errorf("%s (%d): Content-Security-Policy %q", path, r.status, csp)
		}
	}
}

// TestSecurityHeaders checks the headers SecurityHeaders sets on every
// response, and that a page's own policy replaces the plain one.
func TestSecurityHeaders(t *testing.T) {
	for _, tc := range []struct {
		opts  Options
		frame string
		csp   bool
	}{
		{Options{}, "DENY", false},
		{Options{FrameOptions: "sameorigin", ContentSecurityPolicy: DefaultContentSecurityPolicy}, "SAMEORIGIN", true},
		{Options{FrameOptions: "off"}, "", false},
	} {
		a, err := New(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		h := a.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "gone", http.StatusGone)
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x", nil))
		got := w.Header()
		if got.Get("X-Content-Type-Options") != "nosniff" || got.Get("Referrer-Policy") != "strict-origin-when-cross-origin" ||
			got.Get("X-Frame-Options") != tc.frame || (got.Get("Content-Security-Policy") != "") != tc.csp {
			t.Errorf("%+v: %v", tc.opts, got)
		}
		a.Close()
	}
}
