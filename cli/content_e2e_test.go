package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// markdownBlog is a page of a content collection: the blog of README's
// "Markdown and content", a dozen lines.
const markdownBlogPage = `package post

import (
	"context"
	"time"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/content"
)

type PostMeta struct {
	Title string    ` + "`yaml:\"title\"`" + `
	Date  time.Time ` + "`yaml:\"date\"`" + `
}

var Posts = content.Define[PostMeta]("posts")

func StaticParams(ctx context.Context) ([]framework.Params, error) { return Posts.Params(ctx, "slug") }

func Load(ctx context.Context, r *framework.Request) (content.Entry[PostMeta], error) {
	return Posts.Get(ctx, r.Params["slug"])
}

func Metadata(ctx context.Context, post content.Entry[PostMeta]) framework.Metadata {
	return framework.Metadata{Title: post.Data.Title}
}
`

const markdownBlogTempl = `package post

import "github.com/isr-go/framework/framework/content"

templ Page(post content.Entry[PostMeta]) {
	<article><h1>{ post.Data.Title }</h1>@templ.Raw(post.HTML)</article>
}
`

// writeFiles writes files (slash-separated paths in dir) and their
// folders.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMarkdownPagesAndContent builds and starts a new app with Markdown
// pages and a blog from a content collection, over real HTTP: the pages
// are prerendered and cached, a draft is left out, and a server started
// with --content-dir shows an edit of a post after framework revalidate
// --tag content. A post whose front matter has the wrong type then fails
// the build at its line, naming the field.
func TestMarkdownPagesAndContent(t *testing.T) {
	dir := newApp(t)
	writeFiles(t, dir, map[string]string{
		"app/about/page.md":          "---\ntitle: About us\ndescription: Who we are.\n---\n\n# About us\n\nMeet [the team](team/page.md#people).\n\n```go\nfmt.Println(\"hi\")\n```\n",
		"app/about/team/page.md":     "# Team\n\n## People\n\nAda and Grace.\n",
		"app/wip/page.md":            "---\ntitle: Soon\ndraft: true\n---\n\nNot yet.\n",
		"app/posts/slug_/page.go":    markdownBlogPage,
		"app/posts/slug_/page.templ": markdownBlogTempl,
		"content/posts/hello.md":     "---\ntitle: Hello\ndate: 2026-12-01\n---\n\nThe first post.\n",
		"content/posts/second.md":    "---\ntitle: Second\ndate: 2026-12-02\n---\n\n## Part one\n\nBack to [the first](hello.md).\n",
	})
	out, err := framework(t, dir, "build")
	if err != nil {
		t.Fatalf("framework build: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`○ /about\s`).MatchString(out) || !regexp.MustCompile(`○ /posts/:slug\s+static\s+2\s`).MatchString(out) || strings.Contains(out, "/wip") {
		t.Errorf("route table: want /about, /posts/:slug with 2 posts and no /wip:\n%s", out)
	}

	addr := freeAddr(t)
	base := "http://" + addr
	background(t, dir, []string{"FRAMEWORK_REVALIDATE_SECRET=test-secret-0123456789abcdef0123456789abcdef"}, "start", "--addr", addr, "--content-dir", "content")
	poll(t, "server up", base+"/about", 30*time.Second, func(p page) bool { return p.status == 200 })

	about := get(t, base+"/about")
	for _, want := range []string{
		"<title>About us · My app</title>",
		`<h1 id="about-us">About us <a href="#about-us" class="anchor">#</a></h1>`,
		`<a href="/about/team#people">the team</a>`,
		`<span class="nx">fmt</span>`,
		`<link rel="stylesheet" href="/_framework/markdown.css">`,
	} {
		if !strings.Contains(about.body, want) {
			t.Errorf("/about lacks %q:\n%s", want, about.body)
		}
	}
	if about.cache != "HIT" {
		t.Errorf("/about: %s, want a prerendered HIT", about.cache)
	}
	if p := get(t, base+"/about/team"); p.status != 200 || !strings.Contains(p.body, `<h2 id="people">`) || p.cache != "HIT" {
		t.Errorf("/about/team: %d %s\n%s", p.status, p.cache, p.body)
	}
	if p := get(t, base+"/wip"); p.status != 404 {
		t.Errorf("/wip (a draft): %d, want 404", p.status)
	}
	if p := get(t, base+"/_framework/markdown.css"); p.status != 200 || !strings.Contains(p.body, "prefers-color-scheme: dark") {
		t.Errorf("stylesheet: %d %.200q", p.status, p.body)
	}
	second := get(t, base+"/posts/second")
	if second.status != 200 || second.cache != "HIT" || !strings.Contains(second.body, "<title>Second · My app</title>") ||
		!strings.Contains(second.body, `<h2 id="part-one">`) || !strings.Contains(second.body, `<a href="hello">the first</a>`) {
		t.Errorf("/posts/second: %d %s\n%s", second.status, second.cache, second.body)
	}
	if p := get(t, base+"/posts/nope"); p.status != 404 {
		t.Errorf("/posts/nope: %d, want 404", p.status)
	}

	// An edit on disk shows once the content tag is revalidated.
	writeFiles(t, dir, map[string]string{"content/posts/hello.md": "---\ntitle: Hello again\ndate: 2026-12-01\n---\n\nThe first post, edited.\n"})
	if p := get(t, base+"/posts/hello"); p.cache != "HIT" || strings.Contains(p.body, "edited") {
		t.Fatalf("/posts/hello before revalidation: %s\n%s", p.cache, p.body)
	}
	if out, err := framework(t, dir, "revalidate", "--url", base, "--secret", "test-secret-0123456789abcdef0123456789abcdef", "--tag", "content"); err != nil {
		t.Fatalf("revalidate: %v\n%s", err, out)
	}
	poll(t, "edited post", base+"/posts/hello", 10*time.Second, func(p page) bool {
		return strings.Contains(p.body, "The first post, edited.") && strings.Contains(p.body, "<h1>Hello again</h1>")
	})

	// A wrong type fails the build at the value, naming the field.
	writeFiles(t, dir, map[string]string{"content/posts/bad.md": "---\ntitle: Bad\ndate: someday\n---\n"})
	out, err = framework(t, dir, "build")
	if want := `content/posts/bad.md:3:7: front matter: date (PostMeta.Date, a time.Time): cannot be "someday"`; err == nil || !strings.Contains(out, want) {
		t.Errorf("build with a bad post: %v, want an error %q:\n%s", err, want, out)
	}
}
