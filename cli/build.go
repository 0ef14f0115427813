package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/server"
)

// Paths inside an app's .framework directory.
const (
	outDir    = ".framework"
	serverBin = "server" // the compiled server
)

// buildCommand is `framework build`.
type buildCommand struct {
	env    Env
	server server.Config // --cache, --cache-dir, --concurrency
	// strictLinks makes a broken link an error rather than a warning.
	strictLinks bool
	// What Run built, for export: the server's routes, the handlers.
	routes   []server.RouteInfo
	handlers []codegen.Handler
}

const buildUsage = `usage: framework build [--cache URL] [--cache-dir DIR] [--concurrency N] [--strict-links] [DIR]

Build generates the app's router from app/ (running templ generate first),
compiles its server into .framework/server under a new build ID, prerenders
every static page and every path its StaticParams list into the build's
cache, and prints the route table. A failing prerender fails the build and
names the route, the params and the error.

Pages go into .framework/cache/<build ID> (Badger; --cache-dir or
$FRAMEWORK_CACHE_DIR move .framework/cache, and framework start must be given
the same), or into the shared cache of --cache / $FRAMEWORK_CACHE
(redis://host:port/db) for several instances. The caches of earlier builds
are deleted. The build ID lives in the server binary only:
.framework/server build-id prints it.

Every same-origin href and src of the prerendered pages is checked against
the app's routes (a param route's listed params when DynamicParams is
false), route handlers and public files; each broken one is printed with
the page that links it, a warning unless --strict-links.

Example:

	framework build && framework start

`

func (c *buildCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("framework build", flag.ContinueOnError)
	c.server.Bind(fs, c.env.Getenv, server.FlagCache, server.FlagCacheDir, server.FlagConcurrency)
	fs.BoolVar(&c.strictLinks, "strict-links", false, "fail the build on a broken same-origin link")
	return fs
}

// Usage prints the command's help.
func (c *buildCommand) Usage() { printUsage(c.env.Stderr, buildUsage, c.flags()) }

// Run builds the app in args[0], or in the working directory.
func (c *buildCommand) Run(ctx context.Context, args []string) error {
	dir, _, err := parseAppArgs(c.flags, args, "production")
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := os.Stat(filepath.Join(dir, "app")); err != nil {
		return fmt.Errorf("%s has no app/ folder: is it an app? (framework new creates one)", dir)
	}
	fmt.Fprintln(c.env.Stdout, "Generating routes...")
	gen, err := generate(ctx, dir)
	if err != nil {
		return err
	}
	buildID := newBuildID()
	fmt.Fprintf(c.env.Stdout, "Compiling (build %s)...\n", buildID)
	if err := compileServer(ctx, dir, filepath.Join(outDir, serverBin), buildID, c.env.Stderr); err != nil {
		return err
	}
	// Builds before the binary held the only copy wrote the ID here too: a
	// stale copy would contradict the binary.
	if err := os.Remove(filepath.Join(dir, outDir, "BUILD_ID")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	cfg := c.server
	if cfg.CacheDir, err = cacheRoot(dir, cfg.CacheDir); err != nil {
		return err
	}
	if err := removeOldCaches(cfg.CacheDir, buildID); err != nil {
		return err
	}

	routes, err := serverRoutes(ctx, dir)
	if err != nil {
		return err
	}
	// The prerender lists the links of the pages as it renders them: a
	// second pass reading every page back (export's list) took as long
	// as the prerender.
	pargs := append([]string{"prerender", "--links"}, cfg.Args(server.FlagCacheDir, server.FlagCache, server.FlagConcurrency)...)
	links := newLinkChecker(routes, gen.Handlers)
	stats, err := prerender(ctx, dir, pargs, c.env, links.addPrerendered)
	if err != nil {
		return err
	}
	printRouteTable(c.env.Stdout, routes, gen.Handlers, stats)
	c.routes, c.handlers = routes, gen.Handlers
	broken := append(markdownLinks(gen.BrokenLinks), links.check(false)...)
	if err := reportLinks(c.env.Stdout, broken, c.strictLinks); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "\nBuilt in %.1fs. Run `framework start` to serve it.\n", time.Since(start).Seconds())
	return nil
}

// generate runs templ and codegen on the app in dir.
func generate(ctx context.Context, dir string) (*codegen.Result, error) {
	return codegen.Generate(ctx, dir)
}

// newBuildID returns a build ID that sorts by time and is unique.
func newBuildID() string {
	var b [3]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// compileServer builds the app's server binary, stamped with buildID: the
// binary is the build ID's only copy (see package server). go build's
// output goes to stderr when it succeeds (a download, a warning); when it
// fails, its errors come back, once each, as a codegen.ErrorList of
// file:line:col errors relative to the app, without go's "# pkg" headers,
// those in Go templ generated at their place in the .templ file.
func compileServer(ctx context.Context, dir, out, buildID string, stderr io.Writer) error {
	// -w leaves out DWARF debug information: it is a third of the binary
	// and of its link time (2.3 s against 1.7 s for the example blog),
	// and a production server does not run under a debugger. Stack
	// traces and profiles keep their function names and lines.
	ldflags := "-w -X " + server.BuildIDSymbol + "=" + buildID
	// nodynamic keeps the WebP encoder of /_framework/image
	// (github.com/gen2brain/webp) to its WASM build: its loader of a system
	// libwebp would make even a CGO_ENABLED=0 binary dynamically linked, and
	// the Dockerfile's distroless/static image has no libc.
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "nodynamic", "-ldflags", ldflags, "-o", out, ".")
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	err := cmd.Run()
	if err == nil {
		_, err = stderr.Write(output.Bytes())
		return err
	}
	abs, absErr := filepath.Abs(dir)
	if absErr != nil {
		return absErr
	}
	if errs := codegen.NewSourcePositions(abs).CompilerErrors(output.String()); len(errs) > 0 {
		errs.Sort()
		return errs
	}
	return fmt.Errorf("go build: %w", err)
}

