package server

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/pagescan"
	"github.com/isr-go/framework/framework/runtime"
)

// prerenderCommand is `server prerender`, which `framework build` runs.
type prerenderCommand struct {
	env
	cfg   Config
	links bool
}

const prerenderUsage = `usage: %s prerender [flags]

Render every static page and every path StaticParams lists into the cache
that serve will read (--cache-dir or --cache), printing one PrerenderEvent
per line on stdout. It stops at the first page that fails.

With --links it lists what framework build's link check needs, as export
does without --out, from the pages as they are rendered: "skip" and "file"
events name what needs a server and the files the app serves, and a
"links" event per same-origin link of the pages names the first pages that
have it and counts them.
`

// prerenderFlags are the flags prerender takes.
var prerenderFlags = []Flag{FlagCacheDir, FlagCache, FlagConcurrency, FlagSiteURL, FlagLogFormat}

func (c *prerenderCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("prerender", flag.ContinueOnError)
	c.cfg.Bind(fs, c.getenv, prerenderFlags...)
	fs.BoolVar(&c.links, "links", false, "list each page's links, and the files and the pages that need a server, for a link check")
	return fs
}

// Usage prints the command's help.
func (c *prerenderCommand) Usage() { printUsage(c.stderr, prerenderUsage, c.flags()) }

// Run prerenders the app's pages into its store.
func (c *prerenderCommand) Run(ctx context.Context, args []string) error {
	fs := c.flags()
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	var site string // the site URL serve would have, as export reads it
	app, logger, closeApp, err := c.startApp(&c.cfg, fs, func(opts *framework.Options) {
		// Prerendered pages go to the store for the server to read; a
		// memory tier here would only churn (and collect) as it fills.
		opts.MemoryCacheBytes = 1
		site = opts.SiteURL
	})
	if err != nil {
		return err
	}
	defer closeApp()
	concurrency := c.cfg.Concurrency
	if concurrency <= 0 {
		concurrency = 2 * goruntime.GOMAXPROCS(0)
	}
	var lister *linkLister
	if c.links {
		x, err := c.newExporter(app, logger, site, "")
		if err != nil {
			return err
		}
		lister = newLinkLister(x)
	}
	// A write per event was a system call per page: the events are
	// buffered, and sent at least every progressInterval for the
	// progress bar.
	out := bufio.NewWriterSize(c.stdout, 64<<10)
	defer out.Flush()
	enc := json.NewEncoder(out)
	flushed := time.Now()
	return prerenderAll(ctx, app, c.routes, concurrency, lister, func(ev PrerenderEvent) {
		enc.Encode(ev)
		if ev.Event != "page" && ev.Event != "links" || time.Since(flushed) >= progressInterval {
			out.Flush()
			flushed = time.Now()
		}
	})
}

// progressInterval is how long prerender keeps its events before sending
// them.
const progressInterval = 100 * time.Millisecond

// PrerenderEvent is one line of `server prerender`'s output, which
// `framework build` reads to draw its progress bar and route table: "start"
// with the number of pages to come, one "page" per page prerendered, and
// "done" at the end. A failed prerender ends without "done", exits 1 and
// says why on stderr. With --links, "skip" and "file" events come as in
// export's list (ExportEvent), a "page" has the fragments of its links to
// itself that name no element, and before "done" a "links" event per link
// of the pages, in Path, names the first of them (LinkPages at most) in
// Pages and counts them in Total: a million pages that share their
// navigation send each link once.
type PrerenderEvent struct {
	Event string `json:"event"` // "start", "page", "skip", "file", "links" or "done"
	Route string `json:"route,omitempty"`
	Path  string `json:"path,omitempty"`
	Bytes int    `json:"bytes,omitempty"`
	Holes int    `json:"holes,omitempty"` // the page's PerRequest holes
	// Total is the pages to prerender on "start" and "done", those that
	// have the link on "links".
	Total     int      `json:"total,omitempty"`
	Fragments []string `json:"fragments,omitempty"`
	Reason    string   `json:"reason,omitempty"` // why a "skip" needs a server
	Pages     []string `json:"pages,omitempty"`
}

// prerenderAll prerenders every page of routes that may be cached: static
// routes, and each path StaticParams lists, concurrency at a time. It
// reports progress to progress, one call at a time, and stops at the first
// error, which names the route and params. With a lister, it lists the
// links of the pages, and the routes and files, as export's list does.
func prerenderAll(ctx context.Context, app *framework.App, routes []framework.Route, concurrency int, lister *linkLister, progress func(PrerenderEvent)) error {
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
	if lister != nil {
		lister.start(routes, emit)
	}

	err := eachAtOnce(ctx, jobs, concurrency, func(ctx context.Context, j job) error {
		var links *pagescan.Links
		if lister != nil {
			p, _ := j.route.PathFor(j.params) // Prerender reports its error
			ctx, links = lister.scan(ctx, p)
		}
		page, err := runtime.Prerender(ctx, app, *j.route, j.params)
		if err != nil {
			return fmt.Errorf("%w (route %s, params %v)", err, j.route.Pattern, map[string]string(j.params))
		}
		ev := PrerenderEvent{Event: "page", Route: j.route.Pattern, Path: page.Path, Bytes: page.Bytes, Holes: page.Holes}
		if links != nil {
			lister.page(page.Path, links.Links)
			ev.Fragments = links.Missing
		}
		emit(ev)
		return nil
	})
	if err != nil {
		return err
	}
	if lister != nil {
		if err := lister.finish(); err != nil {
			return err
		}
	}
	emit(PrerenderEvent{Event: "done", Total: len(jobs)})
	return nil
}

// eachAtOnce calls f with each of items, on up to concurrency goroutines,
// and returns the first error; after it, the items not yet started are
// left alone and the ctx of the calls running is cancelled.
func eachAtOnce[T any](ctx context.Context, items []T, concurrency int, f func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan T)
	var wg sync.WaitGroup
	for range max(1, min(concurrency, len(items))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := f(ctx, it); err != nil {
					cancel(err)
				}
			}
		}()
	}
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		work <- it
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}
