package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// source renders pages showing their path, and counts its renders.
type source struct{ renders atomic.Int64 }

func (s *source) render(ctx context.Context, r *framework.Request) (templ.Component, error) {
	s.renders.Add(1)
	return templ.Raw(fmt.Sprintf("<p>%s %s</p>", r.Path, strings.Repeat("x", 600))), nil
}

// testRoutes is a static page, a dynamic one, an ISR route with 20
// StaticParams (/blog/<failID> fails) and an ISR route without.
func testRoutes(s *source, failID string) []framework.Route {
	return []framework.Route{
		{Pattern: "/", Revalidate: framework.Never, Render: s.render},
		{Pattern: "/dash", Revalidate: 0, Render: s.render},
		{Pattern: "/blog/:id", Revalidate: time.Minute, Render: func(ctx context.Context, r *framework.Request) (templ.Component, error) {
			if r.Param("id") == failID {
				return nil, errors.New("database down")
			}
			return s.render(ctx, r)
		}, StaticParams: func(context.Context) ([]framework.Params, error) {
			var ps []framework.Params
			for i := range 20 {
				ps = append(ps, framework.Params{"id": fmt.Sprint(i)})
			}
			return ps, nil
		}},
		{Pattern: "/search/:q", Revalidate: time.Minute, Render: s.render},
	}
}

// register is what a generated Register does with routes.
func register(routes []framework.Route) func(*echo.Echo, *framework.App) {
	return func(e *echo.Echo, a *framework.App) {
		runtime.Register(e, a)
		for _, rt := range routes {
			e.GET(rt.Pattern, runtime.Page(a, rt))
		}
	}
}

func TestRunPrerenderThenServe(t *testing.T) {
	dir := t.TempDir()
	s := &source{}
	routes := testRoutes(s, "")
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"prerender", "--cache-dir", dir, "--concurrency", "3"}, routes, register(routes), &out, &errOut)
	if code != 0 {
		t.Fatalf("prerender exit %d: %s", code, errOut.String())
	}
	var pages []string
	dec := json.NewDecoder(&out)
	var last PrerenderEvent
	for dec.More() {
		if err := dec.Decode(&last); err != nil {
			t.Fatal(err)
		}
		if last.Event == "page" {
			pages = append(pages, last.Path)
		}
	}
	if len(pages) != 21 || last.Event != "done" || last.Total != 21 {
		t.Fatalf("prerendered %d pages (%v), last event %+v; want / and 20 posts", len(pages), pages, last)
	}
	renders := s.renders.Load()

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()            // a failed test stops the server too
	done := make(chan int, 1) // Run never blocks on a test that has failed
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", dir}, routes, register(routes), &out, &errOut)
	}()
	waitServing(t, "http://"+addr+"/")
	for _, p := range []string{"/", "/blog/7"} {
		res, err := http.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("X-Framework-Cache") != "HIT" {
			t.Errorf("%s: %d %s, want a prerendered HIT", p, res.StatusCode, res.Header.Get("X-Framework-Cache"))
		}
	}
	if s.renders.Load() != renders {
		t.Error("prerendered pages were rendered again")
	}
	// Not canonical: CanonicalPaths answers before the router.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := client.Get("http://" + addr + "/blog/7/"); err != nil || res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != "/blog/7" {
		t.Errorf("/blog/7/: %v %v, want 308 to /blog/7", res, err)
	} else {
		res.Body.Close()
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
}

