package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework/internal/pagescan"
)

// renderState is what one render collects as it runs: the lowest revalidate
// window and the tags of the data it read, the page's metadata, and the data
// calls already made (identical calls in one render are made once).
type renderState struct {
	app *App
	// request is the request being served, in the render of a dynamic page
	// or of a hole; nil in a render shared by every visitor.
	request *http.Request
	// path and route name the page, for errors.
	path, route string

	mu       sync.Mutex
	window   time.Duration
	tags     map[string]struct{}
	metadata Metadata
	calls    map[string]*call

	// holes are the PerRequest holes a shared render met, in the order it
	// met them; holeToken makes their markers in the output unforgeable.
	holes     []Hole
	holeToken string
}

// A call is one data read shared by the identical calls of a render.
type call struct {
	done   chan struct{}
	value  []byte
	window time.Duration // the value's window and tags (dataValue)
	tags   []string
	err    error
}

type renderStateKey struct{}

func stateFrom(ctx context.Context) *renderState {
	st, _ := ctx.Value(renderStateKey{}).(*renderState)
	return st
}

// useData lowers the page's window to window and adds tags.
func (st *renderState) useData(window time.Duration, tags []string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.window = min(st.window, window)
	if len(tags) > 0 && st.tags == nil {
		st.tags = make(map[string]struct{})
	}
	for _, t := range tags {
		st.tags[t] = struct{}{}
	}
}

// tagList returns the collected tags, sorted so entries are deterministic.
func (st *renderState) tagList() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.tags) == 0 {
		return nil
	}
	tags := make([]string, 0, len(st.tags))
	for t := range st.tags {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	return tags
}

// setMetadata sets the metadata of the page being rendered
// (runtime.SetMetadata).
func setMetadata(ctx context.Context, m Metadata) {
	if st := stateFrom(ctx); st != nil {
		if st.app != nil {
			m = st.app.sites.absoluteMetadata(m, st.app.opts.SiteURL, st.app.log)
		}
		st.mu.Lock()
		st.metadata = m
		st.mu.Unlock()
	}
}

// MetadataFrom returns the metadata of the page being rendered, for a
// layout to fill <head>; the zero Metadata outside a render or when the page
// set none.
func MetadataFrom(ctx context.Context) Metadata {
	if st := stateFrom(ctx); st != nil {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.metadata
	}
	return Metadata{}
}

// withLayouts wraps body in layouts, outermost first.
func withLayouts(layouts []templ.Component, body templ.Component) templ.Component {
	for i := len(layouts) - 1; i >= 0; i-- {
		layout, children := layouts[i], body
		body = templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			return layout.Render(templ.WithChildren(ctx, children), w)
		})
	}
	return body
}

// bufferPool holds render buffers: templ may write part of a page before
// failing, so a page is rendered whole into a buffer before it is cached or
// sent.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderBytes renders c and returns a copy of its output.
func renderBytes(ctx context.Context, c templ.Component) ([]byte, error) {
	buf := bufferPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			bufferPool.Put(buf)
		}
	}()
	if err := c.Render(ctx, buf); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// htmlContentType is the Content-Type of every page.
const htmlContentType = "text/html; charset=utf-8"

// renderBounded runs the route's Render for path and makes the resulting entry:
// the page, a 404 (ErrNotFound) or a redirect. It recovers panics and gives
// up after the app's RenderTimeout, even if Render ignores its context.
//
// parent only bounds the render; renders shared by several requests or run
// in the background pass context.Background(), so that one client going away
// does not fail the others.
func (p *page) renderBounded(parent context.Context, path string, params Params, r *http.Request, renderFn renderFunc) (*entry, error) {
	a := p.app
	ctx, cancel := context.WithTimeout(parent, a.opts.RenderTimeout)
	defer cancel()
	st := &renderState{app: a, window: p.route.Revalidate, request: r, path: path, route: p.route.Pattern}
	ctx = context.WithValue(ctx, renderStateKey{}, st)

	type result struct {
		e   *entry
		err error
	}
	start := time.Now()
	done := make(chan result, 1)
	goRender(func() {
		var res result
		defer func() {
			if v := recover(); v != nil {
				res = result{err: fmt.Errorf("panic: %v\n%s", v, debug.Stack())}
			}
			done <- res
		}()
		res.e, res.err = p.renderEntry(ctx, st, &Request{Path: path, Params: params, HTTP: r}, renderFn)
	})
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		res.err = parent.Err()
		if res.err == nil {
			res.err = fmt.Errorf("render timed out after %v", a.opts.RenderTimeout)
		}
	}
	a.metrics.rendered(time.Since(start), res.err)
	return res.e, res.err
}

