package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	_ "github.com/isr-go/framework/framework/badgerstore" // the cache on disk, as the app server has it
)

// TestPages serves every route through the generated router, with a real
// cache in a temp dir.
func TestPages(t *testing.T) {
	app, err := framework.New(framework.Options{CacheDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	e := echo.New()
	Register(e, app)
	srv := httptest.NewServer(e)
	defer srv.Close()

	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/", 200, "Welcome"},
		{"/blog", 200, "Post 3"},
		{"/blog/2", 200, "This is post 2."},
		{"/blog/99", 404, "Not found"},
		{"/blog/02", 200, "This is post 2."}, // 308 to /blog/2 from Load, followed
		{"/blog/2/", 200, "This is post 2."}, // 308 to /blog/2, the one URL, followed
		{"/no/such/page", 404, "Not found"},
		{"/api/hello", 200, `"message":"hello"`},
		{framework.Asset("styles.css"), 200, "font:"}, // assets/styles.css, bundled
		{framework.Asset("main.ts"), 200, "aria-current"},
		{"/favicon.svg", 200, "<svg"},
	} {
		res, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %d %.200q, want %d with %q", tc.path, res.StatusCode, body, tc.status, tc.want)
		}
	}

	// The list is cached for its ten minutes: the posts it reads are cached
	// until revalidated (data read with Revalidate 0 would make it dynamic).
	res, err := http.Get(srv.URL + "/blog")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cc := res.Header.Get("Cache-Control"); res.Header.Get(framework.HeaderCache) != framework.CacheHit || !strings.HasPrefix(cc, "s-maxage=600,") {
		t.Errorf("GET /blog again: %s, Cache-Control %q; want a HIT cached for 600 s", res.Header.Get(framework.HeaderCache), cc)
	}
}
