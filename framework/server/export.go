package server

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/isr-go/framework/framework"
)

// exportCommand is `server export`, which `framework export` runs after a
// build's prerender, and `framework build` (without --out) for its link
// check.
type exportCommand struct {
	env
	cfg Config
	out string
}

const exportUsage = `usage: %s export [--out DIR] [flags]

Write the app's static pages, as the server would serve them, to files
under --out: every static page and every path StaticParams lists (/a/b as
a/b.html, / as index.html), robots.txt and the sitemap (with --site-url),
404.html (the root not-found page) and public/'s files, with a .gz beside
each text file. Pages are requested through the server's own handler from
the cache that prerender filled, so their bytes are the server's.

It prints one ExportEvent per line on stdout: a "page" or "file" per file,
with the same-origin links of each page; a "skip" per page or route that
needs a server, with the reason; "done" at the end. Without --out it writes
nothing and leaves out robots.txt, the sitemap and 404.html: framework
build checks the links of its pages that way.
`

// exportFlags are the flags export takes besides --out.
var exportFlags = []Flag{FlagCacheDir, FlagCache, FlagConcurrency, FlagSiteURL, FlagLogFormat}

func (c *exportCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	c.cfg.Bind(fs, c.getenv, exportFlags...)
	fs.StringVar(&c.out, "out", "", "the directory to write the files to (none: list the pages and their links only)")
	return fs
}

// Usage prints the command's help.
func (c *exportCommand) Usage() { printUsage(c.stderr, exportUsage, c.flags()) }

// ExportEvent is one line of `server export`'s output.
type ExportEvent struct {
	Event string   `json:"event"`           // "page", "file", "skip" or "done"
	Route string   `json:"route,omitempty"` // the page's route pattern
	Path  string   `json:"path,omitempty"`  // the URL path, escaped
	File  string   `json:"file,omitempty"`  // slash-separated, under --out; none without --out
	Bytes int      `json:"bytes,omitempty"` // the file's size
	Links []string `json:"links,omitempty"` // a page's same-origin links (paths, escaped)
	// Fragments are the page's links to itself ("#usage") that name no
	// element of it.
	Fragments []string `json:"fragments,omitempty"`
	Reason    string   `json:"reason,omitempty"` // why a skipped page needs a server
}

// Reasons a page needs a server, in "skip" events.
const (
	reasonDynamic       = "is rendered per request (Revalidate 0)"
	reasonHoles         = "has PerRequest holes, rendered per request"
	reasonNoParams      = "has params and no StaticParams: its pages are known on request only"
	reasonDynamicParams = "renders params StaticParams does not list on request (DynamicParams)"
	reasonSiteURL       = "needs the site's URL: pass --site-url or set FRAMEWORK_SITE_URL"
)

// ReasonNotFound is the reason of a "skip" event for a page listed that
// answers 404: no page, rather than one that needs a server.
const ReasonNotFound = "is not found (404)"

// notFoundProbe is a path no page has, whose answer is the root not-found
// page, 404.html.
const notFoundProbe = "/_framework/export-not-found"

// exporter requests pages through the server's handler and writes them.
type exporter struct {
	h    http.Handler
	out  string // "": list only
	site *url.URL
	host string

	mu         sync.Mutex
	emit       func(ExportEvent)
	referenced map[string]bool // the pages' links under /_framework/
}

// Run exports the app.
func (c *exportCommand) Run(ctx context.Context, args []string) error {
	fs := c.flags()
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	var site string // the site URL serve would have, from the flags, environment and main.go
	app, logger, closeApp, err := c.startApp(&c.cfg, fs, func(opts *framework.Options) { site = opts.SiteURL })
	if err != nil {
		return err
	}
	defer closeApp()
	x, err := c.newExporter(app, logger, site, c.out)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(c.stdout)
	x.emit = func(ev ExportEvent) { enc.Encode(ev) }
	concurrency := c.cfg.Concurrency
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	if err := x.run(ctx, c.routes, concurrency); err != nil {
		return err
	}
	x.send(ExportEvent{Event: "done"})
	return nil
}

// newExporter returns the exporter of app, through the server's handler,
// to the directory out ("": a list only), for the site URL site (may be "").
func (e env) newExporter(app *framework.App, logger *slog.Logger, site, out string) (*exporter, error) {
	x := &exporter{
		h:          handler(app, e.app.Middleware, e.register, e.app.Limits.withDefaults().MaxBodyBytes, false, logger),
		out:        out,
		host:       "localhost",
		referenced: map[string]bool{},
	}
	if site != "" {
		var err error
		if x.site, err = url.Parse(site); err != nil {
			return nil, fmt.Errorf("--site-url %q: %w", site, err)
		}
		x.host = x.site.Host
	}
	return x, nil
}

