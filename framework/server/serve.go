package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// serveCommand is `server serve`, the default command.
type serveCommand struct {
	env
	cfg Config
}

const serveUsage = `usage: %s [serve] [flags]

Serve the app over HTTP until SIGINT or SIGTERM, from the cache in
--cache-dir (Badger, one directory per build) or the Redis --cache names.
`

// serveFlags are the flags serve takes.
var serveFlags = []Flag{FlagAddr, FlagCacheDir, FlagCache, FlagSiteURL, FlagDev, FlagMetrics, FlagLogRequests, FlagLogFormat, FlagHealthRequiresStore, FlagContentDir, FlagImageHosts}

func (c *serveCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.cfg.Bind(fs, c.getenv, serveFlags...)
	return fs
}

// Usage prints the command's help.
func (c *serveCommand) Usage() { printUsage(c.stderr, serveUsage, c.flags()) }

// Run serves the app until ctx ends, then drains requests in flight and
// lets regenerations finish.
func (c *serveCommand) Run(ctx context.Context, args []string) error {
	fs := c.flags()
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	useContentDir(c.cfg.ContentDir)
	limits, err := c.app.Limits.withDefaults().fromEnv(c.getenv)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitCode(2)
	}
	app, logger, closeApp, err := c.startApp(&c.cfg, fs, func(opts *framework.Options) {
		tuneRuntime(c.getenv, opts.MemoryCacheBytes)
	})
	if err != nil {
		return err
	}
	defer closeApp()
	h := handler(app, c.app.Middleware, c.register, limits.MaxBodyBytes, c.cfg.LogRequests, logger)
	if err := serve(ctx, app, c.cfg.addr(c.app, setFlags(fs), c.getenv), limits, h, logger); err != nil {
		logFatal(c.stderr, logger, c.cfg.LogFormat, err)
		return exitCode(1)
	}
	return nil
}

// tuneRuntime sets the Go runtime's soft memory limit (memoryLimit) and
// its GOGC (serveGCPercent) for a server whose memory tier is tier bytes
// (0 for the default), each unless its environment variable sets it.
func tuneRuntime(getenv func(string) string, tier int64) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(tier))
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}

// serveGCPercent is the GOGC that serve sets when GOGC does not: between
// collections the heap grows to 1.5 times what is live rather than twice.
// Most of a server's live heap is the memory tier's page bodies, bytes the
// collector does not scan, so a collection costs little and more of them
// buy RSS cheaply: serving 10,000 of the example blog's posts at random to
// clients without gzip, the peak RSS went from 156 to 126 MiB and the
// collector from 1 % to 2 % of the CPU, at the same requests/s; over
// 100,000 posts, where the memory limit bounds the heap already, from 246
// to 232 MiB, requests/s alike.
const serveGCPercent = 50

// memoryLimit is the soft limit of the Go runtime's memory that serve sets
// when GOMEMLIMIT does not: the memory tier and half as much again, plus
// 48 MiB. The tier counts what its entries take on the heap; about 25 MiB
// more is live besides (Badger's memtables, the connections, the renders
// in flight), and the runtime keeps some of the limit for itself, so a
// limit of the tier plus 48 MiB left a full tier a few MiB of room: with a
// 128 MiB tier full of random posts read from the store (whose reads and
// every request's net/http make garbage), the collector ran 409 times in
// 70 s, 22 % of the CPU, at 0.42x the plain Echo limit's requests/s. With
// half the tier more it ran 83 times, 4 %, at 0.63x. Without a limit the
// collector lets the heap grow to twice what is live (GOGC=100): this
// bounds the RSS of a large site near the limit plus the store's mapped
// pages. It is soft: the heap may pass it rather than fail.
func memoryLimit(tier int64) int64 {
	if tier <= 0 {
		tier = framework.DefaultMemoryCacheBytes()
	}
	return tier + tier/2 + 48<<20
}

// handler returns what the server answers requests with: the app's routes
// (register) behind its middleware and the body limit (maxBody bytes),
// behind the redirect of non-canonical paths, and behind the request log when
// logRequests is on, all in a span per request when tracing is on (App.Trace).
// Off, neither is installed at all, so that the hit path pays nothing for
// them.
func handler(app *framework.App, appMiddleware []echo.MiddlewareFunc, register func(*echo.Echo, *framework.App), maxBody int64, logRequests bool, logger *slog.Logger) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The app's error handler (runtime.Register installs it too) answers
	// the body limit's 413 and the panics Recover catches: logged once,
	// with the stack, by the handler rather than by Recover.
	e.HTTPErrorHandler = runtime.HTTPErrorHandler(app)
	e.Pre(BodyLimit(maxBody))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			return fmt.Errorf("panic: %w\n%s", err, stack)
		},
	}))
	e.Use(appMiddleware...)
	register(e, app)
	h := runtime.CanonicalPaths(e)
	// The health check is answered before the app's middleware: an
	// authenticating middleware must not fail the load balancer's probe.
	h = healthFirst(app, h)
	h = app.SecurityHeaders(h)
	if logRequests {
		h = requestLog(h, logger)
	}
	// Outermost, so that the request log sees the request's span.
	return app.Trace(h)
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
	go func() { errc <- srv.Serve(limits.listener(l, logger)) }()
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
