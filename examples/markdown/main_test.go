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

// TestSite serves the example through its generated router and a real
// cache: the Markdown pages, the blog index and its posts, read from the
// embedded content/.
func TestSite(t *testing.T) {
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
		want   []string
	}{
		{"/", 200, []string{"<title>A site in Markdown</title>", `<a href="/about">about the site</a>`}},
		{"/about", 200, []string{"<title>About</title>", "<table>", `<a href="/">home</a>`}},
		{"/blog", 200, []string{`<li><a href="/blog/markdown-pages">Markdown pages</a> <time>2 December 2026</time></li><li><a href="/blog/hello-world">`}},
		{"/blog/hello-world", 200, []string{"<title>Hello, world</title>", `<a href="#the-first-post">The first post</a>`, `<a href="markdown-pages">code</a>`}},
		{"/blog/markdown-pages", 200, []string{`<pre class="chroma">`, `<h2 id="highlighted">`}},
		{"/blog/nope", 404, nil},
	} {
		res, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.path, res.StatusCode, tc.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("GET %s lacks %q:\n%s", tc.path, w, body)
			}
		}
	}
}
