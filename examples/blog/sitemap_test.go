package main_test

import (
	"encoding/xml"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

type sitemapURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

// sitemapLocs parses a sitemap and returns its URLs, with their lastmod.
func sitemapLocs(t *testing.T, body string) map[string]string {
	t.Helper()
	var set sitemapURLSet
	if err := xml.Unmarshal([]byte(body), &set); err != nil {
		t.Fatalf("sitemap is not a urlset: %v\n%.500s", err, body)
	}
	locs := make(map[string]string, len(set.URLs))
	for _, u := range set.URLs {
		locs[u.Loc] = u.LastMod
	}
	return locs
}

// TestBlogSitemap serves the built blog's sitemap and robots.txt over HTTP:
// every post is listed with the site URL, whatever Host a request names;
// a post the admin writes shows in it at once; robots.txt keeps crawlers
// out of the admin and points at the sitemap. Without a site URL both are
// made per request and not cached.
func TestBlogSitemap(t *testing.T) {
	b := buildBlog(t)
	env := b.env
	b.env = append(env, "FRAMEWORK_SITE_URL=https://blog.example")
	b.start()

	r := b.get("/sitemap.xml")
	if r.status != 200 || r.header.Get("Content-Type") != "application/xml; charset=utf-8" || r.header.Get("X-Framework-Cache") != "MISS" {
		t.Fatalf("/sitemap.xml: %d %q %s", r.status, r.header.Get("Content-Type"), r.header.Get("X-Framework-Cache"))
	}
	locs := sitemapLocs(t, r.body)
	if len(locs) != 102 {
		t.Errorf("%d URLs, want the home page, /blog and 100 posts", len(locs))
	}
	for _, loc := range []string{"https://blog.example/", "https://blog.example/blog", "https://blog.example/blog/1", "https://blog.example/blog/100"} {
		if _, ok := locs[loc]; !ok {
			t.Errorf("sitemap lacks %s", loc)
		}
	}
	if mod := locs["https://blog.example/blog/42"]; !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(mod) {
		t.Errorf("/blog/42's lastmod %q", mod)
	}
	// Cached for everyone, whatever Host the request names.
	r = b.get("/sitemap.xml", "Accept-Encoding", "gzip")
	if r.header.Get("X-Framework-Cache") != "HIT" || r.header.Get("Cache-Control") != "s-maxage=31536000" {
		t.Errorf("again: %s %q", r.header.Get("X-Framework-Cache"), r.header.Get("Cache-Control"))
	}
	req, _ := http.NewRequest(http.MethodGet, b.base+"/sitemap.xml", nil)
	req.Host = "evil.example"
	if r := b.do(nil, req); strings.Contains(r.body, "evil.example") {
		t.Errorf("the Host header made it into the sitemap")
	}

	r = b.get("/robots.txt")
	want := "User-Agent: *\nAllow: /\nDisallow: /admin\n\nSitemap: https://blog.example/sitemap.xml\n"
	if r.status != 200 || r.body != want || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("/robots.txt: %d %q\n%s", r.status, r.header.Get("Content-Type"), r.body)
	}
	for _, p := range []string{"/sitemap-0.xml", "/sitemap-99999.xml"} {
		if r := b.get(p); r.status != 404 {
			t.Errorf("%s: %d, want 404", p, r.status)
		}
	}

	// A new post revalidates the "posts" tag: the next request gets the
	// stale sitemap and regenerates it; the one after lists the post.
	location := writePost(t, b, "Sitemapped", "In the sitemap.")
	newURL := "https://blog.example" + location
	if r := b.get("/sitemap.xml"); r.header.Get("X-Framework-Cache") != "STALE" {
		t.Errorf("after a post: %s, want STALE", r.header.Get("X-Framework-Cache"))
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		if _, ok := sitemapLocs(t, b.get("/sitemap.xml").body)[newURL]; ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sitemap never listed %s", newURL)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Without a site URL: made per request from the request's host.
	b.stop()
	b.env = env
	b.start()
	req, _ = http.NewRequest(http.MethodGet, b.base+"/sitemap.xml", nil)
	req.Host = "other.example"
	r = b.do(nil, req)
	if _, ok := sitemapLocs(t, r.body)["http://other.example/blog/1"]; !ok || r.header.Get("Cache-Control") != "private, no-cache, no-store, max-age=0, must-revalidate" {
		t.Errorf("without a site URL: %q, want per request:\n%.300s", r.header.Get("Cache-Control"), r.body)
	}
}

// writePost writes a post through the admin, as its form does, and returns
// the post's path.
func writePost(t *testing.T, b *blog, title, body string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar, Timeout: waitTimeout, CheckRedirect: client.CheckRedirect}
	req, _ := http.NewRequest(http.MethodGet, b.base+"/admin", nil)
	req.SetBasicAuth("admin", password)
	page := b.do(admin, req)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("/admin: %d, no CSRF token", page.status)
	}
	form := url.Values{"_csrf": {m[1]}, "title": {title}, "body": {body}}
	req, _ = http.NewRequest(http.MethodPost, b.base+"/admin/posts", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("admin", password)
	r := b.do(admin, req)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/blog/") {
		t.Fatalf("POST /admin/posts: %d %q", r.status, r.header.Get("Location"))
	}
	return r.header.Get("Location")
}
