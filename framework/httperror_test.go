package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// browserAccept is what Chromium sends with a navigation or a form post.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"

func TestPrefersHTML(t *testing.T) {
	for _, tc := range []struct {
		accept string
		want   bool
	}{
		{browserAccept, true},
		{"text/html", true},
		{"text/*", true},
		{"TEXT/HTML; q=1", true},
		{"text/html, */*", true},                          // named beats */* at equal quality
		{"application/json;q=0.5, text/html;q=0.8", true}, // order does not matter, quality does
		{"", false},
		{"*/*", false},
		{"application/json", false},
		{"application/json, text/html", false}, // a tie keeps JSON
		{"text/html;q=0.9, */*", false},        // JSON (through */*) at 1 beats HTML at 0.9
		{"text/html;q=0", false},
		{"text/html;q=0, */*", false},
		{"text/html;q=abc", false}, // a bad quality drops the range
		{"application/json;q=0, text/*;q=0.1", true},
		{"text/html;level=1;q=0.7, application/*;q=0.5", true},
	} {
		var values []string
		if tc.accept != "" {
			values = []string{tc.accept}
		}
		if got := prefersHTML(values); got != tc.want {
			t.Errorf("prefersHTML(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}

func TestErrorPagesNearest(t *testing.T) {
	var p errorPages
	for _, pattern := range []string{"/*", "/blog/:id/*", "/admin/*", "/docs/*/*", ""} {
		p.add(Route{Pattern: pattern, Error: templ.Raw(pattern)})
	}
	for path, want := range map[string]string{
		"/":              "/*",
		"/about":         "/*",
		"/admin":         "/admin/*",
		"/admin/posts":   "/admin/*",
		"/administrator": "/*",
		"/blog":          "/*",
		"/blog/7":        "/blog/:id/*",
		"/blog/7/edit":   "/blog/:id/*",
		"/docs":          "/*",
		"/docs/a/b":      "/docs/*/*",
		"/api/hello/":    "/*",
	} {
		rt := p.nearest(path)
		if rt == nil || rt.Pattern != want {
			t.Errorf("nearest(%q) = %v, want %s", path, rt, want)
		}
	}
	var empty errorPages
	if rt := empty.nearest("/x"); rt != nil {
		t.Errorf("no pages: nearest = %v", rt)
	}
}

// errorApp is an app as codegen registers it: a root layout and error
// pages, an /admin folder with its own error page and a middleware, route
// handlers that fail in every way, and a page whose render fails.
type errorApp struct {
	*harness
	logs *lockedWriter

	mu       sync.Mutex
	reported []*RenderError
}

// layout and errorBody stand in for app/layout.templ and error.templ: the
// error page shows what ErrorFrom gives it.
func layout(name string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		fmt.Fprintf(w, `<!DOCTYPE html><html><body class=%q>`, name)
		if err := templ.GetChildren(ctx).Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "</body></html>")
		return err
	})
}

func errorBody(name string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		e := ErrorFrom(ctx)
		_, err := fmt.Fprintf(w, `<h1 class=%q>%d %s</h1>`, name, e.Status, templ.EscapeString(e.Message))
		return err
	})
}