// TestServeDev checks that serve --dev renders every request, as framework
// dev wants, and caches nothing.
func TestServeDev(t *testing.T) {
	s := &source{}
	routes := testRoutes(s, "")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()            // a failed test stops the server too
	done := make(chan int, 1) // Run never blocks on a test that has failed
	errOut := &lockedWriter{w: &bytes.Buffer{}}
	go func() {
		done <- Run(ctx, []string{"--dev", "--addr", addr, "--cache-dir", t.TempDir()}, routes, register(routes), io.Discard, errOut)
	}()
	waitServing(t, "http://"+addr+"/dash")
	before := s.renders.Load()
	for range 2 {
		res, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if n := s.renders.Load() - before; n != 2 {
		t.Errorf("renders of / = %d, want 2 in dev", n)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve --dev exit %d: %s", code, errOut.w)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
}

// TestRunPrerenderFailureNamesRoute: a page that fails fails the prerender,
// with and without --links: the error names it, and the events sent before
// it come out, without "done" nor the links of an unfinished list.
func TestRunPrerenderFailureNamesRoute(t *testing.T) {
	routes := testRoutes(&source{}, "13")
	for _, links := range []bool{false, true} {
		// One at a time: the pages before /blog/13 are done when it fails.
		args := []string{"prerender", "--cache-dir", t.TempDir(), "--concurrency", "1"}
		if links {
			args = append(args, "--links")
		}
		var out, errOut bytes.Buffer
		code := Run(context.Background(), args, routes, register(routes), &out, &errOut)
		msg := errOut.String()
		if code != 1 || !strings.Contains(msg, "prerender /blog/13") || !strings.Contains(msg, "database down") || !strings.Contains(msg, "route /blog/:id") {
			t.Fatalf("%v: exit %d, stderr %q", args, code, msg)
		}
		if !strings.Contains(out.String(), `"path":"/blog/12"`) || strings.Contains(out.String(), `"done"`) || strings.Contains(out.String(), `"links"`) {
			t.Fatalf("%v: a failed prerender reported: %s", args, out.String())
		}
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"--nope"}, {"serve", "extra"}, {"routes", "extra"}} {
		var out, errOut bytes.Buffer
		if code := Run(context.Background(), args, nil, register(nil), &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"--help"}, nil, register(nil), &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "-cache-dir") {
		t.Errorf("--help: exit %d, %q", code, errOut.String())
	}
	// A usage error is one line and a pointer to --help, not the whole
	// usage.
	errOut.Reset()
	Run(context.Background(), []string{"prerender", "--nope"}, nil, register(nil), &out, &errOut)
	if lines := strings.Split(strings.TrimSpace(errOut.String()), "\n"); len(lines) != 2 || lines[0] != "prerender: flag provided but not defined: -nope" || !strings.Contains(lines[1], "--help") {
		t.Errorf("prerender --nope: %q", errOut.String())
	}
}

func TestRunRoutes(t *testing.T) {
	var out bytes.Buffer
	Run(context.Background(), []string{"routes"}, testRoutes(&source{}, ""), nil, &out, &out)
	want := `{"pattern":"/","kind":"static"}
{"pattern":"/dash","kind":"dynamic"}
{"pattern":"/blog/:id","kind":"isr","revalidate_seconds":60,"static_params":true}
{"pattern":"/search/:q","kind":"isr","revalidate_seconds":60}
`
	if out.String() != want {
		t.Fatalf("routes:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestRunBuildID(t *testing.T) {
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"build-id"}, nil, nil, &out, &out); code != 0 || out.String() != "development\n" {
		t.Fatalf("build-id of a test binary: exit %d, %q", code, out.String())
	}
	// BuildIDSymbol must name buildID, or -ldflags -X sets nothing.
	if !strings.HasSuffix(BuildIDSymbol, "/framework/server.buildID") {
		t.Fatalf("BuildIDSymbol %q does not name this package's buildID", BuildIDSymbol)
	}
	defer func(id string) { buildID = id }(buildID)
	buildID = "20260101T000000-abcdef"
	cfg := Config{CacheDir: "/caches"}
	opts := cfg.options(Options{}, nil, func(string) string { return "" }, nil)
	if _, dir := cfg.cacheAt(Options{}, nil, func(string) string { return "" }); opts.BuildID != buildID || dir != "/caches/"+buildID {
		t.Fatalf("options under build %s: BuildID %q, cache dir %q", buildID, opts.BuildID, dir)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitServing(t *testing.T, url string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never answered: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lockedWriter serializes writes from the server's concurrent loggers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
