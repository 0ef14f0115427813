package framework

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSitemapWithoutSiteURLCachedPerHost: without a site URL, the sitemap
// is cached per origin; a flood of requests with a new Host each stays
// within the side tier's bounds and does not push out the entry of the
// host the site is served under, which renders once.
func TestSitemapWithoutSiteURLCachedPerHost(t *testing.T) {
	const limit = 40
	h := newHarness(t, Options{NotFoundLimit: limit, MemoryCacheBytes: 4 << 20})
	var lists atomic.Int64
	for _, rt := range sitemapRoutesOf(func(context.Context) ([]SitemapEntry, error) {
		lists.Add(1)
		return []SitemapEntry{{URL: "/p"}}, nil
	}, Never) {
		h.page(rt)
	}
	get := func(host string) response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+SitemapPath, nil)
		req.Host = host
		res, err := h.tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		r := response{status: res.StatusCode, header: res.Header, body: string(body)}
		if r.status != 200 || !strings.Contains(r.body, "<loc>http://"+host+"/p</loc>") {
			t.Fatalf("Host %s: %d %.200s", host, r.status, r.body)
		}
		if r.header.Get("Cache-Control") != dynamicCacheControl {
			t.Fatalf("Host %s: Cache-Control %q", host, r.header.Get("Cache-Control"))
		}
		return r
	}
	for i, want := range []string{cacheMiss, cacheHit, cacheHit} {
		if r := get("good.example"); r.cache() != want {
			t.Fatalf("good.example, request %d: %s, want %s", i, r.cache(), want)
		}
	}
	if n := lists.Load(); n != 1 {
		t.Fatalf("%d renders for one host", n)
	}
	for i := range 10 * limit {
		get(fmt.Sprintf("h%d.example", i))
		if i%2 == 0 {
			get(fmt.Sprintf("h%d.example", i)) // asked for twice: protected too
		}
	}
	if n, bytes := h.app.siteFiles.size(); n > limit || bytes > h.app.opts.MemoryCacheBytes/4 {
		t.Errorf("the per-host sitemaps hold %d entries, %d bytes; want at most %d, %d", n, bytes, limit, h.app.opts.MemoryCacheBytes/4)
	}
	if n, _ := h.app.cache.side.size(); n != 0 {
		t.Errorf("the side tier holds %d entries: the per-host sitemaps went there", n)
	}
	// The flood's hosts asked for twice are protected in turn, but the
	// host the site is served under is asked for more recently than most.
	before := lists.Load()
	for range 3 {
		if r := get("good.example"); r.cache() != cacheHit {
			t.Fatalf("good.example after the flood: %s", r.cache())
		}
		for i := range limit / 4 {
			get(fmt.Sprintf("again%d.example", i))
			get(fmt.Sprintf("again%d.example", i))
		}
	}
	if n := lists.Load() - before - limit/4; n != 0 { // each again host renders once
		t.Errorf("good.example rendered %d more times", n)
	}
	// A revalidation of the sitemap reaches the per-host entries.
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), SitemapTag, false); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Second)
	if r := get("good.example"); r.cache() != cacheMiss {
		t.Errorf("after RevalidateTag(SitemapTag): %s", r.cache())
	}
}
