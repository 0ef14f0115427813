package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// browserAccept is what Chromium sends with a form post.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"

// errorServer runs the server over real HTTP with an app as codegen
// registers it: a layout and an error page that shows ErrorFrom, a form
// handler, and a middleware that panics on demand. It returns the address,
// the server's log and the errors OnError received.
func errorServer(t *testing.T) (addr string, logs func() string, reported func() []*framework.RenderError) {
	t.Helper()
	var mu sync.Mutex
	var got []*framework.RenderError
	opts := Options{Options: framework.Options{OnError: func(ctx context.Context, err *framework.RenderError) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, err)
	}}}
	root := framework.Route{
		Pattern: "/*",
		Layouts: []templ.Component{templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, `<!DOCTYPE html><html><body class="layout">`)
			if err := templ.GetChildren(ctx).Render(ctx, w); err != nil {
				return err
			}
			_, err := io.WriteString(w, "</body></html>")
			return err
		})},
		Error: templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			e := framework.ErrorFrom(ctx)
			_, err := fmt.Fprintf(w, `<h1 class="error">%d</h1><p>%s</p>`, e.Status, templ.EscapeString(e.Message))
			return err
		}),
	}
	panicky := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.QueryParam("panic") != "" {
				panic("middleware exploded")
			}
			return next(c)
		}
	}
	reg := func(e *echo.Echo, a *framework.App) {
		runtime.Register(e, a)
		e.GET("/", runtime.Page(a, framework.Route{Pattern: "/", Revalidate: framework.Never, Render: func(context.Context, *framework.Request) (templ.Component, error) {
			return templ.Raw("home"), nil
		}}))
		e.POST("/contact", runtime.Handler(a, func(c echo.Context) error {
			return c.String(http.StatusOK, "thanks, "+c.FormValue("name"))
		}), panicky)
		e.GET("/contact", runtime.Handler(a, func(c echo.Context) error { return c.String(http.StatusOK, "form") }), panicky)
		e.RouteNotFound("/*", runtime.NotFound(a, root))
	}
	addr = freeAddr(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	errOut := &lockedWriter{w: &bytes.Buffer{}}
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", dir}, nil, reg, io.Discard, errOut, opts)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("server did not shut down")
		}
	})
	waitServing(t, "http://"+addr+"/")
	logs = func() string {
		errOut.mu.Lock()
		defer errOut.mu.Unlock()
		return errOut.w.(*bytes.Buffer).String()
	}
	reported = func() []*framework.RenderError {
		mu.Lock()
		defer mu.Unlock()
		return append([]*framework.RenderError(nil), got...)
	}
	return addr, logs, reported
}

func post(t *testing.T, url, accept string, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// TestBodyLimitErrorPage: a browser's form post over the body limit gets
// the app's error page with the 413 and the message, in its layout; an API
// client keeps the JSON naming the limit. It was JSON for everybody.
func TestBodyLimitErrorPage(t *testing.T) {
	t.Setenv("FRAMEWORK_MAX_BODY_BYTES", "1024")
	addr, _, _ := errorServer(t)
	form := "name=" + strings.Repeat("a", 4096)

	status, h, body := post(t, "http://"+addr+"/contact", browserAccept, strings.NewReader(form))
	if status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("a browser's form over the limit: %d %s %.200q, want 413 HTML", status, h.Get("Content-Type"), body)
	}
	for _, want := range []string{`class="layout"`, `<h1 class="error">413</h1>`, "request body over 1024 bytes (FRAMEWORK_MAX_BODY_BYTES)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the 413 page %q lacks %q", body, want)
		}
	}

	for _, accept := range []string{"", "*/*", "application/json"} {
		status, h, body := post(t, "http://"+addr+"/contact", accept, strings.NewReader(form))
		var e struct {
			Error string `json:"error"`
			Limit int64  `json:"limit"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || status != 413 || e.Limit != 1024 || !strings.Contains(e.Error, "FRAMEWORK_MAX_BODY_BYTES") ||
			!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("Accept %q over the limit: %d %s %q (%v), want 413 JSON naming the limit", accept, status, h.Get("Content-Type"), body, err)
		}
	}

	// Under the limit, the form goes through.
	if status, _, body := post(t, "http://"+addr+"/contact", browserAccept, strings.NewReader("name=Ada")); status != 200 || body != "thanks, Ada" {
		t.Errorf("a small form: %d %q", status, body)
	}
}

// TestMiddlewarePanicIsReported: a panic in a middleware, caught by the
// server's Recover, is a 500 logged once with its stack and passed to
// OnError, and a browser gets the error page, without the panic's words.
func TestMiddlewarePanicIsReported(t *testing.T) {
	addr, logs, reported := errorServer(t)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/contact?panic=1", nil)
	req.Header.Set("Accept", browserAccept)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || !strings.Contains(string(b), `<h1 class="error">500</h1><p>Internal Server Error</p>`) || strings.Contains(string(b), "exploded") {
		t.Errorf("a panicking middleware: %d %q, want the 500 error page", res.StatusCode, b)
	}
	if n := strings.Count(logs(), "middleware exploded"); n != 1 {
		t.Errorf("the panic is logged %d times, want once:\n%s", n, logs())
	}
	if !strings.Contains(logs(), "httperror_test.go") {
		t.Errorf("the panic is logged without its stack:\n%s", logs())
	}
	if r := reported(); len(r) != 1 || r[0].Method != http.MethodGet || r[0].Route != "/contact" || !strings.Contains(r[0].Err.Error(), "panic: middleware exploded") {
		t.Errorf("OnError got %+v, want one GET /contact panic", r)
	}
}
