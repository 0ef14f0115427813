package framework

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework/internal/accept"
)

// Values of the X-Framework-Cache header.
const (
	CacheHit         = "HIT"         // fresh from the cache
	CacheStale       = "STALE"       // from the cache while it regenerates
	CacheMiss        = "MISS"        // not cached: rendered in the request
	CacheRevalidated = "REVALIDATED" // expired on demand or past Expire: rendered in the request
)

// HeaderCache is the response header that tells how the cache answered.
const HeaderCache = "X-Framework-Cache"

// page is a Route served by an App.
type page struct {
	app   *App
	route Route

	// allowed is the set of paths StaticParams returns, loaded on the first
	// miss of a StaticParamsOnly route.
	allowedMu sync.Mutex
	allowed   map[string]bool

	// lastNotFound is the route's last rendered 404, whose bytes the next
	// identical one shares.
	lastNotFound atomic.Pointer[entry]
}

// Page returns the Echo handler that serves rt through the ISR cache.
func (a *App) Page(rt Route) echo.HandlerFunc {
	p := &page{app: a, route: rt}
	return p.serve
}

func (p *page) serve(c echo.Context) error {
	a := p.app
	req := c.Request()
	key, canonical, status := canonicalPath(req.URL)
	if !canonical {
		return redirectCanonical(c, key, status)
	}
	if a.isDraft(req) {
		return p.serveDraft(c, key, p.route.Render)
	}
	if a.perRequestURLs(&p.route) {
		return p.serveSiteFile(c, key)
	}
	if p.route.Revalidate <= 0 || a.opts.Dev {
		return p.serveDynamic(c, key)
	}
	params := func() Params { return p.params(c) }
	e, state, err := a.serve(req.Context(), p, key, params)
	if err != nil {
		return p.sendError(c, key, err)
	}
	if e.holeAt != nil {
		return p.sendHoles(c, e, key, params, state)
	}
	return a.send(c, e, state)
}

// serveDynamic renders a Revalidate = 0 page on every request.
func (p *page) serveDynamic(c echo.Context, key string) error {
	e, err := p.render(c.Request().Context(), key, p.params(c), c.Request(), p.route.Render)
	if err != nil {
		return p.sendError(c, key, err)
	}
	e.header.cacheControl = dynamicCacheControlValue
	return p.app.send(c, e, "")
}

// serveSiteFile serves a sitemap or robots.txt of an app without a site
// URL, which is rendered per request with the request's host, one render at
// a time per process: a sitemap of 50,000 URLs takes tens of milliseconds to
// encode, and requests with a different Host each, which no cache could
// share, would otherwise keep every core busy and the site's pages waiting.
// A request whose context ends while in line (a client gone, a server
// shutting down) gets a 503.
func (p *page) serveSiteFile(c echo.Context, key string) error {
	select {
	case p.app.siteRenders <- struct{}{}:
		defer func() { <-p.app.siteRenders }()
	case <-c.Request().Context().Done():
		return echo.NewHTTPError(http.StatusServiceUnavailable)
	}
	return p.serveDynamic(c, key)
}

// params returns the request's route params, decoded and keyed by the
// names the page uses. Echo reuses its contexts, so this copies.
func (p *page) params(c echo.Context) Params {
	names := c.ParamNames()
	if len(names) == 0 {
		return nil
	}
	// Echo matches the escaped path when the request has one (RawPath), and
	// the decoded path otherwise: decode only the former, once.
	escaped := c.Request().URL.RawPath != ""
	values := c.ParamValues()
	params := make(Params, len(names))
	for i, name := range names {
		if i >= len(values) {
			break
		}
		v := values[i]
		if escaped {
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
		}
		if name == "*" {
			name = p.route.catchAllName()
		}
		params[name] = v
	}
	return params
}

// isStaticPath reports whether key is one of the paths StaticParams returns.
// The list is loaded once; a failure is retried on a later request.
func (p *page) isStaticPath(ctx context.Context, key string) (bool, error) {
	p.allowedMu.Lock()
	defer p.allowedMu.Unlock()
	if p.allowed == nil {
		if p.route.StaticParams == nil {
			p.allowed = map[string]bool{}
		} else {
			list, err := p.route.StaticParams(ctx)
			if err != nil {
				return false, err
			}
			allowed := make(map[string]bool, len(list))
			for _, params := range list {
				if pth, err := p.route.PathFor(params); err == nil {
					allowed[pth] = true
				}
			}
			p.allowed = allowed
		}
	}
	return p.allowed[key], nil
}

// sendError answers a failed render with the route's error page.
func (p *page) sendError(c echo.Context, key string, err error) error {
	p.app.metrics.errors.Add(1)
	body := p.errorPage(c.Request().Context())
	h := c.Response().Header()
	h["Content-Type"] = htmlContentTypeValue
	h["Cache-Control"] = dynamicCacheControlValue
	if p.route.Revalidate != 0 {
		h[HeaderCache] = missValue
	}
	return c.HTMLBlob(http.StatusInternalServerError, body)
}

