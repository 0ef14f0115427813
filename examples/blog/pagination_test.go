package main_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/isr-go/framework/examples/blog/posts"
)

// postLink matches a post's link on a page of the list.
var postLink = regexp.MustCompile(`<a href="/blog/(\d+)">`)

// TestBlogPaginates: over real HTTP, the built blog (100 posts) lists its
// newest 20 at /blog and the rest at /blog/page/2 to /blog/page/5, each
// prerendered (a HIT), canonical, linked to its neighbours with rel=prev
// and rel=next, the five pages holding every post once; page 1 and other
// spellings of a page redirect to its one URL, and a page past the last is
// a 404.
func TestBlogPaginates(t *testing.T) {
	b := buildBlog(t)
	b.start()
	seen := map[string]bool{}
	for n := 1; n <= 5; n++ {
		url := posts.URL(n)
		r := b.get(url)
		if r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" {
			t.Fatalf("GET %s: %d %s; want a prerendered 200 (HIT)", url, r.status, r.header.Get("X-Framework-Cache"))
		}
		links := postLink.FindAllStringSubmatch(r.body, -1)
		if len(links) != posts.PageSize {
			t.Errorf("%s lists %d posts, want %d", url, len(links), posts.PageSize)
		}
		for _, l := range links {
			if seen[l[1]] {
				t.Errorf("post %s on %s and an earlier page", l[1], url)
			}
			seen[l[1]] = true
		}
		if !regexp.MustCompile(`<link rel="canonical" href="(https?://[^/"]+)?` + regexp.QuoteMeta(url) + `"`).MatchString(r.body) {
			t.Errorf("%s does not name itself canonical:\n%.1500s", url, r.body)
		}
		prev := fmt.Sprintf(`rel="prev" href="%s"`, posts.URL(n-1))
		if got := strings.Contains(r.body, prev); got != (n > 1) {
			t.Errorf("%s: link %s present %v, want %v", url, prev, got, n > 1)
		}
		next := fmt.Sprintf(`rel="next" href="%s"`, posts.URL(n+1))
		if got := strings.Contains(r.body, next); got != (n < 5) {
			t.Errorf("%s: link %s present %v, want %v", url, next, got, n < 5)
		}
	}
	if len(seen) != 100 {
		t.Errorf("the five pages list %d posts, want all 100", len(seen))
	}
	// The newest post is first on /blog.
	if first := postLink.FindStringSubmatch(b.get("/blog").body); first == nil || first[1] != "100" {
		t.Errorf("first post on /blog: %v, want 100 (the newest)", first)
	}
	for path, want := range map[string]string{"/blog/page/1": "/blog", "/blog/page/02": "/blog/page/2"} {
		if r := b.get(path); r.status != 308 || r.header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 308 to %s", path, r.status, r.header.Get("Location"), want)
		}
	}
	for _, path := range []string{"/blog/page/6", "/blog/page/0", "/blog/page/x", "/blog/page/99999999999999999999", "/blog/page/06"} {
		if r := b.get(path); r.status != 404 {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
}
