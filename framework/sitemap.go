package framework

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
)

// A sitemap (https://www.sitemaps.org/protocol.html) is served like a page,
// through the ISR cache: /sitemap.xml lists the app's URLs, made by
// app/sitemap.go's Sitemap (like Next.js's app/sitemap.ts) or, without
// one, from the app's routes (runtime.AutoSitemapRoutes). Past MaxSitemapURLs URLs
// or MaxSitemapBytes bytes it becomes a sitemap index of numbered parts,
// /sitemap-0.xml, /sitemap-1.xml, ..., each within both limits. The parts
// sit at the root because a sitemap may only list URLs below its own
// folder: /sitemap/0.xml could list /sitemap/... only.

// SitemapPath is where an app's sitemap is served.
const SitemapPath = "/sitemap.xml"

// sitemapPartPattern is the route of a split sitemap's parts, which
// answers /sitemap-0.xml as part "0.xml" (runtime.SitemapPartPattern).
const sitemapPartPattern = "/sitemap-:part"

// SitemapTag is a tag of the sitemap and of each of its parts:
// RevalidateTag(ctx, SitemapTag) makes all of them stale, where
// RevalidatePath(ctx, SitemapPath) reaches /sitemap.xml only.
const SitemapTag = "framework:sitemap"

// The protocol's limits on one sitemap file (and on one index's entries).
const (
	// MaxSitemapURLs is how many URLs one sitemap file may list.
	MaxSitemapURLs = 50_000
	// MaxSitemapBytes is how large one sitemap file may be, uncompressed.
	MaxSitemapBytes = 50 << 20 // 52,428,800 bytes
	// maxSitemapURLLength: a URL must be "less than 2,048 characters".
	maxSitemapURLLength = 2047
)

// xmlContentType is the Content-Type of sitemaps.
const xmlContentType = "application/xml; charset=utf-8"

// SitemapEntry is one URL of a sitemap, like an item of Next.js's
// MetadataRoute.Sitemap.
type SitemapEntry struct {
	// URL is the page's address: a path ("/blog/7"), which the sitemap
	// makes absolute with Options.SiteURL, or an absolute http or https
	// URL. Escape it as in a URL (Route.PathFor's paths are); characters
	// that must be escaped are, and XML's special ones too.
	URL string

	// LastModified is when the page's content last changed; zero leaves
	// out <lastmod>.
	LastModified time.Time

	// ChangeFrequency hints how often the page changes; "" leaves out
	// <changefreq>.
	ChangeFrequency ChangeFrequency

	// Priority is the page's importance among the site's pages, above 0
	// and at most 1; 0 leaves out <priority>, which crawlers then take as
	// 0.5. (Google reads neither ChangeFrequency nor Priority; other
	// crawlers may.)
	Priority float64
}

// ChangeFrequency is the <changefreq> of a sitemap entry.
type ChangeFrequency string

// The change frequencies the protocol knows.
const (
	ChangeAlways  ChangeFrequency = "always"
	ChangeHourly  ChangeFrequency = "hourly"
	ChangeDaily   ChangeFrequency = "daily"
	ChangeWeekly  ChangeFrequency = "weekly"
	ChangeMonthly ChangeFrequency = "monthly"
	ChangeYearly  ChangeFrequency = "yearly"
	ChangeNever   ChangeFrequency = "never"
)

func (f ChangeFrequency) valid() bool {
	switch f {
	case "", ChangeAlways, ChangeHourly, ChangeDaily, ChangeWeekly, ChangeMonthly, ChangeYearly, ChangeNever:
		return true
	}
	return false
}

// sitemapRoutesOf returns the routes that serve the sitemap of entries
// (runtime.SitemapRoutes):
// /sitemap.xml, and the parts of a sitemap split past the protocol's
// limits. Codegen calls it with app/sitemap.go's Sitemap and its
// SitemapRevalidate (Never when absent): like a page, the sitemap is cached
// for that window, lowered by the data entries reads through Fetch or
// Cache, and stale once a tag of that data is revalidated. Every part is
// its own cache entry, made from one call of entries each: read what it
// needs through Cache, so that a split sitemap reads its data once.
//
// An entry the protocol cannot carry (a URL that does not parse, is not
// http or https, or is 2,048 characters or more; a Priority outside 0 to
// 1; an unknown ChangeFrequency; a LastModified outside years 1 to 9999) is
// left out and logged, so that one bad record does not take the sitemap
// down.
func sitemapRoutesOf(entries func(ctx context.Context) ([]SitemapEntry, error), revalidate time.Duration) []Route {
	return sitemapRoutes(&sitemapSource{entries: entries, maxURLs: MaxSitemapURLs, maxBytes: MaxSitemapBytes}, revalidate)
}

// sitemapRoutes returns the routes of s; tests give it smaller limits.
func sitemapRoutes(s *sitemapSource, revalidate time.Duration) []Route {
	return []Route{
		{Pattern: SitemapPath, Revalidate: revalidate, ContentType: xmlContentType, NeedsSiteURL: true, Render: s.renderSitemap},
		{Pattern: sitemapPartPattern, Revalidate: revalidate, ContentType: xmlContentType, NeedsSiteURL: true, Render: s.renderPart},
	}
}