// renderers hands renders to goroutines that finished one and wait, for
// renderIdle, for the next. A render runs on a goroutine of its own so that
// one that hangs past RenderTimeout can be left behind; but a new goroutine
// starts with a small stack, and a render's (templates, a database
// driver's) grows to tens of KB, which a reused goroutine grows once.
var renderers = make(chan func())

const renderIdle = 10 * time.Second

// goRender runs f on a waiting render goroutine, or on a new one.
func goRender(f func()) {
	select {
	case renderers <- f:
	default:
		go renderLoop(f)
	}
}

// renderLoop runs f, then the renders handed to it, until none comes for
// renderIdle.
func renderLoop(f func()) {
	idle := time.NewTimer(renderIdle)
	defer idle.Stop()
	for {
		f()
		idle.Reset(renderIdle)
		select {
		case f = <-renderers:
		case <-idle.C:
			return
		}
	}
}

func (p *page) renderEntry(ctx context.Context, st *renderState, req *Request, renderFn renderFunc) (*entry, error) {
	a := p.app
	start := a.now()
	body, err := renderFn(ctx, req)
	status, location, contentType := http.StatusOK, "", htmlContentType
	var redirect *RedirectError
	switch {
	case err == nil && body == nil:
		return nil, errors.New("Render returned neither a component nor an error")
	case err == nil:
		if p.route.ContentType != "" {
			contentType = p.route.ContentType
		}
	case errors.Is(err, ErrNotFound):
		status, body = http.StatusNotFound, p.route.NotFound
		if body == nil {
			// A route without a not-found page (a sitemap's parts) says
			// so in plain text, as net/http does.
			body, contentType = templ.Raw("404 page not found"), textContentType
		}
	case errors.As(err, &redirect):
		status, location = redirect.Status, redirect.URL
		switch status {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			status = http.StatusTemporaryRedirect
		}
		if location == "" {
			return nil, errors.New("redirect to an empty URL")
		}
	default:
		return nil, err
	}
	var html []byte
	if location == "" {
		if html, err = renderBytes(ctx, withLayouts(p.route.Layouts, body)); err != nil {
			return nil, err
		}
	}
	window, expire := st.window, p.route.expire()
	if status == http.StatusNotFound {
		window, expire = min(window, a.opts.NotFoundWindow), 0
	}
	html, holeAt, holes := st.cutHoles(html)
	var e *entry
	if last := p.lastNotFound.Load(); status == http.StatusNotFound && holes == nil && last != nil && last.plainLen == len(html) && last.etag() == bodyETag(html) {
		// A route's 404s are usually one page: share its bytes, so that
		// many cached 404s cost little memory and no compression.
		e = &entry{status: status, body: last.body, gzipBody: last.gzipBody, plainLen: last.plainLen, sharedBody: true,
			generatedAt: start.UnixNano(), revalidate: window, expire: expire, tags: st.tagList(), cspSources: last.cspSources}
		e.header.vals[slotContentType] = last.contentType()
		e.header.vals[slotEtag] = last.etag()
	} else {
		e = newPageEntry(status, contentType, location, html, holeAt, start, window, expire, st.tagList())
		// A prerender that lists the page's links has them read in the
		// same pass (pagescan.WithLinks).
		if links := pagescan.LinksOf(ctx); location == "" && (a.csp != nil || links != nil) {
			sources := pagescan.Scan(html, a.csp != nil, links)
			if a.csp != nil {
				e.cspSources = sources // before lastNotFound shares it
			}
		}
		if holes != nil {
			e.holes.Store(&holes)
			e.holeNames = holeNames(holes)
		} else if status == http.StatusNotFound {
			p.lastNotFound.Store(e)
		}
	}
	e.preparePage(req.Path, a.opts.CacheTagHeader)
	e.setCSP(a.csp)
	return e, nil
}

// notFound is the Render of a params not in StaticParams.
func notFound(context.Context, *Request) (templ.Component, error) { return nil, ErrNotFound }

// errorPage renders the route's Error body in its layouts, for a 500. It
// falls back to plain text when that fails too.
func (p *page) errorPage(ctx context.Context) []byte {
	body := p.route.Error
	if body != nil {
		html, err := renderBytes(ctx, withLayouts(p.route.Layouts, body))
		if err == nil {
			return html
		}
	}
	return []byte("500 internal server error")
}
