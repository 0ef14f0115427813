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
	"github.com/isr-go/framework/framework/badgerstore"
)

// TestPages serves every route through the generated router, with a real
// cache in a temp dir.
func TestPages(t *testing.T) {
	cache, err := badgerstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	app, err := framework.New(framework.Options{Store: cache, Logger: slog.New(slog.DiscardHandler)})
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
		// The list, a page at a time: the newest two, then the oldest.
		{"/blog", 200, `<a rel="next" href="/blog/page/2">`},
		{"/blog", 200, `<link rel="canonical" href="/blog">`},
		{"/blog/page/2", 200, "Post 1"},
		{"/blog/page/2", 200, `<a rel="prev" href="/blog">`},
		{"/blog/page/2", 200, `<link rel="canonical" href="/blog/page/2">`},
		{"/blog/page/1", 200, "Post 3"}, // 308 to /blog, followed
		{"/blog/page/3", 404, "Not found"},
		{"/blog/page/x", 404, "Not found"},
		{"/blog/2", 200, "This is post 2."},
		{"/blog/99", 404, "Not found"},
		{"/blog/02", 200, "This is post 2."}, // 308 to /blog/2 from Load, followed
		{"/blog/2/", 200, "This is post 2."}, // 308 to /blog/2, the one URL, followed
		{"/no/such/page", 404, "Not found"},
		{"/api/hello", 200, `"message":"hello"`},
		{framework.Asset("styles.css"), 200, "font:"}, // assets/styles.css, bundled
		{framework.Asset("main.ts"), 200, "aria-current"},
		{"/favicon.ico", 200, "\x00\x00\x01\x00"}, // an ICO, linked from the layout's <head>
		{"/", 200, `<link rel="icon" href="/favicon.ico">`},
		// The post's Metadata, in <head> by the layout.
		{"/blog/2", 200, `<link rel="canonical" href="/blog/2">`},
		{"/blog/2", 200, `<meta property="og:title" content="Post 2">`},
		{"/blog/2", 200, `<meta property="og:type" content="article">`},
		{"/blog/2", 200, `<meta property="og:url" content="/blog/2">`},
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
	if cc := res.Header.Get("Cache-Control"); res.Header.Get("X-Framework-Cache") != "HIT" || !strings.HasPrefix(cc, "s-maxage=600,") {
		t.Errorf("GET /blog again: %s, Cache-Control %q; want a HIT cached for 600 s", res.Header.Get("X-Framework-Cache"), cc)
	}
}
