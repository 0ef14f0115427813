package framework

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRobotsEncode(t *testing.T) {
	for _, tc := range []struct {
		name        string
		robots      Robots
		want        string
		wantSkipped int
	}{
		{"empty", Robots{}, "", 0},
		{"every crawler", Robots{Rules: []RobotsRule{{Allow: []string{"/"}, Disallow: []string{"/admin"}}}},
			"User-Agent: *\nAllow: /\nDisallow: /admin\n", 0},
		{"groups, sitemaps and host", Robots{
			Rules: []RobotsRule{
				{UserAgents: []string{"Googlebot", "Bingbot"}, Disallow: []string{"/private/"}, CrawlDelay: 1500 * time.Millisecond},
				{Allow: []string{"/"}},
			},
			Sitemaps: []string{SitemapPath, "https://cdn.example/other.xml"},
			Host:     "example.com",
		}, "User-Agent: Googlebot\nUser-Agent: Bingbot\nDisallow: /private/\nCrawl-delay: 2\n\n" +
			"User-Agent: *\nAllow: /\n\n" +
			"Sitemap: https://example.com/sitemap.xml\nSitemap: https://cdn.example/other.xml\nHost: example.com\n", 0},
		{"sitemap only", Robots{Sitemaps: []string{"/s.xml"}}, "Sitemap: https://example.com/s.xml\n", 0},
		// A newline in a value would add a line of the app's data's choosing.
		{"values that break lines are left out", Robots{
			Rules:    []RobotsRule{{UserAgents: []string{"a\nDisallow: /"}, Disallow: []string{"/x\r\nAllow: /"}, Allow: []string{"/ok"}}},
			Sitemaps: []string{"javascript:x", "/s\n.xml"},
		}, "Allow: /ok\n\n", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, skipped := tc.robots.encode("https://example.com")
			if diff := cmp.Diff(tc.want, string(body)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(skipped) != tc.wantSkipped {
				t.Errorf("skipped %q, want %d", skipped, tc.wantSkipped)
			}
		})
	}
}

// TestRobotsOverHTTP serves robots.txt through the cache: text/plain,
// cached with its own window, stale when its data's tag is revalidated.
func TestRobotsOverHTTP(t *testing.T) {
	h := newHarness(t, Options{SiteURL: "https://example.com"})
	var disallow atomic.Value
	disallow.Store("/admin")
	read := Cache(func(ctx context.Context) (string, error) {
		return disallow.Load().(string), nil
	}, CacheOptions{Revalidate: Never, Tags: []string{"settings"}})
	h.page(robotsRoute(func(ctx context.Context) (Robots, error) {
		d, err := read(ctx)
		return Robots{Rules: []RobotsRule{{Disallow: []string{d}}}, Sitemaps: []string{SitemapPath}}, err
	}, time.Hour))
	r := h.get(RobotsPath)
	want := "User-Agent: *\nDisallow: /admin\n\nSitemap: https://example.com/sitemap.xml\n"
	if r.status != 200 || r.body != want || r.header.Get("Content-Type") != "text/plain; charset=utf-8" || r.cache() != cacheMiss {
		t.Fatalf("%d %s %q:\n%s", r.status, r.cache(), r.header.Get("Content-Type"), r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "s-maxage=3600, stale-while-revalidate=31536000" {
		t.Errorf("Cache-Control %q", cc)
	}
	if r := h.get(RobotsPath); r.cache() != cacheHit {
		t.Errorf("again: %s", r.cache())
	}
	disallow.Store("/secret")
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "settings", false); err != nil {
		t.Fatal(err)
	}
	if r := h.get(RobotsPath); r.cache() != cacheStale {
		t.Errorf("after RevalidateTag: %s", r.cache())
	}
	h.waitBackground()
	if r := h.get(RobotsPath); !strings.Contains(r.body, "Disallow: /secret") {
		t.Errorf("after regeneration:\n%s", r.body)
	}
}
