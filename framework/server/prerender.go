package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/isr-go/framework/framework"
)

// RouteInfo is one line of `server routes`: what kind of route a pattern is,
// for `framework build`'s table.
type RouteInfo struct {
	Pattern      string  `json:"pattern"`
	Kind         string  `json:"kind"` // "static", "isr" or "dynamic"
	Revalidate   float64 `json:"revalidate_seconds,omitempty"`
	StaticParams bool    `json:"static_params,omitempty"`
}

// routeInfo returns what kind of route rt is: dynamic (rendered every
// request), static (cached until revalidated) or ISR (with a window).
func routeInfo(rt *framework.Route) RouteInfo {
	info := RouteInfo{Pattern: rt.Pattern, StaticParams: rt.StaticParams != nil}
	switch {
	case rt.Revalidate <= 0:
		info.Kind = "dynamic"
	case rt.Revalidate == framework.Never:
		info.Kind = "static"
	default:
		info.Kind = "isr"
		info.Revalidate = rt.Revalidate.Seconds()
	}
	return info
}

func printRoutes(routes []framework.Route, w io.Writer) int {
	enc := json.NewEncoder(w)
	for i := range routes {
		enc.Encode(routeInfo(&routes[i]))
	}
	return 0
}

// PrerenderEvent is one line of `server prerender`'s output, which
// `framework build` reads to draw its progress bar and route table: "start"
// with the number of pages to come, one "page" per page prerendered, and
// "done" at the end. A failed prerender ends without "done", exits 1 and
// says why on stderr.
type PrerenderEvent struct {
	Event string `json:"event"` // "start", "page" or "done"
	Route string `json:"route,omitempty"`
	Path  string `json:"path,omitempty"`
	Bytes int    `json:"bytes,omitempty"`
	Holes int    `json:"holes,omitempty"` // the page's Dynamic holes
	Total int    `json:"total,omitempty"` // pages to prerender, on "start" and "done"
}

// prerenderAll prerenders every page of routes that may be cached: static
// routes, and each path StaticParams lists, concurrency at a time. It
// reports progress to progress, one call at a time, and stops at the first
// error, which names the route and params.
func prerenderAll(ctx context.Context, app *framework.App, routes []framework.Route, concurrency int, progress func(PrerenderEvent)) error {
	type job struct {
		route  *framework.Route
		params framework.Params
	}
	var jobs []job
	for i := range routes {
		rt := &routes[i]
		// The sitemap and robots.txt are rendered on their first request,
		// with the server's site URL rather than the build's.
		if rt.Revalidate <= 0 || rt.NeedsSiteURL {
			continue
		}
		if !strings.ContainsAny(rt.Pattern, ":*") {
			jobs = append(jobs, job{route: rt})
			continue
		}
		if rt.StaticParams == nil {
			continue
		}
		list, err := rt.StaticParams(ctx)
		if err != nil {
			return fmt.Errorf("prerender %s: StaticParams: %w", rt.Pattern, err)
		}
		for _, params := range list {
			jobs = append(jobs, job{route: rt, params: params})
		}
	}
	var mu sync.Mutex
	emit := func(ev PrerenderEvent) {
		mu.Lock()
		defer mu.Unlock()
		progress(ev)
	}
	emit(PrerenderEvent{Event: "start", Total: len(jobs)})

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan job)
	var wg sync.WaitGroup
	for range max(1, min(concurrency, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				page, err := app.Prerender(ctx, *j.route, j.params)
				if err != nil {
					cancel(fmt.Errorf("%w (route %s, params %v)", err, j.route.Pattern, map[string]string(j.params)))
					continue
				}
				emit(PrerenderEvent{Event: "page", Route: j.route.Pattern, Path: page.Path, Bytes: page.Bytes, Holes: page.Holes})
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	emit(PrerenderEvent{Event: "done", Total: len(jobs)})
	return nil
}
