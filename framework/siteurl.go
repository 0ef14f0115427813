package framework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
)

// errNoSiteURL fails a render that needs the site's URL and has neither
// Options.SiteURL nor a request to take it from (a prerender).
var errNoSiteURL = errors.New("no site URL to make absolute URLs with: set Options.SiteURL ($FRAMEWORK_SITE_URL)")

// siteBase returns the origin that the sitemap and robots.txt make
// absolute URLs with: Options.SiteURL, else the scheme and host of r's
// HTTP request, which only a route rendered per request has
// (perRequestURLs). A Host that makes no URL is a 404.
func (a *App) siteBase(r *Request) (string, error) {
	if a.opts.SiteURL != "" {
		return a.opts.SiteURL, nil
	}
	if r == nil || r.HTTP == nil {
		return "", errNoSiteURL
	}
	scheme := "http"
	if r.HTTP.TLS != nil || strings.EqualFold(r.HTTP.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	base, err := parseSiteURL(scheme + "://" + r.HTTP.Host)
	if err != nil {
		return "", ErrNotFound
	}
	return base, nil
}

// perRequestURLs reports whether rt, which holds absolute URLs of the site,
// must be rendered per request because the app has no SiteURL; it logs
// that once.
func (a *App) perRequestURLs(rt *Route) bool {
	if !rt.NeedsSiteURL || a.opts.SiteURL != "" {
		return false
	}
	a.sites.warning.Do(func() {
		a.log.Warn("framework: no site URL (Options.SiteURL, $FRAMEWORK_SITE_URL): " + rt.Pattern +
			" and the like take their host from each request and are not cached")
	})
	return true
}

// siteRenders lets one sitemap or robots.txt of an app without a site URL
// render at a time: they are rendered per request with the request's host,
// a sitemap of 50,000 URLs takes tens of milliseconds to encode, and
// requests with a different Host each, which no cache could share, would
// otherwise keep every core busy and the site's pages waiting.
type siteRenders struct {
	slot chan struct{}
	// relativeWarning logs once that a page's canonical URL stays relative
	// for want of a site URL.
	relativeWarning sync.Once
	// warning logs once that such a route is served per request.
	warning sync.Once
}

func newSiteRenders() *siteRenders { return &siteRenders{slot: make(chan struct{}, 1)} }

// acquire waits for the render slot; it reports false when ctx ends first
// (a client gone, a server shutting down). release frees the slot.
func (s *siteRenders) acquire(ctx context.Context) bool {
	select {
	case s.slot <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *siteRenders) release() { <-s.slot }

// parseSiteURL checks a site URL, a scheme (http or https) and a host, and
// returns it without a trailing slash.
func parseSiteURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" ||
		strings.ContainsAny(u.Host, "/?#@ ") {
		return "", fmt.Errorf("framework: site URL %q: want a scheme and a host only, like https://example.com", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// absoluteMetadata returns m with its URLs that are paths (the canonical
// URL, Open Graph's URL and image) resolved against site, as Next.js
// resolves them against metadataBase: search engines and link previews
// want absolute URLs. Without a site URL a relative canonical URL stays as
// it is, and the first is logged.
func (s *siteRenders) absoluteMetadata(m Metadata, site string, log *slog.Logger) Metadata {
	if site == "" {
		if isSitePath(m.Canonical) {
			s.relativeWarning.Do(func() {
				log.Warn("framework: a page's canonical URL is a path; set the site URL (FRAMEWORK_SITE_URL, --site-url or Options.SiteURL) to make it absolute, as search engines want", "canonical", m.Canonical)
			})
		}
		return m
	}
	for _, u := range []*string{&m.Canonical, &m.OpenGraph.URL, &m.OpenGraph.Image} {
		if isSitePath(*u) {
			*u = site + *u
		}
	}
	return m
}

// isSitePath reports whether u is a path on the site ("/blog/1"), not an
// absolute or protocol-relative URL.
func isSitePath(u string) bool {
	return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")
}
