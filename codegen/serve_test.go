package codegen_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/codegen/testdata/full"
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/badgerstore"
)

// TestServe serves the golden router of testdata/full (compiled into this
// test) over real HTTP, through the runtime and a Badger cache.
func TestServe(t *testing.T) {
	cache, err := badgerstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	app, err := framework.New(framework.Options{Store: cache, Logger: slog.New(slog.DiscardHandler), SiteURL: "https://full.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	e := echo.New()
	full.Register(e, app)
	srv := httptest.NewServer(e)
	defer srv.Close()

	const apiKey = "X-Api-Key: k" // app/api/middleware.go wants it
	for _, tc := range []struct {
		method, path string
		header       string
		status       int
		want         []string
		section      string // X-Section, set by app/blog/middleware.go
	}{
		{"GET", "/", "", 200, []string{"<h1>home</h1>", "<html>"}, ""},
		{"HEAD", "/", "", 200, nil, ""},
		{"GET", "/blog", "", 200, []string{"<title>Blog</title>", `<section class="blog"><ul><li>one</li>`}, "blog"},
		{"GET", "/blog/1", "", 200, []string{"<title>Post 1</title>", `<section class="blog"><h1>post 1</h1>`}, "blog"},
		{"GET", "/blog/1", "", 200, nil, "blog"},                                                // a HIT goes through the middleware too
		{"GET", "/blog/3", "", 404, []string{"no such post", `<section class="blog">`}, "blog"}, // not in StaticParams
		{"GET", "/blog/1/extra", "", 404, []string{"no such post"}, "blog"},                     // the nearest not_found
		{"GET", "/docs/a/b/c", "", 200, []string{"<h1>doc a/b/c</h1>"}, ""},                     // catch-all
		{"GET", "/nowhere", "", 404, []string{"root not found"}, ""},
		{"GET", "/api/ping?q=hi", apiKey, 200, []string{"get hi"}, ""},
		{"POST", "/api/ping", apiKey, 201, []string{"posted"}, ""},
		{"POST", "/api/ping", "", 401, []string{"no API key"}, ""},
		{"POST", "/api/ping", apiKey + "\nSec-Fetch-Site: cross-site", 403, []string{"cross-origin request refused"}, ""},
		{"POST", "/api/ping", apiKey + "\nOrigin: https://evil.example", 403, []string{"cross-origin request refused"}, ""},
		{"POST", "/api/ping", apiKey + "\nSec-Fetch-Site: same-origin", 201, []string{"posted"}, ""},
		{"POST", "/hook", "Sec-Fetch-Site: cross-site", 200, []string{"hooked"}, ""}, // AllowCrossOrigin
		{"GET", "/hook", "", 405, nil, ""},
		// A page answers the methods it does not take 405, not with its 404.
		{"POST", "/", "", 405, nil, ""},
		{"DELETE", "/blog/1", "", 405, nil, "blog"},
		{"PUT", "/docs/a/b", "", 405, nil, ""},
		{"PATCH", "/sitemap.xml", "", 405, nil, ""},
		{"GET", "/api/nothing", "", 401, []string{"no API key"}, ""}, // unknown URLs below a middleware.go too
		{"GET", "/api/nothing", apiKey, 404, []string{"root not found"}, ""},
		{"GET", "/humans.txt", "", 200, []string{"Team: full"}, ""},
		// app/robots.go, and the automatic sitemap: the cached pages and
		// the paths of StaticParams, not the dynamic catch-all without.
		{"GET", "/robots.txt", "", 200, []string{"User-Agent: *\nDisallow: /api/\n\nSitemap: https://full.example/sitemap.xml\n"}, ""},
		{"GET", "/sitemap.xml", "", 200, []string{"<loc>https://full.example/</loc>", "<loc>https://full.example/blog</loc>",
			"<loc>https://full.example/blog/1</loc>", "<loc>https://full.example/blog/2</loc>"}, ""},
		{"GET", "/sitemap-0.xml", "", 404, nil, ""},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		for _, line := range strings.Split(tc.header, "\n") {
			if name, value, ok := strings.Cut(line, ": "); ok {
				req.Header.Set(name, value)
			}
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d\n%s", tc.method, tc.path, res.StatusCode, tc.status, body)
			continue
		}
		if res.StatusCode == http.StatusMethodNotAllowed && tc.path != "/hook" && res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q, want GET, HEAD", tc.method, tc.path, res.Header.Get("Allow"))
		}
		if got := strings.Join(res.Header.Values("X-Section"), ","); got != tc.section {
			t.Errorf("%s %s: X-Section %q, want %q", tc.method, tc.path, got, tc.section)
		}
		if got := res.Header.Get("X-App"); got != "full" { // app/middleware.go covers everything
			t.Errorf("%s %s: X-App %q, want full", tc.method, tc.path, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s %s: body lacks %q:\n%s", tc.method, tc.path, w, body)
			}
		}
	}
	// The ISR page is cached; the catch-all page (no Revalidate) too; and
	// robots.txt and the sitemap.
	for _, p := range []string{"/blog/1", "/docs/a/b/c", "/robots.txt", "/sitemap.xml"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("X-Framework-Cache") != "HIT" {
			t.Errorf("%s again: %s, want HIT", p, res.Header.Get("X-Framework-Cache"))
		}
	}
	routes := full.Routes()
	if got := routes[2].Revalidate.String() + " " + routes[2].Expire.String(); got != "1m0s 1h0m0s" || !routes[2].StaticParamsOnly {
		t.Errorf("/blog/:id route: %s, StaticParamsOnly %v", got, routes[2].StaticParamsOnly)
	}
}
