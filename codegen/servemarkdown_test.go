package codegen_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/codegen/testdata/markdown"
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/content"
	"github.com/isr-go/framework/framework/runtime"
)

// TestServeMarkdown serves the golden router of testdata/markdown over
// real HTTP through a Badger cache: page.md files in their layout, with
// their front matter as metadata, ISR like static pages, and the
// stylesheet their code blocks link.
func TestServeMarkdown(t *testing.T) {
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
	markdown.Register(e, app)
	srv := httptest.NewServer(e)
	defer srv.Close()

	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(body)
	}
	res, body := get("/")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	for _, want := range []string{
		"<title>Home</title>",
		`<meta name="description" content="A page written in Markdown.">`,
		`data-author="Ada"`, // an extra field of the front matter, read by the layout
		`<h1 id="welcome-to-the-site">Welcome to <em>the site</em> <a href="#welcome-to-the-site" class="anchor">#</a></h1>`,
		`<a href="/docs/setup_guide#install">`, // a relative .md link, made a route
		`<a href="/docs">the docs</a>`,
		`<pre class="chroma"><code><span class="line"><span class="cl"><span class="kd">func</span>`,
		`<link rel="stylesheet" href="` + runtime.MarkdownStylesheetPath + `">`,
		// The image, as framework.Image renders it: a srcset of variants.
		`<img alt="A cat" width="3" height="2" loading="lazy" decoding="async" srcset="/_framework/image?src=/cat.png&amp;w=640&amp;q=75&amp;v=074522f5 640w" src="/_framework/image?src=/cat.png&amp;w=640&amp;q=75&amp;v=074522f5" title="The cat">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %q:\n%s", want, body)
		}
	}
	if res, img := get("/_framework/image?src=/cat.png&w=640&q=75&v=074522f5"); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
		t.Errorf("the image's variant: %d %s\n%.200s", res.StatusCode, res.Header.Get("Content-Type"), img)
	}
	res, _ = get("/")
	if got := res.Header.Get("X-Framework-Cache"); got != "HIT" {
		t.Errorf("GET / again: X-Framework-Cache %q, want HIT", got)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "s-maxage") && !strings.Contains(cc, "max-age") {
		t.Errorf("GET /: Cache-Control %q", cc)
	}
	if _, body := get("/docs"); !strings.Contains(body, "<title>Docs</title>") || !strings.Contains(body, `<a href="/">home</a>`) {
		t.Errorf("GET /docs:\n%s", body)
	}
	if res, _ := get("/drafts"); res.StatusCode != 404 {
		t.Errorf("GET /drafts (draft: true): %d, want 404", res.StatusCode)
	}
	res, css := get(runtime.MarkdownStylesheetPath)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(css, ".chroma .kd") || !strings.Contains(css, "prefers-color-scheme: dark") {
		t.Errorf("GET %s: %d %s\n%.200s", runtime.MarkdownStylesheetPath, res.StatusCode, res.Header.Get("Content-Type"), css)
	}
	req, _ := http.NewRequest("GET", srv.URL+runtime.MarkdownStylesheetPath, nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("stylesheet with its ETag: %d, want 304", res.StatusCode)
	}
	if got := markdown.Routes()[1].Revalidate.String(); got != "1m0s" {
		t.Errorf("/docs (revalidate: 60): Revalidate %s", got)
	}
}

// TestEmbeddedContent reads a collection from the content/ folder that
// routes_gen.go embedded.
func TestEmbeddedContent(t *testing.T) {
	posts, err := content.Define[struct {
		Title string `yaml:"title"`
	}]("posts").All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 || posts[0].Slug != "hello" || posts[0].Data.Title != "Hello" || !strings.Contains(posts[0].HTML, `<h1 id="hello-from-a-collection">`) {
		t.Errorf("posts %+v", posts)
	}
}
