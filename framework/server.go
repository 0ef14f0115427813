package framework

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// linkedBuildID is set by `framework build` with -ldflags -X, so that a
// server binary and the cache it prerendered always agree.
var linkedBuildID string

// Main is the main function of an app's server, the binary `framework
// build` compiles. routes and register come from the generated
// routes_gen.go:
//
//	func main() { framework.Main(Routes(), Register) }
//
// The binary's commands:
//
//	server [serve] [--addr :3000] [--cache-dir DIR] [--cache redis://...] [--dev] [--metrics]
//	server prerender [--cache-dir DIR] [--cache redis://...] [--concurrency N]
//	server routes
func Main(routes []Route, register func(*echo.Echo, *App)) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := RunServer(ctx, os.Args[1:], routes, register, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// RunServer is Main with its inputs and outputs passed in, for tests. It
// returns the process's exit code.
func RunServer(ctx context.Context, args []string, routes []Route, register func(*echo.Echo, *App), stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	buildID := linkedBuildID
	if buildID == "" {
		buildID = "development"
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("FRAMEWORK_ADDR", ":3000"), "listen address (env FRAMEWORK_ADDR)")
	cacheDir := fs.String("cache-dir", envOr("FRAMEWORK_CACHE_DIR", filepath.Join(".framework", "cache")),
		"directory of the local caches, one per build in DIR/<build ID> (env FRAMEWORK_CACHE_DIR)")
	cacheURL := fs.String("cache", os.Getenv("FRAMEWORK_CACHE"), "shared cache, redis://host:port/db (env FRAMEWORK_CACHE)")
	dev := fs.Bool("dev", false, "render every page on every request (framework dev)")
	metrics := fs.Bool("metrics", os.Getenv("FRAMEWORK_METRICS") == "1", "serve Prometheus metrics at GET /metrics (env FRAMEWORK_METRICS=1)")
	concurrency := fs.Int("concurrency", 2*runtime.GOMAXPROCS(0), "pages prerendered at once")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", cmd, fs.Arg(0))
		return 2
	}
	if cmd == "routes" {
		return printRoutes(routes, stdout)
	}
	if cmd != "serve" && cmd != "prerender" {
		fmt.Fprintf(stderr, "unknown command %q: want serve, prerender or routes\n", cmd)
		return 2
	}
	limits, err := serverLimitsFromEnv(os.Getenv)
	if err != nil && cmd == "serve" {
		fmt.Fprintln(stderr, err)
		return 2
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	app, err := New(Options{BuildID: buildID, CacheDir: filepath.Join(*cacheDir, buildID), CacheURL: *cacheURL, Dev: *dev, Metrics: *metrics, Logger: logger})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer app.Close()
	if cmd == "prerender" {
		if err := app.PrerenderAll(ctx, routes, *concurrency, json.NewEncoder(stdout)); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	if err := serve(ctx, app, *addr, limits, register, logger); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// ServerLimits bound what one client can hold of the HTTP server: how long it
// may take to send a request, how long it may keep an idle connection, how
// many header bytes it may send. Without them a client sending a byte a
// minute holds a connection and its goroutine forever.
//
// A zero duration turns that timeout off (IdleTimeout 0 falls back on
// ReadTimeout, as in net/http). RunServer starts from
// DefaultServerLimits and takes each value from its environment variable
// when set: a Go duration ("90s", "2m") for the timeouts, a number of bytes
// for MaxHeaderBytes.
type ServerLimits struct {
	// ReadHeaderTimeout bounds the reading of a request's line and
	// headers (FRAMEWORK_READ_HEADER_TIMEOUT). Default 10 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the reading of a whole request, body included
	// (FRAMEWORK_READ_TIMEOUT). Default 30 s.
	ReadTimeout time.Duration
	// WriteTimeout bounds the writing of a response, from the end of the
	// request's headers (FRAMEWORK_WRITE_TIMEOUT). Default 0, off: it
	// would cut off a route handler that streams (server-sent events, a
	// large download) however healthy the client, and cached pages are
	// written at once anyway. Set it when no route streams.
	WriteTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request (FRAMEWORK_IDLE_TIMEOUT). Default 120 s.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's line and headers; a larger request
	// is answered 431 (FRAMEWORK_MAX_HEADER_BYTES). Default 64 KiB: Node,
	// behind Next.js, allows 16 KiB, and Go's own default, 1 MiB, is room
	// for a lot of junk per connection. 0 means Go's default.
	MaxHeaderBytes int
}

// DefaultServerLimits returns the limits RunServer uses when no environment
// variable changes them.
func DefaultServerLimits() ServerLimits {
	return ServerLimits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      0,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Apply sets l on srv, for an app that runs its own http.Server.
func (l ServerLimits) Apply(srv *http.Server) {
	srv.ReadHeaderTimeout = l.ReadHeaderTimeout
	srv.ReadTimeout = l.ReadTimeout
	srv.WriteTimeout = l.WriteTimeout
	srv.IdleTimeout = l.IdleTimeout
	srv.MaxHeaderBytes = l.MaxHeaderBytes
}

// serverLimitsFromEnv returns DefaultServerLimits with the values that the
// environment sets. An error names the variable and what it wants.
func serverLimitsFromEnv(getenv func(string) string) (ServerLimits, error) {
	l := DefaultServerLimits()
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{
		{"FRAMEWORK_READ_HEADER_TIMEOUT", &l.ReadHeaderTimeout},
		{"FRAMEWORK_READ_TIMEOUT", &l.ReadTimeout},
		{"FRAMEWORK_WRITE_TIMEOUT", &l.WriteTimeout},
		{"FRAMEWORK_IDLE_TIMEOUT", &l.IdleTimeout},
	} {
		v := getenv(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t < 0 {
			return l, fmt.Errorf("%s=%q: want a duration such as 30s or 2m, or 0 for none", d.name, v)
		}
		*d.to = t
	}
	if v := getenv("FRAMEWORK_MAX_HEADER_BYTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return l, fmt.Errorf("FRAMEWORK_MAX_HEADER_BYTES=%q: want a number of bytes such as 65536, or 0 for Go's default (1 MiB)", v)
		}
		l.MaxHeaderBytes = n
	}
	return l, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// serve runs the HTTP server until ctx ends, then drains requests in flight
// and lets regenerations finish (app.Close, deferred by the caller).
func serve(ctx context.Context, app *App, addr string, limits ServerLimits, register func(*echo.Echo, *App), logger *slog.Logger) error {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	register(e, app)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: CanonicalPaths(e)}
	limits.Apply(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	logger.Info("framework: serving", "url", "http://"+displayAddr(l.Addr()), "build", app.BuildID())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("framework: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// RouteInfo describes a route for `framework build`'s table.
type RouteInfo struct {
	Pattern      string  `json:"pattern"`
	Kind         string  `json:"kind"` // "static", "isr" or "dynamic"
	Revalidate   float64 `json:"revalidate_seconds,omitempty"`
	StaticParams bool    `json:"static_params,omitempty"`
}

// Info returns what kind of route rt is: dynamic (rendered every request),
// static (cached until revalidated) or ISR (with a window).
func (rt *Route) Info() RouteInfo {
	info := RouteInfo{Pattern: rt.Pattern, StaticParams: rt.StaticParams != nil}
	switch rt.Revalidate {
	case 0:
		info.Kind = "dynamic"
	case Never:
		info.Kind = "static"
	default:
		info.Kind = "isr"
		info.Revalidate = rt.Revalidate.Seconds()
	}
	return info
}

func printRoutes(routes []Route, w io.Writer) int {
	enc := json.NewEncoder(w)
	for i := range routes {
		enc.Encode(routes[i].Info())
	}
	return 0
}

// PrerenderEvent is one line of `server prerender`'s output: a page
// prerendered, or the end.
type PrerenderEvent struct {
	Event string `json:"event"` // "start", "page" or "done"
	Route string `json:"route,omitempty"`
	Path  string `json:"path,omitempty"`
	Bytes int    `json:"bytes,omitempty"`
	Total int    `json:"total,omitempty"` // pages to prerender, on "start"
}

// PrerenderAll prerenders every page of routes that may be cached: static
// routes, and each path StaticParams lists, concurrency at a time. It
// reports progress as PrerenderEvents to enc and stops at the first error,
// which names the route and params.
func (a *App) PrerenderAll(ctx context.Context, routes []Route, concurrency int, enc *json.Encoder) error {
	type job struct {
		route  *Route
		params Params
	}
	var jobs []job
	for i := range routes {
		rt := &routes[i]
		if rt.Revalidate == 0 {
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
		enc.Encode(ev)
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
				page, err := a.Prerender(ctx, *j.route, j.params)
				if err != nil {
					cancel(fmt.Errorf("%w (route %s, params %v)", err, j.route.Pattern, map[string]string(j.params)))
					continue
				}
				emit(PrerenderEvent{Event: "page", Route: j.route.Pattern, Path: page.Path, Bytes: page.Bytes})
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
