package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// ErrorInfo is what an error page shows: the status of the answer and a
// message a visitor may read. An app's error.templ (and not_found.templ)
// reads it with ErrorFrom.
type ErrorInfo struct {
	// Status is the HTTP status: 500 for a page whose render failed, else
	// that of the error a route handler or middleware returned (an
	// *echo.HTTPError's Code; 500 for any other error).
	Status int
	// Message is the *echo.HTTPError's Message (a string, an error or a
	// fmt.Stringer; the status text for anything else), or the status
	// text ("Internal Server Error") for any other error: the cause of a
	// 500 goes to the log and Options.OnError, never to the visitor.
	Message string
}

type errorInfoKey struct{}

// ErrorFrom returns the error that the page being rendered answers: in an
// error.templ (or a not_found.templ rendered for a 404 a route handler
// returned), its status and message. Anywhere else, and for a page whose
// render failed, it is a 500 "Internal Server Error".
//
//	templ Error() {
//		{{ e := framework.ErrorFrom(ctx) }}
//		<h1>{ e.Message }</h1>
//	}
func ErrorFrom(ctx context.Context) ErrorInfo {
	if e, ok := ctx.Value(errorInfoKey{}).(ErrorInfo); ok {
		return e
	}
	return ErrorInfo{Status: http.StatusInternalServerError, Message: http.StatusText(http.StatusInternalServerError)}
}

// errorPages are the error and not-found pages of an app by path prefix:
// the Routes passed to App.NotFound, whose Pattern ("/admin/*") says
// which URLs they cover.
type errorPages struct {
	mu     sync.RWMutex
	routes []errorRoute // deepest first, so that a path finds its nearest
}

type errorRoute struct {
	segments []string // of the pattern, without its trailing "*"
	route    Route
}

// add remembers rt for the URLs below its Pattern; a Route without a
// Pattern covers nothing.
func (p *errorPages) add(rt Route) {
	if rt.Pattern == "" {
		return
	}
	segs := splitPath(strings.TrimSuffix(rt.Pattern, "*"))
	p.mu.Lock()
	defer p.mu.Unlock()
	p.routes = slices.DeleteFunc(p.routes, func(r errorRoute) bool { return r.route.Pattern == rt.Pattern })
	i, _ := slices.BinarySearchFunc(p.routes, len(segs), func(r errorRoute, n int) int { return n - len(r.segments) })
	for i < len(p.routes) && len(p.routes[i].segments) == len(segs) {
		i++ // after those as deep, so that the first registered wins a tie
	}
	p.routes = slices.Insert(p.routes, i, errorRoute{segments: segs, route: rt})
}

// nearest returns the deepest Route that covers path, or nil.
func (p *errorPages) nearest(path string) *Route {
	segs := splitPath(path)
	p.mu.RLock()
	defer p.mu.RUnlock()
	for i := range p.routes {
		if covers(p.routes[i].segments, segs) {
			rt := p.routes[i].route
			return &rt
		}
	}
	return nil
}

// covers reports whether a pattern's segments are a prefix of a path's:
// ":param" matches any one segment, "*" the rest.
func covers(pattern, path []string) bool {
	for i, s := range pattern {
		if s == "*" {
			return len(path) > i
		}
		if i >= len(path) || (s != path[i] && !strings.HasPrefix(s, ":")) {
			return false
		}
	}
	return true
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// httpErrorHandler answers the errors that route handlers and middleware
// return (and Echo's own: an unknown URL with no not-found route, a method
// no route takes). runtime.Register installs it as e.HTTPErrorHandler; set
// yours after Register to replace it.
//
// A request whose Accept header prefers text/html (a browser's) gets an
// HTML page: the nearest error.templ for its path (not_found.templ for a
// 404) inside its layouts, which reads the status and message with
// ErrorFrom, or a plain page saying both when the app has none. Any other
// request (an API client, curl's */*) gets Echo's JSON, {"message": "..."}.
//
// A 5xx is logged once, with its cause (the error, an *echo.HTTPError's
// Internal error, or a panic with its stack), and passed to
// Options.OnError as a *RenderError whose Method is the request's.
func (a *App) httpErrorHandler(err error, c echo.Context) {
	status, message, cause := httpErrorOf(err)
	a.reportHTTPError(c, status, cause)
	res := c.Response()
	if res.Committed {
		return
	}
	req := c.Request()
	h := res.Header()
	h.Add("Vary", "Accept")
	wantHTML := prefersHTML(req.Header.Values("Accept"))
	if wantHTML {
		h["Content-Type"] = htmlContentTypeValue
		h["Cache-Control"] = dynamicCacheControlValue
	}
	if req.Method == http.MethodHead {
		res.WriteHeader(status)
		return
	}
	var werr error
	if wantHTML {
		page := a.errorPageHTML(req.Context(), req.URL.Path, status, messageText(status, message))
		if a.csp != nil {
			h["Content-Security-Policy"] = a.csp.header(inlineSources(page))
		}
		werr = c.HTMLBlob(status, page)
	} else {
		werr = c.JSON(status, jsonMessage(message, err, c.Echo().Debug))
	}
	if werr != nil {
		a.opts.Logger.Debug("framework: writing an error answer", "path", req.URL.Path, "err", werr)
	}
}

// httpErrorOf returns the status, the message for the client and the
// cause of an error a handler returned.
func httpErrorOf(err error) (status int, message any, cause error) {
	var he *echo.HTTPError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		if inner, ok := he.Internal.(*echo.HTTPError); ok {
			he = inner // as Echo's own handler does
		}
		cause = he.Internal
		if cause == nil {
			cause = err
		}
		return he.Code, he.Message, cause
	case errors.As(err, &tooLarge):
		// A body read past the server's limit is the client's doing, not
		// a bug: a 413, as when its declared length is over the limit.
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", tooLarge.Limit), err
	}
	return http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError), err
}

