package framework

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Values of the X-Framework-Cache header.
const (
	cacheHit         = "HIT"         // fresh from the cache
	cacheStale       = "STALE"       // from the cache while it regenerates
	cacheMiss        = "MISS"        // not cached: rendered in the request
	cacheRevalidated = "REVALIDATED" // expired on demand or past Expire: rendered in the request
)

// headerCache is the response header that tells how the cache answered.
const headerCache = "X-Framework-Cache"

// Header values shared by every response, so that sending allocates none.
var (
	htmlContentTypeValue     = []string{htmlContentType}
	dynamicCacheControlValue = []string{dynamicCacheControl}
	privateCacheControlValue = []string{privateCacheControl}
	hitValue                 = []string{cacheHit}
	staleValue               = []string{cacheStale}
	missValue                = []string{cacheMiss}
	bypassValue              = []string{cacheBypass}
	revalidatedValue         = []string{cacheRevalidated}
	gzipValue                = []string{"gzip"}
	varyValue                = []string{"Accept-Encoding"}
)

func cacheStateValue(state string) []string {
	switch state {
	case cacheHit:
		return hitValue
	case cacheStale:
		return staleValue
	case cacheMiss:
		return missValue
	case cacheRevalidated:
		return revalidatedValue
	case cacheBypass:
		return bypassValue
	}
	return nil
}

// enter starts every request the App answers through Echo: pages, 404s and
// route handlers. A path that is not canonical is answered here (see
// answerNonCanonical) and key is "". Otherwise key is the canonical path,
// the cache key, and draft tells whether the request carries a valid draft
// cookie. withContext puts the App and the draft mode in the request's
// context, for a route handler's calls of the package-level functions;
// a page's renders find them in their render state, so that the hit path
// allocates nothing.
func (a *App) enter(c echo.Context, withContext bool) (key string, draft bool, err error) {
	r := c.Request()
	key, canonical, status := canonicalPath(r.URL)
	if !canonical {
		answerNonCanonical(c.Response(), r, key, status)
		return "", false, nil
	}
	draft = a.isDraft(r)
	if withContext {
		ctx := a.Context(r.Context())
		if draft {
			ctx = withDraftMode(ctx)
		}
		c.SetRequest(r.WithContext(ctx))
	}
	return key, draft, nil
}

// respond writes a page's response: e with its X-Framework-Cache state
// (cacheBypass in draft mode, "" when rendered for this request alone).
// Every page response's headers are set here (setPageHeader); the body is
// gzipped when the client accepts it, 304 when the client has it already,
// or streamed hole by hole for a page with holes.
func (p *page) respond(c echo.Context, key string, e *entry, state string, params func() Params) error {
	a := p.app
	req, res := c.Request(), c.Response()
	if e.holeAt != nil {
		e = p.withHoles(key, e, params)
	}
	if e.status != http.StatusInternalServerError {
		a.metrics.served(state)
	}
	if setPageHeader(res.Header(), e, state) && e.status == http.StatusOK && etagMatches(req.Header["If-None-Match"], e.etag()) {
		res.WriteHeader(http.StatusNotModified)
		return nil
	}
	if e.holeAt != nil {
		return p.streamHoles(c, key, e)
	}
	return p.writeBody(req, res, key, e)
}

// setPageHeader sets the headers of a page response and reports whether it
// has an ETag. A response rendered for one visitor (draft mode, a page
// with holes) may be kept by no cache and has no ETag; one rendered for
// this request alone (state "") or a 500 may not be kept either; a cached
// page says for how long it may be.
func setPageHeader(h http.Header, e *entry, state string) (etag bool) {
	private := state == cacheBypass || e.holeAt != nil
	h["Content-Type"] = e.header.value(slotContentType)
	switch {
	case private:
		h["Cache-Control"] = privateCacheControlValue
	case state == "" || e.status == http.StatusInternalServerError:
		h["Cache-Control"] = dynamicCacheControlValue
	default:
		h["Cache-Control"] = e.header.value(slotCacheControl)
	}
	if v := cacheStateValue(state); v != nil {
		h[headerCache] = v
	}
	if v := e.header.value(slotEtag); !private && v != nil {
		h["Etag"] = v
		etag = true
	}
	if v := e.header.value(slotCacheTag); !private && v != nil {
		h["Cache-Tag"] = v
	}
	if v := e.header.value(slotLocation); v != nil {
		h["Location"] = v
	}
	if e.header.csp != nil {
		h["Content-Security-Policy"] = e.header.csp
	}
	if e.gzipBody != nil {
		h["Vary"] = varyValue
	}
	return etag
}

// writeBody writes e's status, Content-Length and body (none for HEAD),
// gzipped when the client accepts it, else decompressed by the memory tier
// (key's, when it holds e).
func (p *page) writeBody(req *http.Request, res *echo.Response, key string, e *entry) error {
	body, length := e.body, e.header.value(slotLength)
	if e.gzipBody != nil {
		if acceptsGzip(req.Header["Accept-Encoding"]) {
			res.Header()["Content-Encoding"] = gzipValue
			body, length = e.gzipBody, e.header.value(slotGzipLength)
		} else if req.Method != http.MethodHead {
			var err error
			if body, err = p.app.cache.hot.plainBody(key, e); err != nil {
				return err
			}
		}
	}
	res.Header()["Content-Length"] = length
	res.WriteHeader(e.status)
	if req.Method == http.MethodHead {
		return nil
	}
	_, err := res.Write(body)
	return err
}

// fail answers a failed render with the route's error page, 500, and
// reports the failure (logged and passed to Options.OnError) unless the
// cache did already.
func (p *page) fail(c echo.Context, key, state string, err error, report bool) error {
	a := p.app
	ctx := c.Request().Context()
	if state == cacheBypass {
		ctx = withDraftMode(ctx)
	}
	a.metrics.errors.Add(1)
	if report {
		a.reportError(ctx, &RenderError{Path: key, Route: p.route.Pattern, Err: err})
	}
	e := errorEntry(p.errorPage(ctx))
	e.setCSP(a.csp)
	return p.respond(c, key, e, state, nil)
}

// errorEntry is the response of a failed render: body as HTML, never
// cached.
func errorEntry(body []byte) *entry {
	e := &entry{status: http.StatusInternalServerError, body: body, plainLen: len(body)}
	e.header.vals[slotContentType] = htmlContentType
	e.header.vals[slotLength] = strconv.Itoa(len(body))
	return e
}

// answerNonCanonical answers a request whose path is not canonical: 308 to
// the canonical path key with the query kept, or the 4xx its path deserves
// (status), in plain text. It is the one answer of canonicalPaths, pages,
// 404s and route handlers.
func answerNonCanonical(w http.ResponseWriter, r *http.Request, key string, status int) {
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header()["Location"] = []string{withQuery(key, r.URL.RawQuery)}
	w.WriteHeader(http.StatusPermanentRedirect)
}