// cacheRoot returns the absolute directory of an app's local caches:
// cacheDir, from --cache-dir or $FRAMEWORK_CACHE_DIR and relative to the
// working directory, else server.DefaultCacheDir in the app. Absolute,
// because the server runs in the app's directory.
func cacheRoot(dir, cacheDir string) (string, error) {
	if cacheDir == "" {
		cacheDir = filepath.Join(dir, filepath.FromSlash(server.DefaultCacheDir))
	}
	return filepath.Abs(cacheDir)
}

// buildIDPattern matches the names newBuildID makes.
var buildIDPattern = regexp.MustCompile(`^\d{8}T\d{6}-[0-9a-f]{6}$`)

// removeOldCaches deletes the local caches of earlier builds under caches,
// which the new build never reads. It leaves anything else alone: caches
// may be a volume holding other files too.
func removeOldCaches(caches, buildID string) error {
	entries, err := os.ReadDir(caches)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != buildID && buildIDPattern.MatchString(e.Name()) {
			if err := os.RemoveAll(filepath.Join(caches, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// serverRoutes asks the built server for its routes.
func serverRoutes(ctx context.Context, dir string) ([]server.RouteInfo, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(".", outDir, serverBin), "routes")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("list routes: %w", err)
	}
	var routes []server.RouteInfo
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var r server.RouteInfo
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("list routes: %w", err)
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// routeStats is what prerendering produced for one route.
type routeStats struct {
	pages, bytes int
	partial      bool // its pages have PerRequest holes
}

// prerender runs the server's prerender command, drawing its progress, and
// returns the pages made per route. each gets every event, those of a link
// check (--links) among them.
func prerender(ctx context.Context, dir string, args []string, env Env, each func(server.PrerenderEvent)) (map[string]*routeStats, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(".", outDir, serverBin), args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	progress := newProgress(env.Stdout, "Prerendering")
	stats := make(map[string]*routeStats)
	// A line has no length limit: a page's event lists all its links.
	lines := bufio.NewReader(out)
	for {
		line, err := lines.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			break
		}
		var ev server.PrerenderEvent
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		each(ev)
		switch ev.Event {
		case "start":
			progress.total = ev.Total
		case "page":
			s := stats[ev.Route]
			if s == nil {
				s = &routeStats{}
				stats[ev.Route] = s
			}
			s.pages++
			s.bytes += ev.Bytes
			if ev.Holes > 0 {
				s.partial = true
			}
			progress.step()
		}
	}
	err = cmd.Wait()
	progress.finish()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return stats, nil
}

// printRouteTable prints the routes as next build does: the pages (routes,
// from the server) and the route.go handlers (from codegen), which run on
// every request, in one list in the order the pages come in, which is the
// router's: static patterns, then params, then catch-alls, each by pattern.
func printRouteTable(w io.Writer, routes []server.RouteInfo, handlers []codegen.Handler, stats map[string]*routeStats) {
	type row struct{ pattern, symbol, kind, pages, size string }
	var rows []row
	partial := false
	for _, r := range routes {
		symbol, kind := routeKind(r)
		pages, size := "-", "-"
		if s := stats[r.Pattern]; s != nil {
			pages = fmt.Sprint(s.pages)
			size = formatBytes(s.bytes / s.pages)
			if s.partial {
				kind += " + holes"
				partial = true
			}
		}
		rows = append(rows, row{r.Pattern, symbol, kind, pages, size})
	}
	for _, h := range handlers {
		rows = append(rows, row{h.Pattern, "λ", strings.Join(h.Methods, ", "), "-", "-"})
	}
	// Stable: a page and a handler of one pattern keep the page first.
	slices.SortStableFunc(rows, func(a, b row) int {
		return codegen.ComparePatterns(a.pattern, b.pattern)
	})
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "Route\tKind\tPrerendered\tSize")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", r.symbol, r.pattern, r.kind, r.pages, r.size)
	}
	tw.Flush()
	fmt.Fprintln(w, "\n○ static: cached until revalidated   ◐ ISR: regenerated after its window   λ dynamic: rendered per request")
	fmt.Fprintln(w, "λ with methods (GET, POST, ...): a route.go handler, run per request.")
	if partial {
		fmt.Fprintln(w, "+ holes: a cached shell with framework.PerRequest holes rendered per request (partial prerendering).")
	}
	fmt.Fprintln(w, "Size is the average HTML of the route's prerendered pages.")
}

func formatWindow(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func formatBytes(n int) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1000)
}

// routeKind returns the symbol and the kind a route table shows for r:
// static, ISR with its window, or dynamic.
func routeKind(r server.RouteInfo) (symbol, kind string) {
	switch r.Kind {
	case "isr":
		return "◐", "ISR " + formatWindow(time.Duration(r.Revalidate*float64(time.Second)))
	case "dynamic":
		return "λ", "dynamic"
	}
	return "○", "static"
}
