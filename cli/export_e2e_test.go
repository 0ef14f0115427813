package cli_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/isr-go/framework/internal/testnginx"
)

// TestExportServedByNginx exports a new app, with a public file in a folder
// and a relative link, serves the export with nginx and crawls it from /:
// every link answers, and every page and file is byte for byte what
// framework start serves for the same URL.
func TestExportServedByNginx(t *testing.T) {
	testnginx.Bin(t)
	dir := newApp(t)
	if err := os.MkdirAll(filepath.Join(dir, "public", "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public", "img", "dot.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`), 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "app", "page.templ")
	src, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("<h1>Welcome</h1>"), []byte(`<h1>Welcome</h1><p><img src="/img/dot.svg" alt=""/> <a href="blog/2">the second post</a></p>`), 1)
	if err := os.WriteFile(home, src, 0o644); err != nil {
		t.Fatal(err)
	}

	caches := t.TempDir()
	out, err := framework(t, dir, "export", "--cache-dir", caches, "--site-url", "https://myapp.example")
	if err != nil {
		t.Fatalf("framework export: %v\n%s", err, out)
	}
	for _, re := range []string{`◐ /blog/:id\s+ISR 1m\s+3\s`, `Not exported \(they need a server\):`, `/api/hello\s+is a route handler`, `Exported \d+ files`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("export output lacks %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "Broken links") {
		t.Errorf("export reports broken links:\n%s", out)
	}
	site := filepath.Join(dir, "out")
	if _, err := os.Stat(filepath.Join(site, "api")); err == nil {
		t.Errorf("the export holds the route handler /api/hello")
	}

	serverAddr := freeAddr(t)
	background(t, dir, nil, "start", "--addr", serverAddr, "--cache-dir", caches, "--site-url", "https://myapp.example")
	static := testnginx.Start(t, site)
	server := "http://" + serverAddr
	poll(t, "server up", server+"/", 30*time.Second, func(p page) bool { return p.status == 200 })

	seen := testnginx.Crawl(t, static, server, "/", "/sitemap.xml")
	for _, want := range []string{"/", "/blog", "/blog/1", "/blog/2", "/blog/3", "/img/dot.svg"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("the crawl did not reach %s: %v", want, seen)
		}
	}
	// The template's script, bundled from assets/ under a fingerprinted
	// name, is exported as the pages link it; its stylesheet, under the
	// inlining limit, is in the pages themselves.
	found := false
	for link := range seen {
		found = found || strings.HasPrefix(link, "/_framework/static/main.")
	}
	if !found {
		t.Errorf("the crawl did not reach /_framework/static/main.*: %v", seen)
	}
	if _, home := testnginx.Fetch(t, static+"/"); !bytes.Contains(home, []byte("<style>")) {
		t.Errorf("the exported home page has no inline stylesheet:\n%s", home)
	}

	// Precompressed: nginx sends the .gz to a client that accepts gzip.
	res, gz := testnginx.Fetch(t, static+"/blog/2", "Accept-Encoding", "gzip")
	_, plain := testnginx.Fetch(t, server+"/blog/2")
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("/blog/2 with Accept-Encoding: gzip: %s, %v", res.Header.Get("Content-Encoding"), err)
	}
	if unzipped, err := io.ReadAll(zr); err != nil || !bytes.Equal(unzipped, plain) {
		t.Errorf("/blog/2's .gz does not hold the page: %v", err)
	}
	// An unknown path: 404.html, the server's not-found page.
	res, body := testnginx.Fetch(t, static+"/no/such/page")
	sres, served := testnginx.Fetch(t, server+"/no/such/page")
	if res.StatusCode != 404 || sres.StatusCode != 404 || !bytes.Equal(body, served) {
		t.Errorf("/no/such/page: nginx %d %.100q, the server %d %.100q", res.StatusCode, body, sres.StatusCode, served)
	}
}

