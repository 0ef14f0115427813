package framework

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// A Hole is a part of a page rendered for each request while the rest of
// the page is served from the cache: partial prerendering. Make one with
// PerRequest.
//
// A cached page's render leaves a hole where it meets one, and its entry
// keeps the page's HTML around it (the shell) with its window, tags,
// revalidation and single-flight as usual. A request is served the shell:
// the part before the first hole at once, then each hole rendered for that
// request, in order. A hole reads the request through HTTPRequest or Cookie
// and may use Fetch, Cache and CacheComponent; it is bounded by the app's
// RenderTimeout through its context.
//
// A page with holes is personal: its responses are sent with
// "Cache-Control: private, no-store" and no ETag, uncompressed. Pages
// without holes are unchanged. In a render that has the request already
// (a dynamic page, draft mode, the dev server, inside another hole), a hole
// is rendered in place.
type Hole struct {
	content  templ.Component
	fallback templ.Component
	name     string // set by Register
}

// PerRequest returns a hole that renders c for each request. In a templ page:
//
//	@framework.PerRequest(greeting())
//
// If c fails (an error or a panic), the hole renders its Fallback, or
// nothing, and the error is reported like a failed render; the rest of the
// page is served as usual.
func PerRequest(c templ.Component) Hole {
	return Hole{content: c}
}

// Fallback returns the hole with f rendered in its place when its content
// fails.
func (h Hole) Fallback(f templ.Component) Hole {
	h.fallback = f
	return h
}

// Register registers the hole under name and returns it, for a package
// variable:
//
//	var greetingHole = framework.PerRequest(greeting()).Register("greeting")
//
// A page's shell read from the store (made by framework build, an earlier
// process or another instance) is served with its registered holes as they
// are; a shell with unregistered holes is rendered once more in the process
// that serves it, to get its holes' components. Register the holes of
// layouts and of pages that many URLs share, whose content does not depend
// on the page's data. Call it last (after Fallback): the hole served from
// the store is the one registered. Like http.Handle, it panics when name is
// empty or taken.
func (h Hole) Register(name string) Hole {
	if name == "" {
		panic("framework: Hole.Register with an empty name")
	}
	h.name = name
	if _, taken := registeredHoles.LoadOrStore(name, h); taken {
		panic("framework: a hole is registered as " + strconv.Quote(name) + " already")
	}
	return h
}

// registeredHoles holds the holes registered by name.
var registeredHoles sync.Map // string → Hole

// holeNames returns the names of holes, or nil when none is registered.
func holeNames(holes []Hole) []string {
	var names []string
	for i, h := range holes {
		if h.name != "" && names == nil {
			names = make([]string, len(holes))
		}
		if names != nil {
			names[i] = h.name
		}
	}
	return names
}

// registeredHolesOf returns the holes of e by their registered names, or
// false when one of them has none.
func registeredHolesOf(e *entry) ([]Hole, bool) {
	if len(e.holeNames) != len(e.holeAt) {
		return nil, false
	}
	holes := make([]Hole, len(e.holeNames))
	for i, name := range e.holeNames {
		h, ok := registeredHoles.Load(name)
		if !ok {
			return nil, false
		}
		holes[i] = h.(Hole)
	}
	return holes, true
}

// Render leaves the hole in a shared render, or renders it for the
// request. It implements templ.Component.
func (h Hole) Render(ctx context.Context, w io.Writer) error {
	st := stateFrom(ctx)
	if inSharedComponent(ctx) {
		// In a Cached component, whose HTML is kept for everyone, a
		// personal hole cannot be: its fallback stands in.
		h.content = nil
	} else if st != nil && st.request == nil {
		_, err := io.WriteString(w, st.holeMarker(h))
		return err
	}
	b := h.renderFor(ctx, st)
	_, err := w.Write(b.Bytes())
	putBuffer(b)
	return err
}

