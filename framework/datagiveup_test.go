package framework

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// slowData is data that takes until release to read, or until its
// caller gives up.
type slowData struct {
	release chan struct{}
	started atomic.Int64
	ended   atomic.Int64
}

func (d *slowData) get(ctx context.Context, id string) (string, error) {
	d.started.Add(1)
	defer d.ended.Add(1)
	select {
	case <-d.release:
		return "data " + id, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// TestGivingUpOnDataFailsNobodyElse: identical data reads share one fetch,
// made by the first request to ask. When that request gives up (its client
// went away), the requests that waited on its fetch fetch for themselves.
// Were they given its context.Canceled, a visitor who dropped a request to
// a route handler reading cached data would make a page that read the same
// data meanwhile answer 500.
func TestGivingUpOnDataFailsNobodyElse(t *testing.T) {
	h := newHarness(t, Options{})
	d := &slowData{release: make(chan struct{})}
	var releaseOnce atomic.Bool
	release := func() {
		if releaseOnce.CompareAndSwap(false, true) {
			close(d.release)
		}
	}
	t.Cleanup(release)
	get := Cache(d.get, CacheOptions{Revalidate: time.Hour})
	h.e.GET("/api", h.app.routeHandler(func(c echo.Context) error {
		v, err := get(c.Request().Context(), "1")
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, v)
	}))
	h.page(Route{Pattern: "/page", Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		v, err := get(ctx, "1")
		if err != nil {
			return nil, err
		}
		return templ.Raw("<p>" + v + "</p>"), nil
	}})

	// A visitor's request to the handler starts the fetch...
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL+"/api", nil)
	gaveUp := make(chan struct{})
	go func() {
		defer close(gaveUp)
		if res, err := h.tr.RoundTrip(req); err == nil {
			res.Body.Close()
		}
	}()
	waitUntil(t, "the visitor's fetch to start", func() bool { return d.started.Load() == 1 })
	// ...the page's render waits on it...
	page := make(chan response, 1)
	go func() { page <- h.get("/page") }()
	waitUntil(t, "the page's render to wait on the fetch", func() bool { return blockedIn("(*dataCache).get") == 1 })
	// ...and the visitor goes away.
	cancel()
	<-gaveUp
	waitUntil(t, "the visitor's fetch to end", func() bool { return d.ended.Load() == 1 })
	release()
	if r := <-page; r.status != http.StatusOK || r.body != "<p>data 1</p>" {
		t.Fatalf("the page: %d %.80q, want 200 with the data", r.status, r.body)
	}
}
