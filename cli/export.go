package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/server"
)

// exportCommand is `framework export`.
type exportCommand struct {
	env         Env
	server      server.Config // --cache, --cache-dir, --concurrency, --site-url
	strict      bool
	strictLinks bool
}

const exportUsage = `usage: framework export [--strict] [--strict-links] [--site-url URL] [build flags] [DIR]

Export builds the app in the working directory as framework build does,
then writes every page that can be static to DIR (default out), as the
server serves it: static pages and the pages StaticParams lists, as
/a/b -> DIR/a/b.html and / -> DIR/index.html; public/'s files; 404.html,
the root not-found page; robots.txt and sitemap.xml, which need --site-url
(or FRAMEWORK_SITE_URL); and a .gz beside each text file. DIR is replaced.

Pages that need a server are listed with the reason and left out: dynamic
pages (Revalidate 0), pages with PerRequest holes, route handlers, params
StaticParams does not list when DynamicParams is true, redirects. --strict
makes any of them an error. Links are checked as framework build does; a
link to a page the export leaves out is reported apart, as a link to a page
that needs a server, a warning or, with --strict-links, an error. For
framework.Image, set FRAMEWORK_UNOPTIMIZED_IMAGES=1: its variants need a
server.

A static host must answer /a/b with a/b.html and unknown paths with
404.html: GitHub Pages, Netlify, Cloudflare Pages and Vercel do; for nginx:

	location / { try_files $uri $uri.html $uri/ =404; }
	error_page 404 /404.html;
	gzip_static on;

Example:

	framework export --site-url https://example.com && npx serve out

`

func (c *exportCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("framework export", flag.ContinueOnError)
	c.server.Bind(fs, c.env.Getenv, server.FlagCache, server.FlagCacheDir, server.FlagConcurrency, server.FlagSiteURL)
	fs.BoolVar(&c.strict, "strict", false, "fail when a page needs a server and cannot be exported")
	fs.BoolVar(&c.strictLinks, "strict-links", false, "fail on a broken same-origin link")
	return fs
}

// Usage prints the command's help.
func (c *exportCommand) Usage() { printUsage(c.env.Stderr, exportUsage, c.flags()) }

// Run exports the app in the working directory to args[0], or to out.
func (c *exportCommand) Run(ctx context.Context, args []string) error {
	positional, err := parseArgs(c.flags(), args)
	if err != nil {
		return err
	}
	out := "out"
	switch len(positional) {
	case 0:
	case 1:
		out = positional[0]
	default:
		return usageErrorf("want at most one output directory, got %q", positional)
	}
	if err := server.LoadEnvFiles(".", "production"); err != nil {
		return err
	}
	if _, err := parseArgs(c.flags(), args); err != nil {
		return err
	}
	start := time.Now()
	if out, err = exportDir(".", out); err != nil {
		return err
	}

	b := &buildCommand{env: c.env}
	bargs := c.server.Args(server.FlagCache, server.FlagCacheDir, server.FlagConcurrency)
	if c.strictLinks {
		bargs = append(bargs, "--strict-links")
	}
	if err := b.Run(ctx, append(bargs, "--", ".")); err != nil {
		return err
	}

	if err := os.RemoveAll(out); err != nil {
		return err
	}
	cfg := c.server
	if cfg.CacheDir, err = cacheRoot(".", cfg.CacheDir); err != nil {
		return err
	}
	xargs := append(cfg.Args(server.FlagCacheDir, server.FlagCache, server.FlagConcurrency), "--out", out)
	if cfg.SiteURL != "" {
		xargs = append(xargs, "--site-url", cfg.SiteURL)
	}
	fmt.Fprintln(c.env.Stdout, "\nExporting...")
	checker := newLinkChecker(b.routes, b.handlers)
	var events []server.ExportEvent
	err = runExport(ctx, ".", xargs, func(ev server.ExportEvent) {
		checker.add(ev)
		ev.Links, ev.Fragments = nil, nil // the checker has them
		events = append(events, ev)
	})
	if err != nil {
		return err
	}
	needServer := printExportTable(c.env.Stdout, b.routes, b.handlers, events)
	if err := reportLinks(c.env.Stdout, checker.check(true), c.strictLinks); err != nil {
		return err
	}
	var files, size int
	for _, ev := range events {
		if ev.File != "" {
			files++
			size += ev.Bytes
		}
	}
	fmt.Fprintf(c.env.Stdout, "\nExported %d files (%s) to %s in %.1fs.\n", files, formatBytes(size), out, time.Since(start).Seconds())
	if c.strict && needServer > 0 {
		return fmt.Errorf("%d routes or pages need a server and were not exported (--strict)", needServer)
	}
	return nil
}

