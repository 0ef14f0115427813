package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// exportHole is the hole of exportRoutes' /hello, registered once for the
// tests that use them.
var exportHole = framework.PerRequest(templ.Raw("hi")).Register("export-test-hole")

// exportRoutes are testRoutes with a redirect, a page with a PerRequest
// hole, a DynamicParams = false route and a sitemap.
func exportRoutes(s *source) []framework.Route {
	hole := exportHole
	routes := append(testRoutes(s, ""),
		framework.Route{Pattern: "/old", Revalidate: framework.Never, Render: func(context.Context, *framework.Request) (templ.Component, error) {
			return nil, framework.PermanentRedirect("/")
		}},
		framework.Route{Pattern: "/hello", Revalidate: framework.Never, Render: func(context.Context, *framework.Request) (templ.Component, error) {
			return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
				io.WriteString(w, `<p>shell <a href="/blog/3">post</a> <a href="https://other.example/x">x</a>`)
				return hole.Render(ctx, w)
			}), nil
		}},
		framework.Route{Pattern: "/styled", Revalidate: framework.Never, Render: func(context.Context, *framework.Request) (templ.Component, error) {
			return templ.Raw(`<link rel="stylesheet" href="/_framework/static/app.1.css"><img src="/_framework/image?w=8&amp;src=%2Fa.png"><img src="/_framework/static/gone.2.png">`), nil
		}},
		framework.Route{Pattern: "/docs/:page", Revalidate: framework.Never, StaticParamsOnly: true, Render: s.render,
			StaticParams: func(context.Context) ([]framework.Params, error) { return []framework.Params{{"page": "a b"}}, nil }},
	)
	return append(routes, framework.Route{Pattern: framework.SitemapPath, Revalidate: framework.Never, ContentType: "application/xml", NeedsSiteURL: true,
		Render: func(context.Context, *framework.Request) (templ.Component, error) {
			return templ.Raw(`<?xml version="1.0" encoding="UTF-8"?><urlset></urlset>`), nil
		}})
}

// registerWithNotFound is register with the root not-found page.
func registerWithNotFound(routes []framework.Route) func(*echo.Echo, *framework.App) {
	return func(e *echo.Echo, a *framework.App) {
		register(routes)(e, a)
		// What the assets and images of an app would serve.
		e.GET("/_framework/static/app.1.css", func(c echo.Context) error { return c.Blob(200, "text/css", []byte("p{}")) })
		e.GET("/_framework/image", func(c echo.Context) error { return c.Blob(200, "image/png", []byte("png")) })
		e.RouteNotFound("/*", runtime.NotFound(a, framework.Route{NotFound: templ.Raw("<h1>Nothing here</h1>")}))
	}
}

// TestRunPrerenderThenExport: export writes every page prerender stored,
// as the server would serve it, from the store without rendering again,
// and lists with a reason every page that needs a server.
func TestRunPrerenderThenExport(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	s := &source{}
	routes := exportRoutes(s)
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"prerender", "--cache-dir", dir}, routes, register(routes), &stdout, &stderr); code != 0 {
		t.Fatalf("prerender exit %d: %s", code, stderr.String())
	}
	renders := s.renders.Load()
	stdout.Reset()
	if code := Run(context.Background(), []string{"export", "--cache-dir", dir, "--out", out, "--site-url", "https://example.com"}, routes, registerWithNotFound(routes), &stdout, &stderr); code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr.String())
	}
	if s.renders.Load() != renders {
		t.Errorf("export rendered %d pages again: it should read what prerender stored", s.renders.Load()-renders)
	}
	files := map[string]ExportEvent{}
	skips := map[string]string{}
	var last ExportEvent
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		if err := dec.Decode(&last); err != nil {
			t.Fatal(err)
		}
		switch last.Event {
		case "page", "file":
			files[last.File] = last
		case "skip":
			skips[last.Route+" "+last.Path] = last.Reason
		}
	}
	if last.Event != "done" {
		t.Errorf("last event %+v, want done", last)
	}
	for _, name := range []string{"index.html", "blog/0.html", "blog/19.html", "docs/a b.html", "sitemap.xml", "404.html", "styled.html", "_framework/static/app.1.css"} {
		if _, ok := files[name]; !ok {
			t.Errorf("no %s among the files: %v", name, files)
		}
	}
	if len(files) != 1+20+1+1+1+2 {
		t.Errorf("%d files, want 26: %v", len(files), files)
	}
	if b, err := os.ReadFile(filepath.Join(out, "_framework", "static", "app.1.css")); err != nil || string(b) != "p{}" {
		t.Errorf("the stylesheet the page links: %q, %v", b, err)
	}
	for key, want := range map[string]string{
		"/dash ":        reasonDynamic,
		"/search/:q ":   reasonNoParams,
		"/blog/:id ":    reasonDynamicParams,
		"/old /old":     "redirects to /",
		"/hello /hello": reasonHoles,
	} {
		if skips[key] != want {
			t.Errorf("skip %q: %q, want %q (skips: %v)", key, skips[key], want, skips)
		}
	}
	if len(skips) != 6 {
		t.Errorf("skips %v, want 6", skips)
	}
	// The bytes the server sends, in the file and in its .gz.
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", dir}, routes, register(routes), io.Discard, io.Discard)
	}()
	waitServing(t, "http://"+addr+"/")
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for p, name := range map[string]string{"/blog/7": "blog/7.html", "/docs/a%20b": "docs/a b.html", "/": "index.html", "/sitemap.xml": "sitemap.xml"} {
		res, err := client.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		served, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %v", p, res.StatusCode, err)
		}
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, served) {
			t.Errorf("%s: %s holds %.80q (%v), the server sends %.80q", p, name, got, err, served)
		}
		gz, err := os.Open(filepath.Join(out, filepath.FromSlash(name)) + ".gz")
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(gz)
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		gz.Close()
		if err != nil || !bytes.Equal(unzipped, got) {
			t.Errorf("%s.gz does not hold %s: %v", name, name, err)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
	if b, _ := os.ReadFile(filepath.Join(out, "404.html")); !strings.Contains(string(b), "<h1>Nothing here</h1>") {
		t.Errorf("404.html: %q", b)
	}
}