func newErrorApp(t *testing.T) *errorApp {
	a := &errorApp{logs: &lockedWriter{w: &bytes.Buffer{}}}
	a.harness = newHarness(t, Options{
		Logger: slog.New(slog.NewTextHandler(a.logs, nil)),
		OnError: func(ctx context.Context, err *RenderError) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.reported = append(a.reported, err)
		},
	})
	h, app := a.harness, a.app
	root := Route{Layouts: []templ.Component{layout("root")}, NotFound: templ.Raw("<h1>not found here</h1>"), Error: errorBody("root-error")}
	admin := root
	admin.Layouts = append(admin.Layouts, layout("admin"))
	admin.Error = errorBody("admin-error")

	csrf := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().Method == http.MethodPost && c.Request().Header.Get("X-CSRF-Token") == "" {
				return echo.NewHTTPError(http.StatusForbidden, "missing csrf token in the form parameter")
			}
			if c.QueryParam("break") != "" {
				return fmt.Errorf("session store: %w", errors.New("connection refused"))
			}
			return next(c)
		}
	}
	h.e.POST("/admin/posts", app.routeHandler(func(c echo.Context) error { return c.String(http.StatusOK, "saved") }), csrf)
	h.e.GET("/admin/posts", app.routeHandler(func(c echo.Context) error { return c.String(http.StatusOK, "posts") }), csrf)
	h.e.GET("/api/fail", app.routeHandler(func(c echo.Context) error {
		return fmt.Errorf("load products: %w", errors.New("open data/products.json: no such file or directory"))
	}))
	h.e.GET("/api/internal", app.routeHandler(func(c echo.Context) error {
		return echo.NewHTTPError(http.StatusBadGateway, "the payment provider is down").SetInternal(errors.New("dial tcp 10.0.0.9:443: i/o timeout"))
	}))
	h.e.GET("/api/panic", app.routeHandler(func(c echo.Context) error {
		var m map[string]int
		m["boom"]++ // assignment to entry in nil map
		return nil
	}))
	h.e.POST("/api/upload", app.routeHandler(func(c echo.Context) error {
		// A body read past a limit, as under the server's, is a 413.
		r := c.Request()
		_, err := io.ReadAll(http.MaxBytesReader(c.Response().Writer, r.Body, 10))
		return err
	}))
	h.e.GET("/api/gone", app.routeHandler(func(c echo.Context) error { return echo.ErrNotFound }))
	h.e.GET("/broken", app.pageHandler(Route{Pattern: "/broken", Revalidate: Never, Layouts: root.Layouts, Error: root.Error,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			return nil, errors.New("template data: products.json is gone")
		}}))
	admin.Pattern = "/admin/*"
	h.e.RouteNotFound("/admin/*", app.notFoundHandler(admin), csrf)
	root.Pattern = "/*"
	h.e.RouteNotFound("/*", app.notFoundHandler(root))
	return a
}

func (a *errorApp) logCount(s string) int {
	a.logs.mu.Lock()
	defer a.logs.mu.Unlock()
	return strings.Count(a.logs.w.(*bytes.Buffer).String(), s)
}

func (a *errorApp) reports() []*RenderError {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*RenderError(nil), a.reported...)
}

// TestHTTPErrorsForBrowsers: an error a route handler or a middleware
// returns is a page for a browser, the nearest error.templ in its layouts
// showing the status and the message, and stays Echo's JSON for an API
// client. A form post refused by a CSRF middleware showed a person
// {"message":"missing csrf token in the form parameter"}.
func TestHTTPErrorsForBrowsers(t *testing.T) {
	a := newErrorApp(t)
	for _, tc := range []struct {
		method, path string
		status       int
		want         []string // in the HTML page
		message      string   // in the JSON
	}{
		{"POST", "/admin/posts", 403, []string{`class="root"`, `class="admin"`, `class="admin-error"`, "403 missing csrf token in the form parameter"}, "missing csrf token in the form parameter"},
		{"GET", "/api/fail", 500, []string{`class="root"`, `class="root-error"`, "500 Internal Server Error"}, "Internal Server Error"},
		{"GET", "/api/internal", 502, []string{`class="root-error"`, "502 the payment provider is down"}, "the payment provider is down"},
		{"GET", "/api/gone", 404, []string{`class="root"`, "not found here"}, "Not Found"},
		{"POST", "/api/upload", 413, []string{`class="root-error"`, "413 request body over 10 bytes"}, "request body over 10 bytes"},
	} {
		name := tc.method + " " + tc.path
		body := func() io.Reader { return strings.NewReader(strings.Repeat("x", 100)) }
		r := a.do(tc.method, tc.path, body(), "Accept", browserAccept)
		if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s from a browser: %d %s %.200q, want %d HTML", name, r.status, r.header.Get("Content-Type"), r.body, tc.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s from a browser: %.300q lacks %q", name, r.body, w)
			}
		}
		if strings.Contains(r.body, "products.json") || strings.Contains(r.body, "10.0.0.9") {
			t.Errorf("%s from a browser: the page shows the cause: %q", name, r.body)
		}
		if !strings.Contains(r.header.Get("Vary"), "Accept") || !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s from a browser: Vary %q, Cache-Control %q", name, r.header.Get("Vary"), r.header.Get("Cache-Control"))
		}
		for _, accept := range []string{"", "*/*", "application/json", "application/json, text/html"} {
			r := a.do(tc.method, tc.path, body(), "Accept", accept)
			var msg struct{ Message string }
			if err := json.Unmarshal([]byte(r.body), &msg); err != nil || r.status != tc.status || msg.Message != tc.message {
				t.Errorf("%s with Accept %q: %d %q (%v), want %d with JSON message %q", name, accept, r.status, r.body, err, tc.status, tc.message)
			}
		}
	}
	// HEAD gets the status alone.
	if r := a.do(http.MethodHead, "/api/gone", nil, "Accept", browserAccept); r.status != 404 || r.body != "" {
		t.Errorf("HEAD /api/gone: %d %q", r.status, r.body)
	}
}

