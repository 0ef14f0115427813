package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

func serverRoutes(s *source, failID string) []Route {
	return []Route{
		{Pattern: "/", Revalidate: Never, Render: s.render},
		{Pattern: "/dash", Revalidate: 0, Render: s.render},
		{Pattern: "/blog/:id", Revalidate: time.Minute, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			if r.Param("id") == failID {
				return nil, errors.New("database down")
			}
			return s.render(ctx, r)
		}, StaticParams: func(context.Context) ([]Params, error) {
			var ps []Params
			for i := range 20 {
				ps = append(ps, Params{"id": fmt.Sprint(i)})
			}
			return ps, nil
		}},
		{Pattern: "/search/:q", Revalidate: time.Minute, Render: s.render},
	}
}

func register(routes []Route) func(*echo.Echo, *App) {
	return func(e *echo.Echo, a *App) {
		a.Register(e)
		for _, rt := range routes {
			e.GET(rt.Pattern, a.Page(rt))
		}
	}
}

func TestRunServerPrerenderThenServe(t *testing.T) {
	dir := t.TempDir()
	s := newSource("v1")
	routes := serverRoutes(s, "")
	var out, errOut bytes.Buffer
	code := RunServer(context.Background(), []string{"prerender", "--cache-dir", dir, "--concurrency", "3"}, routes, register(routes), &out, &errOut)
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
	done := make(chan int)
	go func() {
		done <- RunServer(ctx, []string{"--addr", addr, "--cache-dir", dir}, routes, register(routes), &out, &errOut)
	}()
	waitServing(t, "http://"+addr+"/")
	for _, p := range []string{"/", "/blog/7"} {
		res, err := http.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get(HeaderCache) != CacheHit {
			t.Errorf("%s: %d %s, want a prerendered HIT", p, res.StatusCode, res.Header.Get(HeaderCache))
		}
	}
	if s.renders.Load() != renders {
		t.Error("prerendered pages were rendered again")
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

func TestRunServerPrerenderFailureNamesRoute(t *testing.T) {
	s := newSource("v1")
	routes := serverRoutes(s, "13")
	var out, errOut bytes.Buffer
	code := RunServer(context.Background(), []string{"prerender", "--cache-dir", t.TempDir()}, routes, register(routes), &out, &errOut)
	msg := errOut.String()
	if code != 1 || !strings.Contains(msg, "prerender /blog/13") || !strings.Contains(msg, "database down") || !strings.Contains(msg, "route /blog/:id") {
		t.Fatalf("exit %d, stderr %q", code, msg)
	}
}

func TestRunServerUsage(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"--nope"}, {"serve", "extra"}} {
		var out, errOut bytes.Buffer
		if code := RunServer(context.Background(), args, nil, register(nil), &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	var out bytes.Buffer
	RunServer(context.Background(), []string{"routes"}, serverRoutes(newSource(""), ""), nil, &out, &out)
	if !strings.Contains(out.String(), `{"pattern":"/blog/:id","kind":"isr","revalidate_seconds":60,"static_params":true}`) ||
		!strings.Contains(out.String(), `{"pattern":"/dash","kind":"dynamic"}`) || !strings.Contains(out.String(), `{"pattern":"/","kind":"static"}`) {
		t.Fatalf("routes: %s", out.String())
	}
}

func TestDevRendersEveryRequest(t *testing.T) {
	h := newHarness(t, Options{Dev: true})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Hour, s))
	h.get("/post")
	h.get("/post")
	if n := s.renders.Load(); n != 2 {
		t.Fatalf("renders = %d, want 2 in dev", n)
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