// send emits ev, one event at a time.
func (x *exporter) send(ev ExportEvent) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.emit(ev)
}

// pageJob is one page to export.
type pageJob struct{ route, path string }

// run exports the pages of routes, then the sitemap's parts, 404.html and
// the app's files.
func (x *exporter) run(ctx context.Context, routes []framework.Route, concurrency int) error {
	var jobs []pageJob
	var sitemaps []string
	for i := range routes {
		rt := &routes[i]
		hasParams := strings.ContainsAny(rt.Pattern, ":*")
		switch {
		case rt.NeedsSiteURL:
			// A sitemap's parts are the ones its index lists. A list
			// has no use for these files, and rendering them would
			// cache them with the build's site URL.
			if hasParams || x.out == "" {
				continue
			}
			if x.site == nil {
				x.send(ExportEvent{Event: "skip", Route: rt.Pattern, Path: rt.Pattern, Reason: reasonSiteURL})
				continue
			}
			jobs = append(jobs, pageJob{rt.Pattern, rt.Pattern})
			if rt.Pattern == framework.SitemapPath {
				sitemaps = append(sitemaps, rt.Pattern)
			}
		case x.skipRoute(rt):
		case !hasParams:
			jobs = append(jobs, pageJob{rt.Pattern, rt.Pattern})
		default:
			list, err := rt.StaticParams(ctx)
			if err != nil {
				return fmt.Errorf("export %s: StaticParams: %w", rt.Pattern, err)
			}
			for _, params := range list {
				p, err := rt.PathFor(params)
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				jobs = append(jobs, pageJob{rt.Pattern, p})
			}
		}
	}
	if err := x.pages(ctx, jobs, concurrency); err != nil {
		return err
	}
	for _, p := range sitemaps {
		if err := x.sitemapParts(ctx, p); err != nil {
			return err
		}
	}
	if x.out != "" {
		if err := x.notFound(); err != nil {
			return err
		}
	}
	return x.siteFiles()
}

// skipRoute sends the "skip" of the route rt, which has no site URL to
// need, when its pages or some of them need a server, and reports whether
// it has no page to export at all.
func (x *exporter) skipRoute(rt *framework.Route) bool {
	reason, none := "", false
	switch {
	case rt.Revalidate <= 0:
		reason, none = reasonDynamic, true
	case !strings.ContainsAny(rt.Pattern, ":*"):
	case rt.StaticParams == nil:
		reason, none = reasonNoParams, true
	case !rt.StaticParamsOnly:
		reason = reasonDynamicParams
	}
	if reason != "" {
		x.send(ExportEvent{Event: "skip", Route: rt.Pattern, Reason: reason})
	}
	return none
}

// siteFiles exports the app's files: public/'s, then those under
// /_framework/ that the pages link to.
func (x *exporter) siteFiles() error {
	files, err := x.files()
	if err != nil {
		return err
	}
	for _, p := range files {
		if err := x.file(p); err != nil {
			return err
		}
	}
	return x.frameworkFiles()
}

// frameworkFiles exports the files under /_framework/ that the pages link
// to (fingerprinted assets, image variants), as the server answers them: a
// link the server does not answer is left for the link check to report.
// A static host cannot tell URLs apart by their query, so one with a query
// is listed as needing a server.
func (x *exporter) frameworkFiles() error {
	links := make([]string, 0, len(x.referenced))
	for l := range x.referenced {
		links = append(links, l)
	}
	slices.Sort(links)
	for _, l := range links {
		w := x.get(l)
		switch {
		case w.Code != http.StatusOK:
		case x.out == "":
			x.send(ExportEvent{Event: "file", Path: l})
		case strings.Contains(l, "?"):
			x.send(ExportEvent{Event: "skip", Path: l, Reason: "has a query string, which a static host ignores"})
		default:
			file, err := x.write(l, false, w.Body.Bytes())
			if err != nil {
				return err
			}
			x.send(ExportEvent{Event: "file", Path: l, File: file, Bytes: w.Body.Len()})
		}
	}
	return nil
}

// pages exports jobs, concurrency at a time, and stops at the first error.
func (x *exporter) pages(ctx context.Context, jobs []pageJob, concurrency int) error {
	return eachAtOnce(ctx, jobs, concurrency, func(_ context.Context, j pageJob) error { return x.page(j) })
}

