// Package runtime is what the code `framework build` and `framework dev`
// generate (routes_gen.go) calls to wire an app into Echo: the ISR handler
// of each page, the not-found pages, route handlers, the app's own
// endpoints, page metadata, robots.txt and the sitemap. An app's own code
// does not need it, as templ's generated code calls package templ/runtime:
// package framework documents what apps call, and this package the
// plumbing.
//
// A route table written by hand, for server.Main, uses it as routes_gen.go
// does:
//
//	func Register(e *echo.Echo, a *framework.App) {
//		runtime.Register(e, a)
//		for _, rt := range Routes() {
//			e.Match([]string{http.MethodGet, http.MethodHead}, rt.Pattern, runtime.Page(a, rt))
//		}
//		e.RouteNotFound("/*", runtime.NotFound(a, framework.Route{NotFound: NotFoundPage()}))
//	}
//
// The functions are package framework's, which cannot import this package
// (this one imports it for its types): framework hands them over at
// initialisation through an internal package (framework/internal/hook),
// typed at both ends, so that they reach into the App without widening
// framework's API.
package runtime

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/hook"
)

var funcs = hook.Get[*framework.App, framework.Route, framework.Metadata, framework.Robots, framework.SitemapEntry]()

// SitemapPartPattern is the route of a split sitemap's parts, which answers
// /sitemap-0.xml as part "0.xml". It is the pattern of the second route
// SitemapRoutes returns, for routers that register it under middleware.
const SitemapPartPattern = "/sitemap-:part"

// Register adds the app's own routes to e: POST /_framework/revalidate,
// GET and HEAD /_framework/health, /_framework/image and the stylesheet of
// highlighted Markdown code (MarkdownStylesheetPath), and GET /metrics when
// Options.Metrics is on.
func Register(e *echo.Echo, a *framework.App) {
	funcs.Register(a, e)
	e.Match([]string{http.MethodGet, http.MethodHead}, MarkdownStylesheetPath, serveMarkdownStylesheet)
}

// Page returns the Echo handler that serves rt through a's ISR cache.
func Page(a *framework.App, rt framework.Route) echo.HandlerFunc { return funcs.Page(a, rt) }

// NotFound returns the Echo handler for URLs that match no route: rt's
// NotFound body inside its Layouts, answered 404 and never cached. Only
// NotFound, Layouts and Error of rt are used.
func NotFound(a *framework.App, rt framework.Route) echo.HandlerFunc {
	return funcs.NotFound(a, rt)
}

// Handler wraps an Echo handler (an app's route.go GET, POST, ...) so that
// framework's RevalidatePath, RevalidateTag, Fetch, Cache, EnableDraftMode
// and DraftMode find the app and the request's draft mode through the
// request's context. Like a page, it answers a request whose path is not
// canonical with a 308 to the canonical one. A POST, PUT, PATCH or DELETE
// that a browser sends from another site (Sec-Fetch-Site, or Origin against
// Host) is refused with 403 unless it comes from one of
// Options.TrustedOrigins (net/http's CrossOriginProtection). Each Flush of
// the response extends the server's write deadline by its WriteTimeout, so
// that a handler that streams keeps going while it flushes.
func Handler(a *framework.App, h echo.HandlerFunc) echo.HandlerFunc {
	return funcs.Handler(a, h, false)
}

// CrossOriginHandler is Handler without the refusal of other sites' unsafe
// requests, for a route.go that exports AllowCrossOrigin = true: an API
// that other sites' pages call, or a webhook a browser posts to.
func CrossOriginHandler(a *framework.App, h echo.HandlerFunc) echo.HandlerFunc {
	return funcs.Handler(a, h, true)
}

// MethodNotAllowed answers the methods a route.go does not export, as
// Next.js does for route handlers: OPTIONS with 204 No Content, anything
// else with 405 Method Not Allowed, both with an Allow header listing
// allowed (the methods it exports, with HEAD where it exports GET, and
// OPTIONS). Without it such a request would get the app's 404 page, which
// says the URL does not exist when it does. Pages get it too, with GET and
// HEAD, for POST, PUT, PATCH and DELETE (PageMethods).
func MethodNotAllowed(allowed ...string) echo.HandlerFunc {
	allow := strings.Join(allowed, ", ")
	return func(c echo.Context) error {
		c.Response().Header().Set("Allow", allow)
		if c.Request().Method == http.MethodOptions {
			return c.NoContent(http.StatusNoContent)
		}
		return c.NoContent(http.StatusMethodNotAllowed)
	}
}

// PageMethods are the methods a page does not take, which generated code
// answers with MethodNotAllowed("GET", "HEAD"): 405, not the 404 page.
var PageMethods = []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// SetMetadata sets the metadata of the page being rendered, for its
// layouts' <head> (framework.MetadataFrom). Generated code calls it with the
// result of a page's Metadata function; outside a render it does nothing.
func SetMetadata(ctx context.Context, m framework.Metadata) { funcs.SetMetadata(ctx, m) }

