package framework

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// reports collects what an App logs and passes to OnError.
type reports struct {
	mu   sync.Mutex
	errs []*RenderError
	log  bytes.Buffer
}

func (r *reports) options() Options {
	return Options{
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &r.log}, nil)),
		OnError: func(_ context.Context, err *RenderError) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.errs = append(r.errs, err)
		},
	}
}

// take returns the errors reported since the last call and the log.
func (r *reports) take() ([]*RenderError, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs, log := r.errs, r.log.String()
	r.errs = nil
	r.log.Reset()
	return errs, log
}

// TestFailedRendersAreReported: a render that fails in a request is logged
// and passed to OnError once, whatever the page: one rendered per request
// (Revalidate 0), the not-found page, a cached page.
func TestFailedRendersAreReported(t *testing.T) {
	var rep reports
	h := newHarness(t, rep.options())
	s := newSource("v1")
	s.fail(errContent)
	h.page(Route{Pattern: "/dynamic", Render: s.render})
	h.page(isrRoute("/cached", time.Minute, s))
	h.e.RouteNotFound("/*", h.app.notFoundHandler(Route{Pattern: "/*", NotFound: templ.ComponentFunc(func(context.Context, io.Writer) error {
		return errContent
	})}))
	for _, path := range []string{"/dynamic", "/cached", "/nowhere"} {
		r := h.get(path)
		if r.status != http.StatusInternalServerError {
			t.Fatalf("%s: %d, want 500", path, r.status)
		}
		errs, log := rep.take()
		if len(errs) != 1 || errs[0].Path != path || errs[0].Background || !errors.Is(errs[0], errContent) {
			t.Fatalf("%s: OnError got %v, want the failed render once", path, errs)
		}
		if strings.Count(log, "content unavailable") != 1 || !strings.Contains(log, "path="+path) {
			t.Fatalf("%s: log:\n%s", path, log)
		}
	}
}

// TestStaticParamsFailureServesTheLastGoodPage: on a route that serves only
// its StaticParams, a request for an expired page whose StaticParams fail
// (in a process that has not loaded them yet) is answered with the last
// good page, STALE, as any failed render is: logged, passed to OnError,
// backed off.
func TestStaticParamsFailureServesTheLastGoodPage(t *testing.T) {
	var rep reports
	h := newHarness(t, rep.options())
	s := newSource("v1")
	var listFails atomic.Bool
	var lists atomic.Int64
	route := func() Route {
		rt := isrRoute("/products/:id", time.Hour, s)
		rt.StaticParamsOnly = true
		rt.StaticParams = func(context.Context) ([]Params, error) {
			lists.Add(1)
			if listFails.Load() {
				return nil, errors.New("open data/products.json: no such file or directory")
			}
			return []Params{{"id": "1"}}, nil
		}
		return rt
	}
	h.page(route())
	if r := h.get("/products/1"); r.status != 200 || !strings.Contains(r.body, "v1") {
		t.Fatalf("first: %d %.40q", r.status, r.body)
	}

	// A new process, whose StaticParams cannot read their data, after an
	// expiry of the page.
	h.restart()
	h.page(route())
	listFails.Store(true)
	rep.take()
	h.clock.Advance(time.Second)
	if err := h.app.revalidatePath(context.Background(), "/products/1", true); err != nil {
		t.Fatal(err)
	}
	r := h.get("/products/1")
	if r.status != 200 || r.cache() != cacheStale || !strings.Contains(r.body, "v1") {
		t.Fatalf("StaticParams failing: %d %s %.40q, want 200 STALE with the last good page", r.status, r.cache(), r.body)
	}
	errs, log := rep.take()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "products.json") || !strings.Contains(log, "products.json") {
		t.Fatalf("OnError got %v; log:\n%s", errs, log)
	}

	// Backed off: the next requests do not ask StaticParams again at once.
	calls := lists.Load()
	for range 3 {
		if r := h.get("/products/1"); r.status != 200 || r.cache() != cacheStale {
			t.Fatalf("again: %d %s", r.status, r.cache())
		}
	}
	if lists.Load() != calls {
		t.Fatalf("StaticParams called %d more times during the backoff", lists.Load()-calls)
	}
	// Once they work again, the page renders after the backoff.
	listFails.Store(false)
	s.set("v2")
	h.clock.Advance(backoffFirst + time.Second)
	if r := h.get("/products/1"); r.status != 200 || r.cache() != cacheRevalidated || !strings.Contains(r.body, "v2") {
		t.Fatalf("after the backoff: %d %s %.40q", r.status, r.cache(), r.body)
	}
}