// get requests p through the handler, as a browser without compression:
// an error answered for a browser is an HTML page.
func (x *exporter) get(p string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://"+x.host+p, nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	return w
}

// page exports the page at j.path: written when the server answers it the
// same for everybody, else a "skip" with the reason.
func (x *exporter) page(j pageJob) error {
	w := x.get(j.path)
	switch {
	case w.Code == http.StatusOK && strings.Contains(w.Header().Get("Cache-Control"), "private"):
		x.send(ExportEvent{Event: "skip", Route: j.route, Path: j.path, Reason: reasonHoles})
		return nil
	case w.Code == http.StatusOK:
	case w.Code >= 300 && w.Code < 400:
		x.send(ExportEvent{Event: "skip", Route: j.route, Path: j.path, Reason: "redirects to " + w.Header().Get("Location")})
		return nil
	case w.Code == http.StatusNotFound:
		x.send(ExportEvent{Event: "skip", Route: j.route, Path: j.path, Reason: ReasonNotFound})
		return nil
	default:
		return fmt.Errorf("export %s (route %s): the server answered %d: %.200s", j.path, j.route, w.Code, w.Body.String())
	}
	body := w.Body.Bytes()
	isHTML := strings.HasPrefix(w.Header().Get("Content-Type"), "text/html")
	ev := ExportEvent{Event: "page", Route: j.route, Path: j.path, Bytes: len(body)}
	if isHTML {
		ev.Links, ev.Fragments = x.pageLinks(body, j.path)
	}
	file, err := x.write(j.path, isHTML, body)
	if err != nil {
		return err
	}
	ev.File = file
	x.send(ev)
	return nil
}

// pageLinks returns the links and the missing fragments of the HTML page
// at p (see pageLinks), and notes its links under /_framework/ for
// frameworkFiles.
func (x *exporter) pageLinks(body []byte, p string) (links, missing []string) {
	links, missing = pageLinks(body, p, x.site)
	x.reference(links)
	return links, missing
}

// reference notes the links under /_framework/ of links, a page's.
func (x *exporter) reference(links []string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, l := range links {
		if strings.HasPrefix(l, frameworkPrefix) {
			x.referenced[l] = true
		}
	}
}

// sitemapParts exports the parts the sitemap index at p lists, if it is one.
func (x *exporter) sitemapParts(ctx context.Context, p string) error {
	w := x.get(p)
	var index struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if w.Code != http.StatusOK || xml.Unmarshal(w.Body.Bytes(), &index) != nil {
		return nil
	}
	var jobs []pageJob
	for _, s := range index.Sitemaps {
		u, err := url.Parse(s.Loc)
		if err == nil && u.Host == x.site.Host {
			jobs = append(jobs, pageJob{p, u.EscapedPath()})
		}
	}
	return x.pages(ctx, jobs, 1)
}

// notFound writes the root not-found page as 404.html, which static hosts
// (GitHub Pages, Netlify, S3 as its error document, nginx's error_page)
// answer unknown paths with.
func (x *exporter) notFound() error {
	w := x.get(notFoundProbe)
	if w.Code != http.StatusNotFound {
		return fmt.Errorf("export 404.html: %s answered %d, not 404: does a catch-all page answer every path?", notFoundProbe, w.Code)
	}
	if err := x.writeFile("404.html", w.Body.Bytes()); err != nil {
		return err
	}
	x.send(ExportEvent{Event: "file", Path: notFoundProbe, File: "404.html", Bytes: w.Body.Len()})
	return nil
}

// files returns the URL paths, besides pages, that the app serves as
// files: public/'s. Each is requested through the handler and written as
// served. Other files an app serves (fingerprinted assets, image variants)
// are added here.
func (x *exporter) files() ([]string, error) {
	var paths []string
	err := filepath.WalkDir("public", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == "public" {
				return fs.SkipDir
			}
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel("public", p)
			if err != nil {
				return err
			}
			paths = append(paths, (&url.URL{Path: "/" + filepath.ToSlash(rel)}).EscapedPath())
		}
		return nil
	})
	return paths, err
}

// file exports the app's file at p. A file the server does not answer
// (a public/ file codegen leaves out) is left out.
func (x *exporter) file(p string) error {
	if x.out == "" {
		x.send(ExportEvent{Event: "file", Path: p})
		return nil
	}
	w := x.get(p)
	if w.Code != http.StatusOK {
		return nil
	}
	file, err := x.write(p, false, w.Body.Bytes())
	if err != nil {
		return err
	}
	x.send(ExportEvent{Event: "file", Path: p, File: file, Bytes: w.Body.Len()})
	return nil
}
