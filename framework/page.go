package framework

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework/internal/pagescan"
	"github.com/isr-go/framework/framework/store"
)

// page is a Route served by an App.
type page struct {
	app   *App
	route Route
	// src is what the cache renders the route's pages with.
	src renderer

	// allowed is the set of paths StaticParams returns, loaded on the first
	// miss of a StaticParamsOnly route.
	allowedMu sync.Mutex
	allowed   map[string]bool

	// lastNotFound is the route's last rendered 404, whose bytes the next
	// identical one shares.
	lastNotFound atomic.Pointer[entry]
}

// pageHandler returns the Echo handler that serves rt through the ISR
// cache (runtime.Page).
func (a *App) pageHandler(rt Route) echo.HandlerFunc {
	return a.newPage(rt).serve
}

// newPage returns the page of rt.
func (a *App) newPage(rt Route) *page {
	p := &page{app: a, route: rt}
	p.src = renderer{route: rt.Pattern, render: p.renderCached}
	return p
}

// renderCached renders the page of key for every visitor, as the cache
// asks: a key that StaticParams does not list, on a route that serves only
// those, renders the 404 page; a failure to load that list is a failed
// render like any other.
func (p *page) renderCached(ctx context.Context, key string, params Params) (*entry, error) {
	renderFn := p.route.Render
	if p.route.StaticParamsOnly {
		// ctx carries no deadline: the cache's renders outlive requests.
		listCtx, cancel := context.WithTimeout(ctx, p.app.opts.RenderTimeout)
		allowed, err := p.isStaticPath(listCtx, key)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("StaticParams: %w", err)
		}
		if !allowed {
			renderFn = notFound
		}
	}
	return p.render(ctx, key, params, nil, renderFn)
}

// serve answers a request for the page: from the cache, or rendered for
// this request alone (draft mode, Revalidate 0, the dev server, a sitemap
// without a site URL).
func (p *page) serve(c echo.Context) error {
	a := p.app
	key, draft, err := a.enter(c, false)
	if key == "" {
		return err
	}
	if draft {
		return p.serveDraft(c, key, p.route.Render)
	}
	if a.perRequestURLs(&p.route) {
		return p.serveSiteFile(c, key)
	}
	if p.route.Revalidate <= 0 || a.opts.Dev {
		return p.serveDynamic(c, key, p.route.Render)
	}
	params := func() Params { return p.params(c) }
	e, state, err := a.cache.serve(c.Request().Context(), key, &p.src, params)
	if err != nil {
		// The cache reported the failed render, once for the requests
		// that shared it.
		return p.fail(c, key, cacheMiss, err, false)
	}
	return p.respond(c, key, e, state, params)
}

// serveDynamic renders the page for this request, neither read from nor
// written to the cache.
func (p *page) serveDynamic(c echo.Context, key string, renderFn renderFunc) error {
	e, err := p.render(c.Request().Context(), key, p.params(c), c.Request(), renderFn)
	if err != nil {
		return p.fail(c, key, "", err, true)
	}
	return p.respond(c, key, e, "", nil)
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

// renderFunc is the type of Route.Render.
type renderFunc = func(context.Context, *Request) (templ.Component, error)

// notFoundHandler returns the Echo handler for URLs that match no route
// (runtime.NotFound): rt's NotFound body inside its Layouts, answered 404
// and never cached. Only NotFound, Layouts and Error of rt are used, and its
// Pattern: the prefix the handler is registered for ("/admin/*"), below
// which httpErrorHandler answers browsers with rt's pages.
func (a *App) notFoundHandler(rt Route) echo.HandlerFunc {
	p := a.newPage(rt)
	a.errorPages.add(rt)
	return func(c echo.Context) error {
		key, draft, err := a.enter(c, false)
		if key == "" {
			return err
		}
		if draft {
			return p.serveDraft(c, key, notFound)
		}
		return p.serveDynamic(c, key, notFound)
	}
}

// prerender renders the page of rt for params and stores it, as `framework
// build` does for every path StaticParams lists (runtime.Prerender), so that
// its first request is a HIT. It returns the page's path, the size of its
// HTML and how many PerRequest holes it has. A page that renders a 404
// fails: StaticParams listed a path that does not exist. Dynamic routes
// (Revalidate 0) are rendered but not stored.
//
// With a pagescan.Links in ctx (pagescan.WithLinks), the render reads the
// page's links into it, kept for a page the server answers as it is, the
// same for everybody (200, text/html, no holes), and cleared for another.
func (a *App) prerender(ctx context.Context, rt Route, params Params) (path string, size, holes int, err error) {
	key, err := rt.PathFor(params)
	if err != nil {
		return "", 0, 0, fmt.Errorf("prerender: %w", err)
	}
	p := a.newPage(rt)
	e, err := p.render(ctx, key, params, nil, rt.Render)
	if err != nil {
		return "", 0, 0, fmt.Errorf("prerender %s: %w", key, err)
	}
	if e.status == http.StatusNotFound {
		return "", 0, 0, fmt.Errorf("prerender %s: %w", key, ErrNotFound)
	}
	// A prerender that did not reach the store is a build that did not
	// happen: its pages would render on their first requests instead. A
	// page too large for the store is the exception: it is logged, and
	// rendered on its first request into the memory tier.
	if err := a.cache.save(ctx, key, renderJob{source: &p.src, params: params}, e); err != nil && !errors.Is(err, store.ErrTooLarge) {
		return "", 0, 0, fmt.Errorf("prerender %s: store: %w", key, err)
	}
	if l := pagescan.LinksOf(ctx); l != nil && (e.status != http.StatusOK || len(e.holeAt) > 0 || !strings.HasPrefix(e.contentType(), "text/html")) {
		l.Links, l.Missing = nil, nil
	}
	return key, e.plainLen, len(e.holeAt), nil
}