// renderFor renders the hole's content, or its fallback when the content
// fails, or nothing when both do, into a buffer from bufferPool. Failures
// are reported through st's app: one hole never fails its page.
func (h Hole) renderFor(ctx context.Context, st *renderState) *bytes.Buffer {
	b := bufferPool.Get().(*bytes.Buffer)
	for _, c := range []templ.Component{h.content, h.fallback} {
		if c == nil {
			continue
		}
		err := renderRecovered(ctx, c, b)
		if err == nil {
			return b
		}
		b.Reset()
		if st != nil && st.app != nil {
			st.app.reportError(ctx, &RenderError{Path: st.path, Route: st.route, Err: fmt.Errorf("dynamic hole: %w", err)})
		}
	}
	return b
}

// renderRecovered renders c into w, turning a panic into an error.
func renderRecovered(ctx context.Context, c templ.Component, w io.Writer) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return c.Render(ctx, w)
}

// putBuffer returns b to bufferPool unless it grew large.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		b.Reset()
		bufferPool.Put(b)
	}
}

// HTTPRequest returns the request being served by a hole or by a dynamic
// page's render (Revalidate 0, draft mode), and nil in the render of a
// cached page or of a Cached component, which are shared by every visitor.
func HTTPRequest(ctx context.Context) *http.Request {
	if st := stateFrom(ctx); st != nil && !inSharedComponent(ctx) {
		return st.request
	}
	return nil
}

// Cookie returns the value of the request's cookie name, unescaped as by
// url.QueryUnescape, or "" when there is none (or no request: see
// HTTPRequest).
func Cookie(ctx context.Context, name string) string {
	r := HTTPRequest(ctx)
	if r == nil {
		return ""
	}
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	return v
}

// holeMarkerPrefix starts the comment a shared render writes where a hole
// goes. The render's random token follows, so page content cannot forge
// one.
const holeMarkerPrefix = "<!--framework-hole:"

// holeMarker records h as the next hole of the render and returns the
// marker to write in its place.
func (st *renderState) holeMarker(h Hole) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.holeToken == "" {
		var b [12]byte
		rand.Read(b[:])
		st.holeToken = hex.EncodeToString(b[:])
	}
	st.holes = append(st.holes, h)
	return holeMarkerPrefix + st.holeToken + ":" + strconv.Itoa(len(st.holes)-1) + "-->"
}

// cutHoles takes the markers of st's holes out of html. It returns the
// shell, the offsets of the holes in it and the holes in the order of the
// page (which templ components that buffer may change from the order they
// were rendered in). A marker a component dropped is a hole less.
func (st *renderState) cutHoles(html []byte) (shell []byte, at []int, holes []Hole) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.holes) == 0 {
		return html, nil, nil
	}
	prefix := []byte(holeMarkerPrefix + st.holeToken + ":")
	shell = make([]byte, 0, len(html))
	for {
		i := bytes.Index(html, prefix)
		if i < 0 {
			break
		}
		rest := html[i+len(prefix):]
		end := bytes.Index(rest, []byte("-->"))
		n, err := strconv.Atoi(string(rest[:max(end, 0)]))
		if end < 0 || err != nil || n < 0 || n >= len(st.holes) {
			// Not one of ours after all: keep it as text.
			shell = append(shell, html[:i+len(prefix)]...)
			html = rest
			continue
		}
		shell = append(shell, html[:i]...)
		at = append(at, len(shell))
		holes = append(holes, st.holes[n])
		html = rest[end+len("-->"):]
	}
	return append(shell, html...), at, holes
}

// withHoles returns e, a page with holes, with the components of its holes:
// those it was rendered with, those registered under their names, or those
// of a render of the page in this process (holeRenders), which is returned
// instead when its holes differ.
func (p *page) withHoles(key string, e *entry, params func() Params) *entry {
	if e.holes.Load() != nil {
		return e
	}
	if registered, ok := registeredHolesOf(e); ok {
		e.holes.Store(&registered)
		return e
	}
	a := p.app
	e, _ = a.holes.of(key, e, func() (*entry, error) {
		r, err := p.render(context.Background(), key, params(), nil, p.route.Render)
		if err != nil {
			a.reportError(context.Background(), &RenderError{Path: key, Route: p.route.Pattern, Err: fmt.Errorf("rendering the holes of a stored page: %w", err)})
		}
		return r, err
	})
	return e
}

