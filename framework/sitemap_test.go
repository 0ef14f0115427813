package framework

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// xmlURLSet and xmlIndex are what a test parses a sitemap back into, with
// encoding/xml: the output must be well-formed XML of the protocol's shape.
type xmlURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []xmlURL `xml:"url"`
}

type xmlURL struct {
	Loc        string `xml:"loc"`
	LastMod    string `xml:"lastmod"`
	ChangeFreq string `xml:"changefreq"`
	Priority   string `xml:"priority"`
}

type xmlIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []xmlURL `xml:"sitemap"`
}

func parseURLSet(t testing.TB, body []byte) xmlURLSet {
	t.Helper()
	var set xmlURLSet
	if err := xml.Unmarshal(body, &set); err != nil {
		t.Fatalf("not a urlset: %v\n%.500s", err, body)
	}
	return set
}

func TestEncodeSitemap(t *testing.T) {
	mod := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name    string
		entry   SitemapEntry
		want    xmlURL // zero: left out
		wantRaw string // a substring of the XML, to see the escaping
	}{
		{"path", SitemapEntry{URL: "/blog/7"}, xmlURL{Loc: "https://example.com/blog/7"}, "<loc>https://example.com/blog/7</loc>"},
		{"root", SitemapEntry{URL: "/"}, xmlURL{Loc: "https://example.com/"}, ""},
		{"absolute", SitemapEntry{URL: "http://other.example/x"}, xmlURL{Loc: "http://other.example/x"}, ""},
		{"ampersand", SitemapEntry{URL: "/search?q=a&b=<c>"}, xmlURL{Loc: "https://example.com/search?q=a&b=<c>"}, "q=a&amp;b=&lt;c&gt;"},
		{"quotes", SitemapEntry{URL: `/it's/"x"`}, xmlURL{Loc: "https://example.com/it%27s/%22x%22"}, ""},
		{"space and unicode escaped", SitemapEntry{URL: "/a b/é"}, xmlURL{Loc: "https://example.com/a%20b/%C3%A9"}, ""},
		{"all fields", SitemapEntry{URL: "/p", LastModified: mod, ChangeFrequency: ChangeWeekly, Priority: 0.8},
			xmlURL{Loc: "https://example.com/p", LastMod: "2026-03-04T04:06:07Z", ChangeFreq: "weekly", Priority: "0.8"}, ""},
		{"priority 1", SitemapEntry{URL: "/p", Priority: 1}, xmlURL{Loc: "https://example.com/p", Priority: "1"}, ""},
		// Left out: the protocol cannot carry them.
		{"relative", SitemapEntry{URL: "blog/7"}, xmlURL{}, ""},
		{"empty", SitemapEntry{URL: ""}, xmlURL{}, ""},
		{"other scheme", SitemapEntry{URL: "javascript:alert(1)"}, xmlURL{}, ""},
		{"protocol-relative", SitemapEntry{URL: "//evil.example/x"}, xmlURL{}, ""},
		{"control character", SitemapEntry{URL: "/a\nb"}, xmlURL{}, ""},
		{"too long", SitemapEntry{URL: "/" + strings.Repeat("a", 2100)}, xmlURL{}, ""},
		{"priority above 1", SitemapEntry{URL: "/p", Priority: 1.5}, xmlURL{}, ""},
		{"negative priority", SitemapEntry{URL: "/p", Priority: -0.1}, xmlURL{}, ""},
		{"NaN priority", SitemapEntry{URL: "/p", Priority: math.NaN()}, xmlURL{}, ""},
		{"unknown frequency", SitemapEntry{URL: "/p", ChangeFrequency: "fortnightly"}, xmlURL{}, ""},
		{"year 10000", SitemapEntry{URL: "/p", LastModified: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, xmlURL{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := encodeSitemap([]SitemapEntry{tc.entry}, "https://example.com", MaxSitemapURLs, MaxSitemapBytes)
			if err != nil {
				t.Fatal(err)
			}
			body := doc.urlset(0, len(doc.ends))
			set := parseURLSet(t, body)
			if tc.want == (xmlURL{}) {
				if len(set.URLs) != 0 || doc.skipped != 1 || doc.firstSkip == nil {
					t.Fatalf("kept %+v, skipped %d", set.URLs, doc.skipped)
				}
				return
			}
			if len(set.URLs) != 1 {
				t.Fatalf("%d URLs, skipped %d (%v)", len(set.URLs), doc.skipped, doc.firstSkip)
			}
			if diff := cmp.Diff(tc.want, set.URLs[0]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !strings.Contains(string(body), tc.wantRaw) {
				t.Errorf("XML lacks %q:\n%s", tc.wantRaw, body)
			}
		})
	}
}

// FuzzSitemapEntry: whatever an entry holds, the sitemap is well-formed
// XML, and a kept entry's <loc> is an absolute http(s) URL.
func FuzzSitemapEntry(f *testing.F) {
	for _, s := range []string{"/blog/7", "/a&b<c>", "http://x/y", "/é\x00", "/]]>", "https://h/p?q=\"'", "/\xff\xfe"} {
		f.Add(s, 0.5, "daily")
	}
	f.Fuzz(func(t *testing.T, u string, priority float64, freq string) {
		doc, err := encodeSitemap([]SitemapEntry{{URL: u, Priority: priority, ChangeFrequency: ChangeFrequency(freq)}}, "https://example.com", MaxSitemapURLs, MaxSitemapBytes)
		if err != nil {
			t.Fatal(err)
		}
		set := parseURLSet(t, doc.urlset(0, len(doc.ends)))
		if len(set.URLs)+doc.skipped != 1 {
			t.Fatalf("%d kept, %d skipped", len(set.URLs), doc.skipped)
		}
		for _, x := range set.URLs {
			if !strings.HasPrefix(x.Loc, "https://") && !strings.HasPrefix(x.Loc, "http://") {
				t.Fatalf("loc %q", x.Loc)
			}
		}
		// The fast path for plain paths says what url.Parse would.
		if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && plainURLPath(u) {
			parsed, err := url.Parse("https://example.com" + u)
			if err != nil || len(set.URLs) == 1 && set.URLs[0].Loc != parsed.String() {
				t.Fatalf("%q: %+v, url.Parse says %v %v", u, set.URLs, parsed, err)
			}
		}
	})
}

func TestSplitSitemap(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ends     []int
		maxURLs  int
		maxBytes int
		want     []int
	}{
		{"empty", nil, 2, 100, nil},
		{"fits", []int{10, 20}, 2, 100, nil},
		{"by count", []int{10, 20, 30, 40, 50}, 2, 100, []int{0, 2, 4}},
		{"by bytes", []int{40, 80, 120, 160}, 10, 100, []int{0, 2}},
		{"an entry larger than a part", []int{10, 500, 510}, 10, 100, []int{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := splitSitemap(tc.ends, tc.maxURLs, tc.maxBytes)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePartName(t *testing.T) {
	for name, want := range map[string]int{"0.xml": 0, "7.xml": 7, "49999.xml": 49999} {
		if n, ok := parsePartName(name); !ok || n != want {
			t.Errorf("%q: %d %v", name, n, ok)
		}
	}
	for _, name := range []string{"", ".xml", "00.xml", "01.xml", "50000.xml", "99999.xml", "123456.xml", "-1.xml", "1.XML", "1.xml.gz", "1", "a.xml", "+1.xml"} {
		if n, ok := parsePartName(name); ok {
			t.Errorf("%q: %d, want refused", name, n)
		}
	}
}

func TestParseSiteURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com":      "https://example.com",
		"https://example.com/":     "https://example.com",
		"HTTP://example.com:8080/": "http://example.com:8080",
	} {
		if got, err := parseSiteURL(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "example.com", "ftp://example.com", "https://", "https://example.com/blog", "https://u:p@example.com",
		"https://example.com?x", "https://example.com#x", "/path"} {
		if got, err := parseSiteURL(in); err == nil {
			t.Errorf("%q: %q, want an error", in, got)
		}
	}
	if _, err := New(Options{SiteURL: "example.com"}); err == nil {
		t.Error("New accepted a site URL without a scheme")
	}
}

// sitemapHarness serves the routes of a sitemap of n entries, /p/0 to
// /p/<n-1>, at most maxURLs a file, read through Cache with tag "posts" so
// that RevalidateTag("posts") makes it stale. Every thousandth entry has a
// LastModified.
type sitemapHarness struct {
	*harness
	n     atomic.Int64
	calls atomic.Int64 // of the data behind the entries
	lists atomic.Int64 // of the entries function
}

func newSitemapHarness(t *testing.T, opts Options, n, maxURLs int) *sitemapHarness {
	h := &sitemapHarness{harness: newHarness(t, opts)}
	h.n.Store(int64(n))
	list := Cache(func(ctx context.Context) ([]int, error) {
		h.calls.Add(1)
		ids := make([]int, h.n.Load())
		for i := range ids {
			ids[i] = i
		}
		return ids, nil
	}, CacheOptions{Revalidate: Never, Tags: []string{"posts"}})
	source := &sitemapSource{maxURLs: maxURLs, maxBytes: MaxSitemapBytes, entries: func(ctx context.Context) ([]SitemapEntry, error) {
		h.lists.Add(1)
		ids, err := list(ctx)
		entries := make([]SitemapEntry, len(ids))
		for i, id := range ids {
			entries[i] = SitemapEntry{URL: "/p/" + itoa(id)}
			if id%1000 == 999 {
				entries[i].LastModified = time.Unix(int64(id), 0)
			}
		}
		return entries, err
	}}
	for _, rt := range sitemapRoutes(source, Never) {
		h.page(rt)
	}
	return h
}

// TestSitemapSplitsAt50000URLs serves a sitemap of 120,000 URLs: an index
// of three parts, each cached and within the protocol's limits, listing
// every URL once, in order.
func TestSitemapSplitsAt50000URLs(t *testing.T) {
	h := newSitemapHarness(t, Options{SiteURL: "https://example.com"}, 120_000, MaxSitemapURLs)

	r := h.get(SitemapPath)
	if r.status != 200 || r.cache() != cacheMiss || r.header.Get("Content-Type") != xmlContentType {
		t.Fatalf("/sitemap.xml: %d %s %q", r.status, r.cache(), r.header.Get("Content-Type"))
	}
	if cc := r.header.Get("Cache-Control"); cc != "s-maxage=31536000" {
		t.Errorf("Cache-Control %q", cc)
	}
	var index xmlIndex
	if err := xml.Unmarshal([]byte(r.body), &index); err != nil {
		t.Fatalf("not an index: %v\n%.300s", err, r.body)
	}
	want := []xmlURL{
		{Loc: "https://example.com/sitemap-0.xml", LastMod: time.Unix(49_999, 0).UTC().Format(time.RFC3339)},
		{Loc: "https://example.com/sitemap-1.xml", LastMod: time.Unix(99_999, 0).UTC().Format(time.RFC3339)},
		{Loc: "https://example.com/sitemap-2.xml", LastMod: time.Unix(119_999, 0).UTC().Format(time.RFC3339)},
	}
	if diff := cmp.Diff(want, index.Sitemaps); diff != "" {
		t.Fatalf("index (-want +got):\n%s", diff)
	}
	next := 0 // every URL once, in order, across the parts
	for i, size := range []int{50_000, 50_000, 20_000} {
		path := fmt.Sprintf("/sitemap-%d.xml", i)
		r := h.get(path)
		if r.status != 200 || r.cache() != cacheMiss || len(r.body) > MaxSitemapBytes {
			t.Fatalf("%s: %d %s, %d bytes", path, r.status, r.cache(), len(r.body))
		}
		set := parseURLSet(t, []byte(r.body))
		if len(set.URLs) != size {
			t.Fatalf("%s: %d URLs, want %d", path, len(set.URLs), size)
		}
		for _, u := range set.URLs {
			if u.Loc != "https://example.com/p/"+itoa(next) {
				t.Fatalf("%s: %q, want /p/%d", path, u.Loc, next)
			}
			next++
		}
		if r := h.get(path, "Accept-Encoding", "gzip"); r.cache() != cacheHit || r.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s again: %s, Content-Encoding %q", path, r.cache(), r.header.Get("Content-Encoding"))
		}
		if r2 := h.get(path, "If-None-Match", r.header.Get("Etag")); r2.status != 304 {
			t.Errorf("%s If-None-Match: %d", path, r2.status)
		}
	}
	if calls := h.calls.Load(); calls != 1 {
		t.Errorf("the data was read %d times, want once (through Cache)", calls)
	}
	if r := h.get("/sitemap-3.xml"); r.status != 404 {
		t.Errorf("/sitemap-3.xml: %d, want 404", r.status)
	}
}

// TestSitemapPartsRevalidate: the parts of a split sitemap (here 10 URLs a
// file) are stale with the index when their data's tag is revalidated;
// parts past the last, and other spellings, are 404s that do not read the
// data; a part the data grows into is served once the 404's window passes.
func TestSitemapPartsRevalidate(t *testing.T) {
	h := newSitemapHarness(t, Options{SiteURL: "https://example.com"}, 25, 10)
	var index xmlIndex
	if err := xml.Unmarshal([]byte(h.get(SitemapPath).body), &index); err != nil || len(index.Sitemaps) != 3 {
		t.Fatalf("index: %d parts, %v", len(index.Sitemaps), err)
	}
	for i, size := range []int{10, 10, 5} {
		if set := parseURLSet(t, []byte(h.get(sitemapPartPath(i)).body)); len(set.URLs) != size {
			t.Fatalf("part %d: %d URLs", i, len(set.URLs))
		}
	}
	lists := h.lists.Load()
	for _, path := range []string{"/sitemap-3.xml", "/sitemap-49999.xml", "/sitemap-99999.xml", "/sitemap-01.xml", "/sitemap-x.xml", "/sitemap-1.xml.gz", "/sitemap-.xml"} {
		// Without a not-found page, in plain text, not labelled HTML.
		if r := h.get(path); r.status != 404 || r.header.Get("Content-Type") != textContentType {
			t.Errorf("%s: %d %q, want 404 %q", path, r.status, r.header.Get("Content-Type"), textContentType)
		}
	}
	if h.lists.Load() != lists {
		t.Errorf("404s for parts past the last called Sitemap")
	}

	// New data: revalidating its tag makes the index and its parts stale.
	h.n.Store(31)
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", false); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{SitemapPath, "/sitemap-2.xml"} {
		if r := h.get(path); r.cache() != cacheStale {
			t.Errorf("%s after RevalidateTag: %s, want STALE", path, r.cache())
		}
	}
	h.waitBackground()
	var grown xmlIndex
	if err := xml.Unmarshal([]byte(h.get(SitemapPath).body), &grown); err != nil || len(grown.Sitemaps) != 4 {
		t.Fatalf("index after new data: %d parts, %v", len(grown.Sitemaps), err)
	}
	if set := parseURLSet(t, []byte(h.get("/sitemap-2.xml").body)); len(set.URLs) != 10 {
		t.Errorf("part 2 after new data: %d URLs", len(set.URLs))
	}
	// The part the index now lists, though a 404 for it was cached
	// moments ago, is served once that 404's window has passed.
	h.clock.Advance(2 * time.Minute)
	if r := h.get("/sitemap-3.xml"); r.status != 200 || len(parseURLSet(t, []byte(r.body)).URLs) != 1 {
		t.Errorf("/sitemap-3.xml after new data: %d", r.status)
	}
	// SitemapTag reaches the sitemap and every part, whatever they read.
	h.waitBackground()
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), SitemapTag, false); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{SitemapPath, "/sitemap-0.xml", "/sitemap-3.xml"} {
		if r := h.get(path); r.cache() != cacheStale {
			t.Errorf("%s after RevalidateTag(SitemapTag): %s, want STALE", path, r.cache())
		}
	}
}