// TestHTTPErrorsWithoutErrorPages: an app without error pages answers a
// browser with a plain page that says the status and the message.
func TestHTTPErrorsWithoutErrorPages(t *testing.T) {
	h := newHarness(t, Options{})
	h.e.POST("/contact", h.app.routeHandler(func(c echo.Context) error {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "the email <address> is missing")
	}))
	h.e.RouteNotFound("/*", h.app.notFoundHandler(Route{Pattern: "/*"}))
	r := h.do(http.MethodPost, "/contact", nil, "Accept", browserAccept)
	if r.status != 422 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.body, "<h1>422 Unprocessable Entity</h1>") || !strings.Contains(r.body, "the email &lt;address&gt; is missing") {
		t.Errorf("POST /contact: %d %s %q, want a plain 422 page with the escaped message", r.status, r.header.Get("Content-Type"), r.body)
	}
}

// TestHTTPErrorsAreReported: every 5xx of a route handler or a middleware,
// a panic included, is logged once with its cause and passed to OnError
// with the request's method and the route; a page's failed render is
// reported once too, by the page; 4xx are not errors of the app.
func TestHTTPErrorsAreReported(t *testing.T) {
	a := newErrorApp(t)
	for _, tc := range []struct {
		path, route string
		status      int
		cause       string
	}{
		{"/api/fail", "/api/fail", 500, "open data/products.json: no such file or directory"},
		{"/api/internal", "/api/internal", 502, "dial tcp 10.0.0.9:443: i/o timeout"},
		{"/api/panic", "/api/panic", 500, "panic: assignment to entry in nil map"},
		{"/admin/posts?break=1", "/admin/posts", 500, "session store: connection refused"},
	} {
		before := len(a.reports())
		for _, accept := range []string{browserAccept, "application/json"} {
			if r := a.do(http.MethodGet, tc.path, nil, "Accept", accept); r.status != tc.status {
				t.Errorf("GET %s: %d %.200q, want %d", tc.path, r.status, r.body, tc.status)
			}
		}
		// Two requests, two reports: once each.
		if n := a.logCount(tc.cause); n != 2 {
			t.Errorf("GET %s: the cause %q is logged %d times for two requests, want 2", tc.path, tc.cause, n)
		}
		reports := a.reports()[before:]
		if len(reports) != 2 {
			t.Fatalf("GET %s: OnError called %d times for two requests, want 2", tc.path, len(reports))
		}
		re := reports[0]
		if re.Method != http.MethodGet || re.Route != tc.route || !strings.HasPrefix(tc.path, re.Path) || !strings.Contains(fmt.Sprint(re.Err), tc.cause) {
			t.Errorf("GET %s: OnError got %+v, want method GET, route %s, cause %q", tc.path, re, tc.route, tc.cause)
		}
	}
	if n := a.logCount("httperror_test.go"); n == 0 {
		t.Error("the panic is logged without its stack")
	}

	// A page's render failure: reported by the page, once.
	before := len(a.reports())
	if r := a.get("/broken", "Accept", browserAccept); r.status != 500 || !strings.Contains(r.body, "500 Internal Server Error") {
		t.Errorf("GET /broken: %d %.200q, want the error page of a 500", r.status, r.body)
	}
	if n := a.logCount("products.json is gone"); n != 1 {
		t.Errorf("a page's failed render is logged %d times, want 1", n)
	}
	if n := len(a.reports()) - before; n != 1 {
		t.Errorf("a page's failed render is passed to OnError %d times, want 1", n)
	}

	// A refused form and an unknown method are the client's, not errors.
	before = len(a.reports())
	a.do(http.MethodPost, "/admin/posts", nil, "Accept", browserAccept)
	a.get("/api/gone")
	if n := len(a.reports()) - before; n != 0 || a.logCount("csrf") != 0 {
		t.Errorf("4xx answers reported %d times, logged %d", n, a.logCount("csrf"))
	}
}