// streamHoles writes e, a page with holes, whose headers are set: the shell
// up to the first hole at once, then each hole rendered for this request
// followed by the shell up to the next. Holes whose components could not
// be had render nothing.
//
// With a Content-Security-Policy, the hashes of the holes' inline scripts
// and styles must be in the header, sent before the body: the holes are
// rendered first, and the shell is sent with them.
func (p *page) streamHoles(c echo.Context, key string, e *entry) error {
	req, res := c.Request(), c.Response()
	ctx, cancel := context.WithTimeout(req.Context(), p.app.opts.RenderTimeout)
	defer cancel()
	st := &renderState{app: p.app, window: Never, request: req, path: key, route: p.route.Pattern}
	ctx = context.WithValue(ctx, renderStateKey{}, st)
	holes := e.holes.Load()
	render := func(i int) *bytes.Buffer {
		if holes == nil || i >= len(*holes) {
			return nil
		}
		return p.renderHole(ctx, st, (*holes)[i], i)
	}
	var rendered []*bytes.Buffer
	if p.app.csp != nil && req.Method != http.MethodHead {
		rendered = make([]*bytes.Buffer, len(e.holeAt))
		sources := e.cspSources
		for i := range rendered {
			if rendered[i] = render(i); rendered[i] != nil {
				sources = mergeSources(sources, inlineSources(rendered[i].Bytes()))
			}
		}
		res.Header()["Content-Security-Policy"] = p.app.csp.header(sources)
		render = func(i int) *bytes.Buffer { return rendered[i] }
	}
	res.WriteHeader(e.status)
	if req.Method == http.MethodHead {
		return nil
	}
	if _, err := res.Write(e.body[:e.holeAt[0]]); err != nil {
		return err
	}
	if rendered == nil {
		flush(res)
	}
	for i, at := range e.holeAt {
		if b := render(i); b != nil {
			_, err := res.Write(b.Bytes())
			putBuffer(b)
			if err != nil {
				return err
			}
		}
		end := len(e.body)
		if i+1 < len(e.holeAt) {
			end = e.holeAt[i+1]
		}
		if _, err := res.Write(e.body[at:end]); err != nil {
			return err
		}
	}
	return nil
}

// flush sends what res holds so far. Echo's Flush panics on a writer that
// cannot flush (a middleware's wrapper, say); the controller unwraps it or
// says it cannot.
func flush(res *echo.Response) {
	if f, ok := res.Writer.(http.Flusher); ok {
		f.Flush()
	} else {
		http.NewResponseController(res.Writer).Flush()
	}
}

// holeRenders gives the entries read from the store (rendered by an earlier
// process or another instance) the holes their pages render: templ
// components do not survive the store, so the page is rendered in this
// process, once per key for the requests that wait.
type holeRenders struct {
	flights flights
	timeout time.Duration // how long a request waits on another's render
}

// of makes the holes of e with render, a render of its page. When that
// render has other holes than e (its data changed meanwhile), it is served
// itself; when it fails, e is served with its holes empty, rather than a
// 500.
func (h *holeRenders) of(key string, e *entry, render func() (*entry, error)) (*entry, *[]Hole) {
	fl, leader := h.flights.join(key)
	if leader {
		// The holes are stored in e before the flight lands, and looked
		// for again here: a request that saw e without them just before
		// another's flight landed then finds them, rather than rendering
		// the page again.
		r, err := e, error(nil)
		if e.holes.Load() == nil {
			r, err = render()
			if err == nil && len(r.holeAt) == len(e.holeAt) && r.status == e.status {
				e.holes.Store(r.holes.Load())
			}
		}
		h.flights.land(key, fl, r, err)
	} else {
		select {
		case <-fl.done:
		case <-time.After(h.timeout):
			return e, nil
		}
	}
	r := fl.e
	if fl.err != nil || r == nil {
		return e, nil
	}
	holes := r.holes.Load()
	if len(r.holeAt) != len(e.holeAt) || r.status != e.status {
		if len(r.holeAt) == 0 {
			return e, nil
		}
		return r, holes
	}
	e.holes.Store(holes)
	return e, holes
}
