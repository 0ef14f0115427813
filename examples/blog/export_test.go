package main_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/isr-go/framework/internal/testnginx"
)

// TestExportServedByNginx exports the blog's public part with the real
// framework command and --strict-links: no page it exports links to a
// page that needs a server (the admin, /hello's greeting) or to nothing.
// Then it serves the export with nginx and crawls it from /: every link
// answers, with the bytes framework start serves for the same URL. The
// blog is seeded with 5 posts, to keep the export short; its posts' cover
// (framework.Image) links the public file, as a static host needs.
func TestExportServedByNginx(t *testing.T) {
	testnginx.Bin(t)
	b := newBlog(t, "BLOG_SEED_POSTS=5", "FRAMEWORK_UNOPTIMIZED_IMAGES=1", "FRAMEWORK_SITE_URL=https://blog.example")
	out := filepath.Join(t.TempDir(), "out")
	report := b.framework("export", "--strict-links", out)
	for _, re := range []string{`(?m)^○ /\s+static\s+1\s`, `◐ /blog/:id\s+ISR 1m\s+5\s`, `(?m)^  /admin\s+is rendered per request`, `(?m)^  /hello\s+has PerRequest holes`} {
		if !regexp.MustCompile(re).MatchString(report) {
			t.Errorf("export output lacks %s:\n%s", re, report)
		}
	}
	if strings.Contains(report, "Broken links") || strings.Contains(report, "need a server (") {
		t.Errorf("the export reports links:\n%s", report)
	}

	b.start()
	seen := testnginx.Crawl(t, testnginx.Start(t, out), b.base, "/", "/sitemap.xml", "/robots.txt")
	for _, want := range []string{"/", "/blog", "/blog/1", "/blog/5", "/favicon.ico", "/covers/lake.jpg"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("the crawl did not reach %s: %v", want, seen)
		}
	}
	for _, server := range []string{"/admin", "/hello"} {
		if page, ok := seen[server]; ok {
			t.Errorf("%s links to %s, which needs a server", page, server)
		}
	}
}