// TestSitemapOneFile: up to the limit, /sitemap.xml is the urlset itself,
// and no part exists.
func TestSitemapOneFile(t *testing.T) {
	h := newSitemapHarness(t, Options{SiteURL: "https://example.com/"}, 3, MaxSitemapURLs)
	r := h.get(SitemapPath)
	set := parseURLSet(t, []byte(r.body))
	if len(set.URLs) != 3 || set.URLs[2].Loc != "https://example.com/p/2" {
		t.Fatalf("%+v", set.URLs)
	}
	if r := h.get(SitemapPath); r.cache() != cacheHit {
		t.Errorf("again: %s", r.cache())
	}
	lists := h.lists.Load()
	if r := h.get("/sitemap-0.xml"); r.status != 404 {
		t.Errorf("/sitemap-0.xml of a sitemap in one file: %d", r.status)
	}
	// A junk part is answered without calling Sitemap again.
	if h.lists.Load() != lists {
		t.Errorf("a part past the last called Sitemap")
	}
}

// TestSitemapWithoutSiteURL: without a site URL the sitemap takes its host
// from each request and is cached per origin, so that one visitor's Host
// header is never what another is served.
func TestSitemapWithoutSiteURL(t *testing.T) {
	logs := newLogBuffer()
	h := newSitemapHarness(t, Options{Logger: logs.logger()}, 2, MaxSitemapURLs)
	get := func(host string, header ...string) response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, h.srv.URL+SitemapPath, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := h.tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{status: res.StatusCode, header: res.Header, body: string(body)}
	}
	for _, host := range []string{"a.example", "evil.example"} {
		r := get(host)
		set := parseURLSet(t, []byte(r.body))
		if r.status != 200 || len(set.URLs) != 2 || set.URLs[0].Loc != "http://"+host+"/p/0" {
			t.Fatalf("Host %s: %d %+v", host, r.status, set.URLs)
		}
		if r.cache() != cacheMiss || r.header.Get("Cache-Control") != dynamicCacheControl {
			t.Errorf("Host %s: %q %q, want a MISS kept from shared caches", host, r.cache(), r.header.Get("Cache-Control"))
		}
	}
	if r := get("b.example", "X-Forwarded-Proto", "https"); !strings.Contains(r.body, "<loc>https://b.example/p/0</loc>") {
		t.Errorf("behind a TLS proxy: %.300s", r.body)
	}
	if n := strings.Count(logs.String(), "no site URL"); n != 1 {
		t.Errorf("logged the missing site URL %d times, want once:\n%s", n, logs.String())
	}
	// A prerender has no request to take a host from.
	if _, err := prerenderPage(h.app, context.Background(), sitemapRoutesOf(func(context.Context) ([]SitemapEntry, error) { return nil, nil }, Never)[0], nil); !errors.Is(err, errNoSiteURL) {
		t.Errorf("Prerender without a site URL: %v", err)
	}
}

