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

// Never is the revalidate window of a page that stays cached until it is
// revalidated on demand (Next.js's revalidate = false).
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
	// Pattern is the Echo path pattern, "/blog/:id" or "/docs/*".
	Pattern string

	// CatchAll names the param that holds a "*" segment's value ("slug"
	// for app/docs/slug__); "*" when empty.
	CatchAll string

	// Revalidate is the ISR window: a cached page older than this is served
	// stale while it regenerates in the background. 0 renders on every
	// request (a dynamic page); Never caches until revalidated on demand.
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
	// set with SetMetadata before returning.
	Render func(ctx context.Context, r *Request) (templ.Component, error)

	// Layouts wrap the page, outermost first; each renders its children with
	// templ's { children... }.
	Layouts []templ.Component

	// NotFound is the body of this route's 404s (inside Layouts). Nil gives a
	// plain "404 page not found".
	NotFound templ.Component

	// Error is the body of this route's 500s (inside Layouts). Nil gives a
	// plain "500 internal server error".
	Error templ.Component
}

// expire returns the route's Expire with the default applied.
func (rt *Route) expire() time.Duration {
	if rt.Expire > 0 {
		return rt.Expire
	}
	return DefaultExpire
}

// PathFor fills the route's pattern with params: "/blog/:id" and {"id": "7"}
// give "/blog/7". It fails when a param is missing or empty, or a single
// segment's value contains a slash.
func (rt *Route) PathFor(params Params) (string, error) {
	segments := strings.Split(rt.Pattern, "/")
	for i, seg := range segments {
		var name string
		switch {
		case strings.HasPrefix(seg, ":"):
			name = seg[1:]
		case seg == "*":
			name = rt.catchAllName()
		default:
			continue
		}
		value := params[name]
		if value == "" {
			return "", fmt.Errorf("route %s: missing param %q", rt.Pattern, name)
		}
		if seg != "*" && strings.Contains(value, "/") {
			return "", fmt.Errorf("route %s: param %q = %q contains a slash", rt.Pattern, name, value)
		}
		segments[i] = value
	}
	return strings.Join(segments, "/"), nil
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
	// Path is the normalized URL path, without the query string.
	Path string
	// Params are the values of the route's dynamic segments.
	Params Params
	// HTTP is the incoming request when the page renders inside one (a
	// dynamic page, or a cache miss); nil during background regeneration and
	// prerendering.
	HTTP *http.Request
}

// Param returns the value of the named dynamic segment, or "".
func (r *Request) Param(name string) string { return r.Params[name] }

// ErrNotFound, returned by a page's Render or Load, answers 404 with the
// route's NotFound body. The 404 is cached for the app's NotFoundWindow, so it
// heals once the content exists.
var ErrNotFound = errors.New("framework: not found")

// RedirectError, returned by a page's Render or Load, redirects the visitor.
// The redirect is cached like the page would have been.
type RedirectError struct {
	URL    string
	Status int // 307 Temporary Redirect when 0
}

func (e *RedirectError) Error() string { return "framework: redirect to " + e.URL }

// Redirect returns an error that, returned by Render or Load, answers with a
// redirect to url: 307, or 308 when permanent.
func Redirect(url string, permanent bool) error {
	if permanent {
		return &RedirectError{URL: url, Status: http.StatusPermanentRedirect}
	}
	return &RedirectError{URL: url, Status: http.StatusTemporaryRedirect}
}

// Metadata is what a page tells its layouts for the document's <head>, like
// Next.js's generateMetadata.
type Metadata struct {
	Title       string
	Description string
	Canonical   string
	OpenGraph   OpenGraph
}

// OpenGraph holds a page's og: properties.
type OpenGraph struct {
	Title       string
	Description string
	Type        string // "website", "article"
	URL         string
	Image       string
}
