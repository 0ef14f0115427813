package runtime_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// TestRouter wires an app as generated code does, through this package
// alone, and serves it over loopback: a page cached by the ISR cache, a
// route handler that finds the app in its context, a method it does not
// export, a URL of no route, and the app's own health check.
func TestRouter(t *testing.T) {
	e, a := newRouter(t)
	routes := []framework.Route{{Pattern: "/", Revalidate: framework.Never, Render: func(ctx context.Context, r *framework.Request) (templ.Component, error) {
		runtime.SetMetadata(ctx, framework.Metadata{Title: "Home"})
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, "<p>"+framework.MetadataFrom(ctx).Title+"</p>")
			return err
		}), nil
	}}}
	for _, rt := range routes {
		e.Match([]string{http.MethodGet, http.MethodHead}, rt.Pattern, runtime.Page(a, rt))
	}
	e.POST("/api/touch", runtime.Handler(a, func(c echo.Context) error {
		if err := framework.RevalidatePath(c.Request().Context(), "/"); err != nil {
			return err
		}
		return c.String(http.StatusOK, "touched")
	}))
	e.Match([]string{http.MethodGet, http.MethodOptions}, "/api/touch", runtime.MethodNotAllowed("POST", "OPTIONS"))
	e.RouteNotFound("/*", runtime.NotFound(a, framework.Route{NotFound: templ.Raw("<p>nothing here</p>")}))
	srv := httptest.NewServer(e)
	defer srv.Close()

	for _, tc := range []struct {
		method, path string
		status       int
		cache, allow string
		body         string
	}{
		{"GET", "/", 200, "MISS", "", "<p>Home</p>"},
		{"GET", "/", 200, "HIT", "", "<p>Home</p>"},
		{"POST", "/api/touch", 200, "", "", "touched"},
		{"GET", "/", 200, "STALE", "", "<p>Home</p>"},
		{"GET", "/api/touch", 405, "", "POST, OPTIONS", ""},
		{"OPTIONS", "/api/touch", 204, "", "POST, OPTIONS", ""},
		{"GET", "/nowhere", 404, "", "", "nothing here"},
		{"GET", framework.HealthPath, 200, "", "", `"status":"ok"`},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || res.Header.Get("X-Framework-Cache") != tc.cache || res.Header.Get("Allow") != tc.allow || !strings.Contains(string(body), tc.body) {
			t.Errorf("%s %s: %d %s Allow %q %.80q; want %d %s Allow %q %q", tc.method, tc.path, res.StatusCode, res.Header.Get("X-Framework-Cache"), res.Header.Get("Allow"), body, tc.status, tc.cache, tc.allow, tc.body)
		}
	}
}

// TestMarkdownStylesheetGzip: the stylesheet Markdown pages link, render
// blocking, goes gzip'd to a client that takes gzip, as it is to one that
// does not, each with its own ETag that a revalidation matches.
func TestMarkdownStylesheetGzip(t *testing.T) {
	e, _ := newRouter(t)
	srv := httptest.NewServer(e)
	defer srv.Close()

	get := func(encoding, etag string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+runtime.MarkdownStylesheetPath, nil)
		// Set, it keeps the client from asking gzip and decompressing
		// itself.
		req.Header.Set("Accept-Encoding", encoding)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	res, body := get("gzip, deflate, br, zstd", "")
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("to a client taking gzip: Content-Encoding %q, body not gzip: %v", res.Header.Get("Content-Encoding"), err)
	}
	css, _ := io.ReadAll(zr)
	if res.Header.Get("Content-Encoding") != "gzip" || string(css) != runtime.MarkdownStylesheet || len(body) > len(css)/3 || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("to a client taking gzip: Content-Encoding %q, Vary %q, %d bytes for %d", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"), len(body), len(css))
	}
	zipped := res.Header.Get("ETag")
	res, body = get("identity", "")
	if res.Header.Get("Content-Encoding") != "" || string(body) != runtime.MarkdownStylesheet || res.Header.Get("ETag") == zipped {
		t.Errorf("to a client not taking gzip: Content-Encoding %q, ETag %s as gzip's, %d bytes", res.Header.Get("Content-Encoding"), res.Header.Get("ETag"), len(body))
	}
	if res, _ := get("gzip", zipped); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidated with the gzip ETag: %d, want 304", res.StatusCode)
	}
}

// TestSitemapPartPattern: the constant generated routers register the
// sitemap's parts under is the pattern SitemapRoutes serves them at.
func TestSitemapPartPattern(t *testing.T) {
	routes := runtime.SitemapRoutes(func(context.Context) ([]framework.SitemapEntry, error) { return nil, nil }, framework.Never)
	if len(routes) != 2 || routes[0].Pattern != framework.SitemapPath || routes[1].Pattern != runtime.SitemapPartPattern {
		t.Fatalf("SitemapRoutes: %d routes, patterns %q; want %s and %s", len(routes), patterns(routes), framework.SitemapPath, runtime.SitemapPartPattern)
	}
	if rt := runtime.RobotsRoute(func(context.Context) (framework.Robots, error) { return framework.Robots{}, nil }, framework.Never); rt.Pattern != framework.RobotsPath {
		t.Fatalf("RobotsRoute at %q, want %s", rt.Pattern, framework.RobotsPath)
	}
	auto := runtime.AutoSitemapRoutes(func() []framework.Route { return nil })
	if len(auto) != 2 || auto[1].Pattern != runtime.SitemapPartPattern {
		t.Fatalf("AutoSitemapRoutes patterns %q", patterns(auto))
	}
}

func patterns(routes []framework.Route) []string {
	var p []string
	for _, rt := range routes {
		p = append(p, rt.Pattern)
	}
	return p
}

// newRouter returns an Echo with an app registered as generated code does,
// and the app, closed when t ends.
func newRouter(t *testing.T) (*echo.Echo, *framework.App) {
	t.Helper()
	a, err := framework.New(framework.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e := echo.New()
	runtime.Register(e, a)
	return e, a
}