// TestExportStrictAndBrokenLinks: a broken link is a warning of build and
// export and an error with --strict-links; a dynamic page is left out of
// an export, and a link to it is one to a page that needs a server, in the
// export's report only: a warning, an error with --strict-links; --strict
// fails on the page.
func TestExportStrictAndBrokenLinks(t *testing.T) {
	dir := newApp(t)
	admin := filepath.Join(dir, "app", "admin")
	if err := os.MkdirAll(admin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"page.templ": "package admin\n\ntempl Page() {\n\t<h1>Admin</h1>\n}\n",
		"page.go":    "// Package admin is rendered per request.\npackage admin\n\n// Revalidate 0: a dynamic page.\nconst Revalidate = 0\n",
	} {
		if err := os.WriteFile(filepath.Join(admin, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	home := filepath.Join(dir, "app", "page.templ")
	src, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("<h1>Welcome</h1>"), []byte(`<h1>Welcome</h1><p><a href="/blgo/3?x=1#top">typo</a> <a href="/admin">admin</a> <a href="/blog/99">later</a></p>`), 1)
	if err := os.WriteFile(home, src, 0o644); err != nil {
		t.Fatal(err)
	}

	caches := t.TempDir()
	out, err := framework(t, dir, "build", "--cache-dir", caches)
	if err != nil || !strings.Contains(out, "  / links to /blgo/3: no such page\n") || !strings.Contains(out, "warning: --strict-links makes them an error") || strings.Contains(out, "/admin:") || strings.Contains(out, "/blog/99:") {
		t.Errorf("build: %v, want a warning of /blgo/3 alone:\n%s", err, out)
	}
	out, err = framework(t, dir, "build", "--cache-dir", caches, "--strict-links")
	if code := exitCode(t, err); code != 1 || !strings.Contains(out, "  / links to /blgo/3: no such page\n") || !strings.Contains(out, "framework build: 1 broken links (--strict-links)") {
		t.Errorf("build --strict-links: exit %d, want 1 naming the link:\n%s", code, out)
	}

	out, err = framework(t, dir, "export", "--cache-dir", caches)
	for _, re := range []string{`(?m)^  /admin\s+is rendered per request \(Revalidate 0\)$`, `(?m)^Links to pages that need a server \(\d+\):\n(  .*\n)*  / links to /admin: needs a server: /admin is rendered per request \(Revalidate 0\)$`, `(?m)^  / links to /blgo/3: no such page$`, `(?m)^  /sitemap.xml\s+needs the site's URL`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("export output lacks %s", re)
		}
	}
	if err != nil {
		t.Errorf("export: %v, want 0 (warnings only):\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "admin.html")); err == nil {
		t.Errorf("the export holds the dynamic page /admin")
	}
	out, err = framework(t, dir, "export", "--cache-dir", caches, "--strict")
	if code := exitCode(t, err); code != 1 || !regexp.MustCompile(`framework export: \d+ routes or pages need a server and were not exported \(--strict\)`).MatchString(out) {
		t.Errorf("export --strict: exit %d, want 1:\n%s", code, out)
	}
	// An export replaces its folder: never the app's.
	out, err = framework(t, dir, "export", "--cache-dir", caches, ".")
	if code := exitCode(t, err); code != 1 || !strings.Contains(out, "it holds the app") {
		t.Errorf("export to the app's folder: exit %d:\n%s", code, out)
	}
	// Without the typo, --strict-links fails the export on the links to
	// pages that need a server alone.
	src = bytes.Replace(src, []byte(`<a href="/blgo/3?x=1#top">typo</a> `), nil, 1)
	if err := os.WriteFile(home, src, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = framework(t, dir, "export", "--cache-dir", caches, "--strict-links")
	if code := exitCode(t, err); code != 1 || strings.Contains(out, "Broken links") || !strings.Contains(out, "framework export: 2 links to pages that need a server (--strict-links)") {
		t.Errorf("export --strict-links: exit %d, want 1 for /admin and /blog/99:\n%s", code, out)
	}
}

// TestBuildReportsMarkdownBrokenLinks: a page.md's relative link to a .md
// file that does not exist is a broken link of the build at its
// file:line:col, a warning, and an error with --strict-links; a link to
// the page.md of a folder with a page.templ is one to that page.
func TestBuildReportsMarkdownBrokenLinks(t *testing.T) {
	dir := newApp(t)
	about := filepath.Join(dir, "app", "about")
	if err := os.MkdirAll(about, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "---\ntitle: About\n---\n# About\n\nRead [the blog](../blog/page.md) or [the setup](../setup/page.md).\n"
	if err := os.WriteFile(filepath.Join(about, "page.md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "  app/about/page.md:6:37 links to ../setup/page.md: no such file: app/setup/page.md\n"
	caches := t.TempDir()
	out, err := framework(t, dir, "build", "--cache-dir", caches)
	if err != nil || !strings.Contains(out, want) || !strings.Contains(out, "warning: --strict-links makes them an error") || strings.Contains(out, "blog/page.md:") {
		t.Errorf("build: %v, want a warning of ../setup/page.md alone:\n%s", err, out)
	}
	out, err = framework(t, dir, "build", "--cache-dir", caches, "--strict-links")
	if code := exitCode(t, err); code != 1 || !strings.Contains(out, want) {
		t.Errorf("build --strict-links: exit %d, want 1 naming the link:\n%s", code, out)
	}
}
