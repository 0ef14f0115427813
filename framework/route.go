package framework

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
)

// Never is the revalidate window of a page, or of data read through Fetch or
// Cache, that stays cached until it is revalidated on demand (Next.js's
// revalidate = false). Its opposite is 0, which means the same for both: not
// cached (a page renders per request, data is read on every call).
const Never time.Duration = math.MaxInt64

// DefaultExpire is how long past its revalidate window a stale entry may still
// be served, when a route sets no Expire (one year, like Next.js's expireTime).
const DefaultExpire = 365 * 24 * time.Hour

// Params holds the values of a route's dynamic segments, by name: {"id": "7"}
// for /blog/:id, {"slug": "a/b"} for a catch-all.
type Params map[string]string

// A Route is one page: how to render it and how long its output may be
// cached. Codegen fills it from a page package's exports.
type Route struct {
	// Pattern is the Echo path pattern, "/blog/:id" or "/docs/*"; for a
	// Route passed to App.NotFound, the prefix it answers ("/admin/*").
	Pattern string

	// CatchAll names the param that holds a "*" segment's value ("slug"
	// for app/docs/slug__); "*" when empty.
	CatchAll string

	// Revalidate is the ISR window: a cached page older than this is served
	// stale while it regenerates in the background. 0 (or less) renders on
	// every request (a dynamic page); Never caches until revalidated on
	// demand.
	Revalidate time.Duration

	// Expire bounds how long past Revalidate a stale page may still be
	// served; an older one is rendered in the request. 0 means DefaultExpire.
	Expire time.Duration

	// StaticParamsOnly makes params that StaticParams does not return a 404
	// without rendering (a page's DynamicParams = false).
	StaticParamsOnly bool

	// StaticParams lists the params to prerender at build time.
	StaticParams func(ctx context.Context) ([]Params, error)

	// Render loads the page's data and returns its body. It may return
	// ErrNotFound, a Redirect error, or any other error (a 500, or a failed
	// regeneration that keeps the last good page). Metadata for layouts is
	// set with runtime.SetMetadata before returning.
	Render func(ctx context.Context, r *Request) (templ.Component, error)

	// Layouts wrap the page, outermost first; each renders its children with
	// templ's { children... }.
	Layouts []templ.Component

	// NotFound is the body of this route's 404s (inside Layouts). Nil gives a
	// plain "404 page not found".
	NotFound templ.Component

	// Error is the body of this route's 500s (inside Layouts), which reads
	// the status and message with ErrorFrom. Nil gives a plain "500
	// internal server error".
	Error templ.Component

	// ContentType is the Content-Type of the route's pages (its 200s);
	// empty means HTML. The sitemap and robots.txt set it: their Render
	// writes the whole body, without Layouts.
	ContentType string

	// NeedsSiteURL marks a route whose output holds absolute URLs of the
	// site (a sitemap, robots.txt), made from Options.SiteURL. Without a
	// SiteURL it is rendered per request from the request's own scheme
	// and host and never cached, so that no visitor's Host header decides
	// what others are served.
	NeedsSiteURL bool
}

// expire returns the route's Expire with the default applied.
func (rt *Route) expire() time.Duration {
	if rt.Expire > 0 {
		return rt.Expire
	}
	return DefaultExpire
}

// PathFor fills the route's pattern with params: "/blog/:id" and {"id": "7"}
// give "/blog/7". The result is the page's canonical URL path, its cache key:
// values are escaped as in a URL ({"id": "a b"} gives "/blog/a%20b"; a slash
// in a single segment's value is %2F, in a catch-all's it separates
// segments). It fails when a param is missing or empty, or is (or, for a
// catch-all, has a segment that is) "." or "..", which no canonical path has.
func (rt *Route) PathFor(params Params) (string, error) {
	if rt.Pattern == "/" {
		return "/", nil
	}
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(rt.Pattern, "/"), "/") {
		var name string
		switch {
		case strings.HasPrefix(seg, ":"):
			name = seg[1:]
		case seg == "*":
			name = rt.catchAllName()
		default:
			b.WriteString("/" + escapeSegment(seg))
			continue
		}
		value := params[name]
		if value == "" {
			return "", fmt.Errorf("route %s: missing param %q", rt.Pattern, name)
		}
		parts := []string{value}
		if seg == "*" {
			parts = strings.Split(value, "/")
		}
		for _, part := range parts {
			if part == "" || part == "." || part == ".." {
				return "", fmt.Errorf("route %s: param %q = %q has an empty, \".\" or \"..\" segment", rt.Pattern, name, value)
			}
			b.WriteString("/" + escapeSegment(part))
		}
	}
	return b.String(), nil
}

// catchAllName returns the name of the param that holds a "*" segment.
func (rt *Route) catchAllName() string {
	if rt.CatchAll != "" {
		return rt.CatchAll
	}
	return "*"
}

// Request is what a page's Render (and Load) sees of the request that
// caused it. Cached pages are shared by every visitor, so the output must
// depend only on Path and params.
type Request struct {
	// Path is the page's canonical URL path, escaped as in a URL, without
	// the query string.
	Path string
	// Params are the values of the route's dynamic segments.
	Params Params
	// HTTP is the incoming request of a dynamic page (Revalidate 0). It is
	// nil for a cached page, whose render is shared by every visitor (and
	// runs in the background or at build time too): one visitor's query,
	// cookies or headers must not decide what everybody is served.
	HTTP *http.Request
}

// Param returns the value of the named dynamic segment, or "".
func (r *Request) Param(name string) string { return r.Params[name] }

// ErrNotFound, returned by a page's Render or Load, answers 404 with the
// route's NotFound body. The 404 is cached for the app's NotFoundWindow, so it
// heals once the content exists.
var ErrNotFound = errors.New("framework: not found")

// RedirectError, returned by a page's Render or Load, redirects the visitor
// to URL. It is cached like the page would have been (a redirect is content),
// apart from pages, so that URLs that redirect cannot push pages out of the
// memory tier.
type RedirectError struct {
	URL    string
	Status int // 307 Temporary Redirect or 308 Permanent Redirect; 307 when 0
}

func (e *RedirectError) Error() string { return "framework: redirect to " + e.URL }

// Redirect returns an error that, returned by Load, answers 307 Temporary
// Redirect to url, like Next.js's redirect().
func Redirect(url string) error {
	return &RedirectError{URL: url, Status: http.StatusTemporaryRedirect}
}

// PermanentRedirect returns an error that, returned by Load, answers 308
// Permanent Redirect to url, like Next.js's permanentRedirect(): for an old or
// alternative URL of a page, such as /blog/01 for /blog/1.
func PermanentRedirect(url string) error {
	return &RedirectError{URL: url, Status: http.StatusPermanentRedirect}
}

// Metadata is what a page tells its layouts for the document's <head>, like
// Next.js's generateMetadata.
type Metadata struct {
	Title       string
	Description string
	// Canonical, OpenGraph.URL and OpenGraph.Image may be paths ("/blog/1"):
	// layouts read them resolved against Options.SiteURL, as Next.js
	// resolves them against metadataBase.
	Canonical string
	OpenGraph OpenGraph
	// Extra holds the front matter fields of a page.md other than title
	// and description (date, draft, and whatever its layout reads, as
	// YAML decodes them: string, int, float64, bool, time.Time, []any,
	// map[string]any). One map, rather than typed fields, because the
	// fields are the app's: the layout reads the ones it knows.
	Extra map[string]any
}

// OpenGraph holds a page's og: properties.
type OpenGraph struct {
	Title       string
	Description string
	Type        string // "website", "article"
	URL         string
	Image       string
}