// messageText is an HTTPError's Message as a visitor reads it.
func messageText(status int, message any) string {
	switch m := message.(type) {
	case string:
		return m
	case error:
		return m.Error()
	case fmt.Stringer:
		return m.String()
	}
	return http.StatusText(status)
}

// jsonMessage is the JSON body of an error, as Echo's own handler makes it:
// {"message": "..."}, or a Message that marshals itself as it is.
func jsonMessage(message any, err error, debug bool) any {
	switch m := message.(type) {
	case string:
		if debug {
			return echo.Map{"message": m, "error": err.Error()}
		}
		return echo.Map{"message": m}
	case json.Marshaler:
		return m
	case error:
		return echo.Map{"message": m.Error()}
	}
	return message
}

// reportedKey marks, in an echo.Context, a request whose 5xx was reported,
// so that a middleware that also calls c.Error (Echo's RequestLogger with
// HandleError) does not report it twice.
const reportedKey = "github.com/isr-go/framework.errorReported"

// reportHTTPError logs a 5xx with its cause and passes it to OnError, once
// per request. A client that went away (a cancelled context, a broken
// connection) is no error of the app's.
func (a *App) reportHTTPError(c echo.Context, status int, cause error) {
	if status < 500 || c.Get(reportedKey) != nil || clientGone(cause) {
		return
	}
	c.Set(reportedKey, true)
	req := c.Request()
	re := &RenderError{Path: req.URL.Path, Route: c.Path(), Method: req.Method, Err: cause}
	a.opts.Logger.ErrorContext(req.Context(), "framework: "+re.Error(), "method", re.Method, "path", re.Path, "route", re.Route, "status", status)
	if a.opts.OnError != nil {
		a.opts.OnError(req.Context(), re)
	}
}

func clientGone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// errorPageHTML renders the error page for path: the nearest NotFound (for
// a 404) or Error body in its layouts, else a plain page.
func (a *App) errorPageHTML(ctx context.Context, path string, status int, message string) []byte {
	if rt := a.errorPages.nearest(path); rt != nil {
		body := rt.Error
		if status == http.StatusNotFound {
			body = rt.NotFound
		}
		if body != nil {
			ctx = context.WithValue(ctx, errorInfoKey{}, ErrorInfo{Status: status, Message: message})
			page, err := renderErrorPage(ctx, withLayouts(rt.Layouts, body))
			if err == nil {
				return page
			}
			a.opts.Logger.ErrorContext(ctx, "framework: the error page failed: "+err.Error(), "path", path, "route", rt.Pattern, "status", status)
		}
	}
	return plainErrorPage(status, message)
}

// renderErrorPage renders c, a panic being an error.
func renderErrorPage(ctx context.Context, c templ.Component) (page []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return renderBytes(ctx, c)
}

// plainErrorPage is the error page of an app without an error.templ: the
// status and the message, readable.
func plainErrorPage(status int, message string) []byte {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title></head><body><h1>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</h1>")
	if message != "" && message != http.StatusText(status) {
		b.WriteString("<p>" + html.EscapeString(message) + "</p>")
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

// prefersHTML reports whether an Accept header prefers text/html to
// application/json, by RFC 9110's rules: each type takes the quality of
// the most specific range that matches it ("text/html" before "text/*"
// before "*/*"), and at equal quality the one named more specifically
// wins. A browser's "text/html,...,*/*;q=0.8" prefers HTML; "*/*", no
// header and "application/json" do not.
func prefersHTML(values []string) bool {
	htmlQ, htmlS := 0.0, -1 // quality and specificity of the range that matched
	jsonQ, jsonS := 0.0, -1
	for _, v := range values {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			mediaRange, params, _ := strings.Cut(part, ";")
			typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(mediaRange)), "/")
			if !ok {
				continue
			}
			q, ok := quality(params)
			if !ok {
				continue
			}
			if s := specificity(typ, sub, "text", "html"); s > htmlS {
				htmlQ, htmlS = q, s
			}
			if s := specificity(typ, sub, "application", "json"); s > jsonS {
				jsonQ, jsonS = q, s
			}
		}
	}
	return htmlQ > 0 && (htmlQ > jsonQ || (htmlQ == jsonQ && htmlS > jsonS))
}

// specificity returns how specifically the range typ/sub names the media
// type t/s: 2 exactly, 1 by "t/*", 0 by "*/*", -1 not at all.
func specificity(typ, sub, t, s string) int {
	switch {
	case typ == t && sub == s:
		return 2
	case typ == t && sub == "*":
		return 1
	case typ == "*" && sub == "*":
		return 0
	}
	return -1
}

// quality returns the q parameter among a media range's params (1 when
// absent), and false when it is not a number from 0 to 1.
func quality(params string) (float64, bool) {
	for params != "" {
		var param string
		param, params, _ = strings.Cut(params, ";")
		name, value, _ := strings.Cut(strings.TrimSpace(param), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || q < 0 || q > 1 {
			return 0, false
		}
		return q, true
	}
	return 1, true
}

// callHandler runs a route handler, a panic becoming an error with its
// stack, so that the app's error handler answers and reports it as it does
// a returned one, whether or not the app uses Echo's Recover middleware.
// http.ErrAbortHandler stays a panic: it aborts the response on purpose.
func callHandler(h echo.HandlerFunc, c echo.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return h(c)
}