// Header values shared by every response, so that sending allocates none.
var (
	htmlContentTypeValue     = []string{htmlContentType}
	dynamicCacheControlValue = []string{dynamicCacheControl}
	privateCacheControlValue = []string{privateCacheControl}
	hitValue                 = []string{CacheHit}
	staleValue               = []string{CacheStale}
	missValue                = []string{CacheMiss}
	revalidatedValue         = []string{CacheRevalidated}
	gzipValue                = []string{"gzip"}
	varyValue                = []string{"Accept-Encoding"}
)

func cacheStateValue(state string) []string {
	switch state {
	case CacheHit:
		return hitValue
	case CacheStale:
		return staleValue
	case CacheMiss:
		return missValue
	case CacheRevalidated:
		return revalidatedValue
	}
	return nil
}

// send writes e with the X-Framework-Cache state (none for dynamic pages),
// gzipped when the client accepts it, or 304 when it has e already.
func (a *App) send(c echo.Context, e *entry, state string) error {
	req := c.Request()
	res := c.Response()
	a.metrics.served(state)
	h := res.Header()
	h["Content-Type"] = e.header.contentType
	h["Cache-Control"] = e.header.cacheControl
	h["Etag"] = e.header.etag
	if v := cacheStateValue(state); v != nil {
		h[HeaderCache] = v
	}
	if e.header.cacheTag != nil {
		h["Cache-Tag"] = e.header.cacheTag
	}
	if e.header.location != nil {
		h["Location"] = e.header.location
	}
	if e.gzipBody != nil {
		h["Vary"] = varyValue
	}
	if e.status == http.StatusOK && etagMatches(req.Header["If-None-Match"], e.etag) {
		res.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeBody(req, res, e)
}

// writeBody writes e's status, Content-Length and body (none for HEAD),
// gzipped when the client accepts it.
func writeBody(req *http.Request, res *echo.Response, e *entry) error {
	body, length := e.body, e.header.length
	if e.gzipBody != nil && acceptsGzip(req.Header["Accept-Encoding"]) {
		res.Header()["Content-Encoding"] = gzipValue
		body, length = e.gzipBody, e.header.gzipLength
	}
	res.Header()["Content-Length"] = length
	res.WriteHeader(e.status)
	if req.Method == http.MethodHead {
		return nil
	}
	_, err := res.Write(body)
	return err
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(values []string) bool {
	gzip, _ := accept.Encodings(values)
	return gzip
}

// etagMatches reports whether an If-None-Match header matches etag, with
// the weak comparison RFC 9110 asks for.
func etagMatches(values []string, etag string) bool {
	opaque := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for v != "" {
			var tag string
			tag, v, _ = strings.Cut(v, ",")
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == opaque {
				return true
			}
		}
	}
	return false
}

// renderFunc is the type of Route.Render.
type renderFunc = func(context.Context, *Request) (templ.Component, error)

// NotFound returns the Echo handler for URLs that match no route: rt's
// NotFound body inside its Layouts, answered 404 and never cached. Only
// NotFound and Layouts of rt are used.
func (a *App) NotFound(rt Route) echo.HandlerFunc {
	p := &page{app: a, route: rt}
	return func(c echo.Context) error {
		key, canonical, status := canonicalPath(c.Request().URL)
		if !canonical {
			return redirectCanonical(c, key, status)
		}
		if a.isDraft(c.Request()) {
			return p.serveDraft(c, key, notFound)
		}
		e, err := p.render(c.Request().Context(), key, nil, c.Request(), notFound)
		if err != nil {
			return p.sendError(c, key, err)
		}
		e.header.cacheControl = dynamicCacheControlValue
		return a.send(c, e, "")
	}
}

// Prerendered describes a page Prerender stored.
type Prerendered struct {
	Path  string // the page's URL path
	Bytes int    // the size of its HTML
	Holes int    // how many Dynamic holes it has, rendered per request
}

// Prerender renders the page of rt for params and stores it, as `framework
// build` does for every path StaticParams lists, so that its first request
// is a HIT. A page that renders a 404 fails: StaticParams listed a path that
// does not exist. Dynamic routes (Revalidate 0) are rendered but not stored.
func (a *App) Prerender(ctx context.Context, rt Route, params Params) (Prerendered, error) {
	key, err := rt.PathFor(params)
	if err != nil {
		return Prerendered{}, fmt.Errorf("prerender: %w", err)
	}
	p := &page{app: a, route: rt}
	e, err := p.render(ctx, key, params, nil, rt.Render)
	if err != nil {
		return Prerendered{}, fmt.Errorf("prerender %s: %w", key, err)
	}
	if e.status == http.StatusNotFound {
		return Prerendered{}, fmt.Errorf("prerender %s: %w", key, ErrNotFound)
	}
	// A prerender that did not reach the store is a build that did not
	// happen: its pages would render on their first requests instead.
	if err := a.save(p, key, params, e); err != nil {
		return Prerendered{}, fmt.Errorf("prerender %s: store: %w", key, err)
	}
	return Prerendered{Path: key, Bytes: len(e.body), Holes: len(e.holeAt)}, nil
}