// exportDir returns the absolute path of the export directory out of the
// app in app, after checking that replacing it cannot lose anything else:
// it must neither hold the app nor be in its app/, public/ or .framework/,
// and if it has files it must look like an export (an index.html or a
// 404.html).
func exportDir(app, out string) (string, error) {
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if app, err = filepath.Abs(app); err != nil {
		return "", err
	}
	if out == app || strings.HasPrefix(app, out+string(filepath.Separator)) {
		return "", fmt.Errorf("cannot export to %s: it holds the app", out)
	}
	for _, own := range []string{"app", "public", outDir} {
		dir := filepath.Join(app, own)
		if out == dir || strings.HasPrefix(out, dir+string(filepath.Separator)) {
			return "", fmt.Errorf("cannot export to %s: it is part of the app (%s/)", out, own)
		}
	}
	entries, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0 {
		return out, nil
	}
	if err != nil {
		return "", err
	}
	for _, name := range []string{"index.html", "404.html"} {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			return out, nil
		}
	}
	return "", fmt.Errorf("cannot export to %s: it has files and is not an export (no index.html or 404.html); remove it or name another directory", out)
}

// printExportTable prints what the export wrote per route, then what it
// left out and why, and returns how many routes and pages it left out.
func printExportTable(w io.Writer, routes []server.RouteInfo, handlers []codegen.Handler, events []server.ExportEvent) int {
	type count struct{ pages, bytes int }
	counts := map[string]*count{}
	var skipped []server.ExportEvent
	for _, ev := range events {
		switch ev.Event {
		case "page":
			n := counts[ev.Route]
			if n == nil {
				n = &count{}
				counts[ev.Route] = n
			}
			n.pages++
			n.bytes += ev.Bytes
		case "skip":
			skipped = append(skipped, ev)
		}
	}
	type row struct{ pattern, symbol, kind, pages, size string }
	var rows []row
	for _, r := range routes {
		symbol, kind := routeKind(r)
		pages, size := "-", "-"
		if n := counts[r.Pattern]; n != nil {
			pages, size = fmt.Sprint(n.pages), formatBytes(n.bytes/n.pages)
		}
		rows = append(rows, row{r.Pattern, symbol, kind, pages, size})
	}
	for _, h := range handlers {
		rows = append(rows, row{h.Pattern, "λ", strings.Join(h.Methods, ", "), "-", "-"})
		skipped = append(skipped, server.ExportEvent{Route: h.Pattern, Reason: "is a route handler (" + h.File + "), run per request"})
	}
	slices.SortStableFunc(rows, func(a, b row) int { return codegen.ComparePatterns(a.pattern, b.pattern) })
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "Route\tKind\tExported\tSize")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", r.symbol, r.pattern, r.kind, r.pages, r.size)
	}
	tw.Flush()
	if len(skipped) == 0 {
		return 0
	}
	slices.SortStableFunc(skipped, func(a, b server.ExportEvent) int {
		return cmp.Or(codegen.ComparePatterns(a.Route, b.Route), strings.Compare(a.Path, b.Path))
	})
	fmt.Fprintln(w, "\nNot exported (they need a server):")
	tw = tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, ev := range skipped {
		what := ev.Route
		if ev.Path != "" && ev.Path != ev.Route {
			what = ev.Path
		}
		fmt.Fprintf(tw, "  %s\t%s\n", what, ev.Reason)
	}
	tw.Flush()
	return len(skipped)
}