// TestSitemapWithoutSiteURLRendersOneAtATime: requests for a sitemap
// rendered per request, each with its own Host so that nothing could share
// a render, render one at a time, so that a flood of them cannot take
// every core; each still gets its own host's URLs.
func TestSitemapWithoutSiteURLRendersOneAtATime(t *testing.T) {
	h := newHarness(t, Options{})
	var running, most atomic.Int32
	gate := make(chan struct{}) // holds the renders, as a large sitemap's encoding would
	for _, rt := range sitemapRoutesOf(func(context.Context) ([]SitemapEntry, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-gate
		return []SitemapEntry{{URL: "/p"}}, nil
	}, time.Hour) {
		h.page(rt)
	}
	const requests = 8
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for i := range requests {
		wg.Go(func() {
			host := fmt.Sprintf("h%d.example", i)
			req, _ := http.NewRequest(http.MethodGet, h.srv.URL+SitemapPath, nil)
			req.Host = host
			res, err := h.tr.RoundTrip(req)
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "<loc>http://"+host+"/p</loc>") {
				errs <- fmt.Errorf("Host %s: %d %.200s", host, res.StatusCode, body)
			}
		})
	}
	// One renders while the others wait for it; then they go one by one.
	waitUntil(t, "one render, the other requests waiting", func() bool {
		return running.Load() == 1 && blockedIn("acquire") == requests-1
	})
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d sitemap renders at once, want 1", m)
	}
}

