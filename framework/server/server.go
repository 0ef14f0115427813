package server

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
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/asset"
	// The stores the server opens: Badger in --cache-dir, Redis for a
	// redis:// --cache. They register themselves with the framework.
	_ "github.com/isr-go/framework/framework/badgerstore"
	_ "github.com/isr-go/framework/framework/redisstore"
)

// buildID is the binary's build ID, set by `framework build` with
// -ldflags "-X <BuildIDSymbol>=<ID>". It is the only copy: the binary
// cannot disagree with itself about which cache is its own.
var buildID string

// BuildIDSymbol is the linker name of the build ID, for
// go build -ldflags "-X BuildIDSymbol=ID". It is spelt out here, beside the
// variable, so that renaming one without the other breaks the build of the
// framework command instead of silently serving "development".
const BuildIDSymbol = "github.com/isr-go/framework/framework/server.buildID"

// DevelopmentBuildID is the build ID of a binary built without one: by go
// build, go run or framework dev.
const DevelopmentBuildID = "development"

// BuildID returns the build ID stamped into this binary, or
// DevelopmentBuildID.
func BuildID() string {
	if buildID == "" {
		return DevelopmentBuildID
	}
	return buildID
}

// Main is the main function of an app's server, the binary `framework
// build` compiles. routes and register come from the generated
// routes_gen.go:
//
//	func main() { server.Main(Routes(), Register) }
//
// SIGINT and SIGTERM stop it gracefully. See the package documentation for
// its commands, flags and environment.
func Main(routes []framework.Route, register func(*echo.Echo, *framework.App), opts ...Options) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], routes, register, os.Stdout, os.Stderr, opts...)
	stop()
	os.Exit(code)
}

// memoryLimit is the soft limit of the Go runtime's memory that serve sets
// when GOMEMLIMIT does not: the memory tier plus 48 MiB, 96 MiB with the
// default tier of 48 MiB. The tier counts what its entries take on the
// heap; Badger's memtables take about 11 MiB, and the runtime, the
// connections and the renders in flight the rest, so about the tier plus
// 20 MiB is live, and the limit leaves the collector room for the garbage
// of reading pages from the store and replacing the tier's entries.
// Without a limit the collector lets the heap grow to twice what is live
// (GOGC=100), and when every page of a 10,000-post site regenerated at once
// the server's RSS went past 200 MiB. With less room (a 32 MiB tier and an
// 80 MiB limit), random posts read from the store kept the collector
// running nearly all the time: 0.61x the plain Echo limit's requests/s and
// a p99 of 84 ms. A 48 MiB tier holds all of a 10,000-post blog, whose
// hits then make no garbage: 0.83x and 0.88x the limit for a peak RSS of
// 117 and 118 MiB, against 0.75x and 122 MiB with a 32 MiB tier and a
// 96 MiB limit. It is soft: the heap may pass it rather than fail.
func memoryLimit(tier int64) int64 {
	if tier <= 0 {
		tier = framework.DefaultMemoryCacheBytes
	}
	return tier + 48<<20
}

// Run is Main with its arguments (without the program name) and output
// streams passed in, for tests; the environment is the process's. It runs
// until the command is done or, for serve, until ctx ends, and returns the
// exit code: 0, 1 on failure, 2 on a usage error.
//
// opts, at most one, are the app's Options from its main.go.
func Run(ctx context.Context, args []string, routes []framework.Route, register func(*echo.Echo, *framework.App), stdout, stderr io.Writer, opts ...Options) int {
	// The .env files go into the process's environment before anything
	// reads it, the app's own code included.
	if err := loadEnvFiles(envMode(args)); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var app Options
	if len(opts) > 0 {
		app = opts[0]
	}
	return run(ctx, args, routes, register, stdout, stderr, os.Getenv, app)
}