// RobotsRoute returns the route that serves robots at /robots.txt.
// Generated code calls it with app/robots.go's Robots and its
// RobotsRevalidate (framework.Never when absent): it is cached like a page,
// with that window and the tags of the data robots reads.
//
// A value that would break the file's lines (a control character, such as
// a newline) is left out and logged, and so is a sitemap URL that is not a
// path nor an http or https URL.
func RobotsRoute(robots func(ctx context.Context) (framework.Robots, error), revalidate time.Duration) framework.Route {
	return funcs.RobotsRoute(robots, revalidate)
}

// SitemapRoutes returns the routes that serve the sitemap of entries:
// /sitemap.xml, and the parts of a sitemap split past the protocol's limits
// (SitemapPartPattern). Generated code calls it with app/sitemap.go's
// Sitemap and its SitemapRevalidate (framework.Never when absent): like a
// page, the sitemap is cached for that window, lowered by the data entries
// reads through Fetch or Cache, and stale once a tag of that data is
// revalidated. Every part is its own cache entry, made from one call of
// entries each: read what it needs through framework.Cache, so that a split
// sitemap reads its data once.
//
// An entry the protocol cannot carry (a URL that does not parse, is not
// http or https, or is 2,048 characters or more; a Priority outside 0 to 1;
// an unknown ChangeFrequency; a LastModified outside years 1 to 9999) is
// left out and logged, so that one bad record does not take the sitemap
// down.
func SitemapRoutes(entries func(ctx context.Context) ([]framework.SitemapEntry, error), revalidate time.Duration) []framework.Route {
	return funcs.SitemapRoutes(entries, revalidate)
}

// AutoSitemapRoutes returns the sitemap routes of an app without
// app/sitemap.go, made from its pages (generated code passes its Routes):
// every cached page without params (its pattern), and every path
// StaticParams returns for a cached page with params. Pages rendered per
// request (Revalidate 0) are left out: they are personal or private (an
// admin, a search), not content to index; so are pages with params but no
// StaticParams, whose URLs nobody can list. For any other choice, write
// app/sitemap.go.
//
// Its window is the lowest of the pages with StaticParams it lists, so that
// a new post shows in it no later than its page would, and it carries the
// tags of the data StaticParams reads.
func AutoSitemapRoutes(routes func() []framework.Route) []framework.Route {
	return funcs.AutoSitemapRoutes(routes)
}

// Prerendered describes a page Prerender stored.
type Prerendered struct {
	Path  string // the page's URL path
	Bytes int    // the size of its HTML
	Holes int    // how many PerRequest holes it has, rendered per request
}

// Prerender renders the page of rt for params and stores it in a's cache, as
// `framework build` does for every path StaticParams lists, so that its
// first request is a HIT. A page that renders a 404 fails: StaticParams
// listed a path that does not exist. Dynamic routes (Revalidate 0) are
// rendered but not stored.
func Prerender(ctx context.Context, a *framework.App, rt framework.Route, params framework.Params) (Prerendered, error) {
	path, size, holes, err := funcs.Prerender(a, ctx, rt, params)
	return Prerendered{Path: path, Bytes: size, Holes: holes}, err
}

// CanonicalPaths wraps a server's handler so that every request whose path
// is not canonical (a trailing slash, an empty, "." or ".." segment, a
// needless or lower-case escape) is answered 308 to the canonical path,
// query kept, before routing and before any middleware: pages, route
// handlers, public files and an app's own routes all have one URL each. The
// app server (server.Main) wraps its handler with it; pages and route
// handlers check on their own too, for apps that serve their Echo
// themselves.
//
// It is a plain http.Handler rather than Echo "pre" middleware because Echo
// allocates on every request once any pre middleware is set.
func CanonicalPaths(next http.Handler) http.Handler { return funcs.CanonicalPaths(next) }

// NoPrefetch sets the paths (Echo patterns: "/api/ping", "/files/:id",
// "/docs/*") that framework.SpeculationRules never prefetches.
// routes_gen.go calls it with the app's route handlers, which may change
// state (a logout, the draft-mode switches) or answer per request, and are
// no pages.
func NoPrefetch(patterns ...string) { funcs.NoPrefetch(patterns...) }

// HTTPErrorHandler returns a's handler of the errors that route handlers
// and middleware return (and Echo's own: an unknown URL with no not-found
// route, a method no route takes). Register installs it as
// e.HTTPErrorHandler; set yours after Register to replace it.
//
// A request whose Accept header prefers text/html (a browser's) gets an
// HTML page: the nearest error.templ for its path (not_found.templ for a
// 404) inside its layouts, which reads the status and message with
// framework.ErrorFrom, or a plain page saying both when the app has none.
// Any other request (an API client, curl's */*) gets Echo's JSON,
// {"message": "..."}.
//
// A 5xx is logged once, with its cause (the error, an *echo.HTTPError's
// Internal error, or a panic with its stack), and passed to
// Options.OnError as a *framework.RenderError whose Method is the
// request's.
func HTTPErrorHandler(a *framework.App) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) { funcs.HTTPErrorHandler(a, err, c) }
}