// TestSitemapLeavesOutBadEntries: one entry the protocol cannot carry is
// left out and logged; the rest is served.
func TestSitemapLeavesOutBadEntries(t *testing.T) {
	logs := newLogBuffer()
	h := newHarness(t, Options{SiteURL: "https://example.com", Logger: logs.logger()})
	for _, rt := range sitemapRoutesOf(func(context.Context) ([]SitemapEntry, error) {
		return []SitemapEntry{{URL: "/ok"}, {URL: "/bad", Priority: 7}, {URL: "/ok2"}}, nil
	}, time.Hour) {
		h.page(rt)
	}
	r := h.get(SitemapPath)
	if set := parseURLSet(t, []byte(r.body)); len(set.URLs) != 2 {
		t.Errorf("%d URLs, want the 2 good ones", len(set.URLs))
	}
	if cc := r.header.Get("Cache-Control"); cc != "s-maxage=3600, stale-while-revalidate=31536000" {
		t.Errorf("Cache-Control %q: want the sitemap's own window", cc)
	}
	if !strings.Contains(logs.String(), "sitemap entries left out") || !strings.Contains(logs.String(), "priority 7") {
		t.Errorf("not logged:\n%s", logs.String())
	}
}

// TestAutoSitemap lists the cached pages of an app without app/sitemap.go:
// pages without params and the paths of StaticParams; not dynamic pages,
// pages with params but no StaticParams, nor the sitemap itself.
func TestAutoSitemap(t *testing.T) {
	h := newHarness(t, Options{SiteURL: "https://example.com"})
	posts := Cache(func(ctx context.Context) ([]string, error) { return []string{"1", "a b"}, nil },
		CacheOptions{Revalidate: Never, Tags: []string{"posts"}})
	page := func(pattern string, revalidate time.Duration, static func(context.Context) ([]Params, error)) Route {
		return Route{Pattern: pattern, Revalidate: revalidate, StaticParams: static, Render: newSource("x").render}
	}
	var routes func() []Route
	routes = func() []Route {
		list := []Route{
			page("/", Never, nil),
			page("/blog", time.Hour, nil),
			page("/admin", 0, nil),               // dynamic
			page("/search/:q", time.Minute, nil), // no StaticParams
			page("/blog/:id", 10*time.Minute, func(ctx context.Context) ([]Params, error) {
				ids, err := posts(ctx)
				params := make([]Params, len(ids))
				for i, id := range ids {
					params[i] = Params{"id": id}
				}
				return params, err
			}),
			page("/docs/*", Never, func(context.Context) ([]Params, error) {
				return []Params{{"*": "a/b"}, {"*": "../x"}}, nil // the second is no path
			}),
			robotsRoute(func(context.Context) (Robots, error) { return Robots{}, nil }, Never),
		}
		return append(list, autoSitemapRoutes(routes)...)
	}
	for _, rt := range routes() {
		h.page(rt)
	}
	r := h.get(SitemapPath)
	var got []string
	for _, u := range parseURLSet(t, []byte(r.body)).URLs {
		got = append(got, u.Loc)
	}
	want := []string{"https://example.com/", "https://example.com/blog", "https://example.com/blog/1", "https://example.com/blog/a%20b", "https://example.com/docs/a/b"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Its window is that of /blog/:id, whose StaticParams it lists.
	if cc := r.header.Get("Cache-Control"); !strings.HasPrefix(cc, "s-maxage=600,") {
		t.Errorf("Cache-Control %q, want the window of /blog/:id", cc)
	}
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(context.Background(), "posts", false); err != nil {
		t.Fatal(err)
	}
	if r := h.get(SitemapPath); r.cache() != cacheStale {
		t.Errorf("after RevalidateTag of StaticParams' data: %s, want STALE", r.cache())
	}
}

// TestEncodeSitemapSplitsByBytes: parts split by size hold at most maxBytes
// each, header and footer included, and every entry once.
func TestEncodeSitemapSplitsByBytes(t *testing.T) {
	entries := make([]SitemapEntry, 40)
	for i := range entries {
		entries[i] = SitemapEntry{URL: "/post/" + itoa(i*7919)}
	}
	const maxBytes = 600
	doc, err := encodeSitemap(entries, "https://example.com", MaxSitemapURLs, maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.parts) < 2 {
		t.Fatalf("%d parts, want a split", len(doc.parts))
	}
	seen := 0
	for n, start := range doc.parts {
		end := len(doc.ends)
		if n+1 < len(doc.parts) {
			end = doc.parts[n+1]
		}
		body := doc.urlset(start, end)
		if len(body) > maxBytes {
			t.Errorf("part %d: %d bytes, more than %d", n, len(body), maxBytes)
		}
		for _, u := range parseURLSet(t, body).URLs {
			if want := "https://example.com/post/" + itoa(seen*7919); u.Loc != want {
				t.Fatalf("part %d: %s, want %s", n, u.Loc, want)
			}
			seen++
		}
	}
	if seen != len(entries) {
		t.Errorf("%d entries in the parts, want %d", seen, len(entries))
	}
}

// BenchmarkEncodeSitemap encodes a full sitemap file, 50,000 URLs with a
// LastModified each: the work of one render, besides the app's Sitemap
// and gzip.
func BenchmarkEncodeSitemap(b *testing.B) {
	for _, bc := range []struct {
		name string
		path func(i int) string
	}{
		{"plain paths", func(i int) string { return "/blog/" + itoa(i) }},
		{"paths to escape", func(i int) string { return "/search/a b?q=" + itoa(i) + "&x=é" }},
	} {
		entries := make([]SitemapEntry, MaxSitemapURLs)
		for i := range entries {
			entries[i] = SitemapEntry{URL: bc.path(i), LastModified: time.Unix(int64(i), 0)}
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				doc, err := encodeSitemap(entries, "https://example.com", MaxSitemapURLs, MaxSitemapBytes)
				if err != nil || doc.skipped != 0 {
					b.Fatal(err, doc.skipped)
				}
				b.SetBytes(int64(len(doc.urls)))
			}
		})
	}
}