// autoSitemapRoutes returns the sitemap routes of an app without
// app/sitemap.go, made from its pages (codegen passes its Routes): every
// cached page without params (its pattern), and every path StaticParams
// returns for a cached page with params. Pages rendered per request
// (Revalidate 0) are left out: they are personal or private (an admin, a
// search), not content to index; so are pages with params but no
// StaticParams, whose URLs nobody can list. For any other choice, write
// app/sitemap.go.
//
// Its window is the lowest of the pages with StaticParams it lists, so
// that a new post shows in it no later than its page would, and it carries
// the tags of the data StaticParams reads.
func autoSitemapRoutes(routes func() []Route) []Route {
	return sitemapRoutesOf(func(ctx context.Context) ([]SitemapEntry, error) {
		return routeEntries(ctx, routes())
	}, Never)
}

// routeEntries lists the automatic sitemap's URLs from routes.
func routeEntries(ctx context.Context, routes []Route) ([]SitemapEntry, error) {
	st := stateFrom(ctx)
	var entries []SitemapEntry
	for i := range routes {
		rt := &routes[i]
		if rt.ContentType != "" || rt.Revalidate <= 0 {
			continue // not a page (the sitemap itself, robots.txt), or dynamic
		}
		if !strings.ContainsAny(rt.Pattern, ":*") {
			entries = append(entries, SitemapEntry{URL: rt.Pattern})
			continue
		}
		if rt.StaticParams == nil {
			continue
		}
		list, err := rt.StaticParams(ctx)
		if err != nil {
			// A sitemap without a route's pages would drop them from
			// search engines: fail, and the last good one is served.
			return nil, fmt.Errorf("%s: StaticParams: %w", rt.Pattern, err)
		}
		if st != nil {
			st.useData(rt.Revalidate, nil)
		}
		for _, params := range list {
			// A path PathFor refuses is a 404 at that route too.
			if p, err := rt.PathFor(params); err == nil {
				entries = append(entries, SitemapEntry{URL: p})
			}
		}
	}
	return entries, nil
}

// sitemapSource renders one sitemap's routes.
type sitemapSource struct {
	entries           func(ctx context.Context) ([]SitemapEntry, error)
	maxURLs, maxBytes int // of one file

	// parts is how many parts the last render found, and when, so that a
	// request for a part past them is a 404 without a call of entries,
	// for a NotFoundWindow; then the next such request looks again.
	parts atomic.Pointer[knownParts]
}

type knownParts struct {
	count int
	at    int64 // on the app's clock, Unix nanoseconds
}

// renderSitemap renders /sitemap.xml: every URL, or the index of the parts.
func (s *sitemapSource) renderSitemap(ctx context.Context, r *Request) (templ.Component, error) {
	doc, base, err := s.load(ctx, r)
	if err != nil {
		return nil, err
	}
	if doc.parts == nil {
		return rawComponent(doc.urlset(0, len(doc.ends))), nil
	}
	return rawComponent(doc.index(base)), nil
}

// renderPart renders /sitemap-N.xml, part N of a split sitemap.
func (s *sitemapSource) renderPart(ctx context.Context, r *Request) (templ.Component, error) {
	n, ok := parsePartName(r.Param("part"))
	if !ok {
		return nil, ErrNotFound
	}
	if st := stateFrom(ctx); st != nil {
		now := st.app.clock.hitNanos()
		if k := s.parts.Load(); k != nil && n >= k.count && now-k.at < int64(st.app.opts.NotFoundWindow) {
			return nil, ErrNotFound
		}
	}
	doc, _, err := s.load(ctx, r)
	if err != nil {
		return nil, err
	}
	if n >= len(doc.parts) {
		return nil, ErrNotFound
	}
	end := len(doc.ends)
	if n+1 < len(doc.parts) {
		end = doc.parts[n+1]
	}
	return rawComponent(doc.urlset(doc.parts[n], end)), nil
}

// load calls entries and encodes them for the site's base URL.
func (s *sitemapSource) load(ctx context.Context, r *Request) (*sitemapDoc, string, error) {
	st := stateFrom(ctx)
	if st == nil {
		return nil, "", errors.New("sitemap rendered outside the framework")
	}
	a := st.app
	st.useData(Never, []string{SitemapTag})
	base, err := a.siteBase(r)
	if err != nil {
		return nil, "", err
	}
	entries, err := s.entries(ctx)
	if err != nil {
		return nil, "", err
	}
	doc, err := encodeSitemap(entries, base, s.maxURLs, s.maxBytes)
	if err != nil {
		return nil, "", err
	}
	if doc.skipped > 0 {
		a.log.Warn("framework: sitemap entries left out", "path", r.Path, "count", doc.skipped, "first", doc.firstSkip)
	}
	s.parts.Store(&knownParts{count: len(doc.parts), at: a.clock.hitNanos()})
	return doc, base, nil
}

// parsePartName parses a part's name, "0.xml" to "49999.xml", spelt
// without leading zeros so that each part has one URL.
func parsePartName(name string) (int, bool) {
	digits, ok := strings.CutSuffix(name, ".xml")
	if !ok || digits == "" || len(digits) > 5 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n < MaxSitemapURLs
}

// sitemapPartPath returns the path of part n.
func sitemapPartPath(n int) string { return "/sitemap-" + strconv.Itoa(n) + ".xml" }