func run(ctx context.Context, args []string, routes []framework.Route, register func(*echo.Echo, *framework.App), stdout, stderr io.Writer, getenv func(string) string, app Options) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	// Every command takes every flag, so that a caller can pass one set
	// of flags to any of them.
	var cfg Config
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	cfg.Bind(fs, getenv)
	// The flag package would follow an error with the whole usage; one
	// line says it better.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		prog := filepath.Base(os.Args[0])
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "usage: %s [serve|prerender|routes|build-id|health] [flags]\n\nSee go doc github.com/isr-go/framework/framework/server.\n\nFlags:\n", prog)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "%s: %v\nrun '%s --help' for usage\n", cmd, err, prog)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", cmd, fs.Arg(0))
		return 2
	}
	switch cmd {
	case "routes":
		return printRoutes(routes, stdout)
	case "build-id":
		fmt.Fprintln(stdout, BuildID())
		return 0
	case "health":
		// Before framework.New: the server it asks holds the cache.
		return checkHealth(ctx, cfg.addr(app, setFlags(fs), getenv), stdout, stderr)
	case "serve", "prerender":
	default:
		fmt.Fprintf(stderr, "unknown command %q: want serve, prerender, routes, build-id or health\n", cmd)
		return 2
	}
	limits, err := app.Limits.withDefaults().fromEnv(getenv)
	if err != nil && cmd == "serve" {
		fmt.Fprintln(stderr, err)
		return 2
	}

	logger, err := newLogger(stderr, cfg.LogFormat)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if stderr == os.Stderr {
		// Main's logger is the process's: what logs through slog's
		// default (Badger) takes its format too. A test's Run, with its
		// own stderr, leaves the process's default alone.
		slog.SetDefault(logger)
	}
	flagSet := setFlags(fs)
	opts := cfg.options(app, flagSet, getenv, logger)
	if cmd == "serve" && getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(opts.MemoryCacheBytes))
	}
	if cmd == "prerender" {
		// Prerendered pages go to the store for the server to read; a
		// memory tier here would only churn (and collect) as it fills.
		opts.MemoryCacheBytes = 1
	}
	a, err := framework.New(opts)
	if err != nil {
		logFatal(stderr, logger, cfg.LogFormat, err)
		return 1
	}
	defer a.Close()
	if cmd == "prerender" {
		concurrency := cfg.Concurrency
		if concurrency <= 0 {
			concurrency = 2 * runtime.GOMAXPROCS(0)
		}
		enc := json.NewEncoder(stdout)
		if err := prerenderAll(ctx, a, routes, concurrency, func(ev PrerenderEvent) { enc.Encode(ev) }); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	h := handler(a, app.Middleware, register, limits.MaxBodyBytes, cfg.LogRequests, logger)
	if err := serve(ctx, a, cfg.addr(app, flagSet, getenv), limits, h, logger); err != nil {
		logFatal(stderr, logger, cfg.LogFormat, err)
		return 1
	}
	return 0
}

// handler returns what the server answers requests with: the app's routes
// (register) behind its middleware, behind the redirect of non-canonical
// paths and the body limit (maxBody bytes), and behind the request log when
// logRequests is on. Off, the log is not installed at all, so that the hit
// path pays nothing for it.
func handler(app *framework.App, appMiddleware []echo.MiddlewareFunc, register func(*echo.Echo, *framework.App), maxBody int64, logRequests bool, logger *slog.Logger) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	e.Use(appMiddleware...)
	register(e, app)
	h := framework.CanonicalPaths(e)
	// The health check is answered before the app's middleware: an
	// authenticating middleware must not fail the load balancer's probe.
	h = healthFirst(app, h)
	h = LimitBody(h, maxBody)
	h = asset.NoSniff(h)
	if logRequests {
		h = requestLog(h, logger)
	}
	return h
}

// healthFirst answers GET and HEAD of framework.HealthPath itself and hands
// every other request to next, its other spellings (an escape, RawPath set)
// included, which next redirects to it like any path's.
func healthFirst(app *framework.App, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == framework.HealthPath && r.URL.RawPath == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			app.ServeHealth(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serve runs the HTTP server with h until ctx ends, then drains requests in
// flight and lets regenerations finish (app.Close, deferred by the caller).
func serve(ctx context.Context, app *framework.App, addr string, limits Limits, h http.Handler, logger *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(addr, err)
	}
	srv := &http.Server{Handler: h}
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
	shutdown, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if errors.Is(err, context.DeadlineExceeded) {
		// A client that stopped reading (or a handler that never returns)
		// holds its connection up to the WriteTimeout. The bound is the
		// point: the server stops as it should, and says why it took so
		// long rather than failing with "context deadline exceeded".
		logger.Warn("framework: requests still running after the shutdown timeout; closing their connections", "timeout", drainTimeout)
		srv.Close()
		return nil
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// drainTimeout is how long a shutdown waits for requests in flight; tests
// shorten it.
var drainTimeout = 30 * time.Second

// listenError is the error of listening on addr: when another process
// holds the port, a line that says so and what to do about it rather than
// Go's "listen tcp :3000: bind: address already in use".
func listenError(addr string, err error) error {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return err
	}
	host, port, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return fmt.Errorf("address %s is in use: another server? stop it or pass --addr (FRAMEWORK_ADDR)", addr)
	}
	where := "port " + port
	if host != "" {
		where += " on " + host
	}
	return fmt.Errorf("%s is in use: another server? stop it or pass --addr (FRAMEWORK_ADDR)", where)
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
