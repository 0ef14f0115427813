package server

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// DefaultCacheDir is where the local caches live when neither --cache-dir
// nor $FRAMEWORK_CACHE_DIR says: relative to the app's directory, which is
// the server's working directory.
const DefaultCacheDir = ".framework/cache"

// Config is what the server binary takes from its flags and environment.
// The framework command binds the same fields for start, build and dev
// (Bind), and hands them on to the binary (Args), so that a flag has one
// name, one environment variable and one help text wherever it appears.
//
// A zero field means its default: an empty CacheDir is DefaultCacheDir in
// the app, Concurrency 0 is twice GOMAXPROCS.
type Config struct {
	Addr        string // --addr, $FRAMEWORK_ADDR, default ":3000"
	CacheDir    string // --cache-dir, $FRAMEWORK_CACHE_DIR: the root of the per-build local caches
	CacheURL    string // --cache, $FRAMEWORK_CACHE: a shared cache, redis://host:port/db
	SiteURL     string // --site-url, $FRAMEWORK_SITE_URL: the site's origin, for the sitemap and robots.txt
	Dev         bool   // --dev: render every page on every request
	Metrics     bool   // --metrics, $FRAMEWORK_METRICS=1: Prometheus metrics at GET /metrics
	Concurrency int    // --concurrency: pages prerendered at once

	LogRequests         bool   // --log-requests, $FRAMEWORK_LOG_REQUESTS=1: one log line per request
	LogFormat           string // --log-format, $FRAMEWORK_LOG_FORMAT: "text" (or "", the default) or "json"
	HealthRequiresStore bool   // --health-requires-store, $FRAMEWORK_HEALTH_REQUIRES_STORE=1: health 503 while the store is down
	ContentDir          string // --content-dir, $FRAMEWORK_CONTENT_DIR: read content collections from this folder, not the embedded content/
	ImageHosts          string // --image-hosts, $FRAMEWORK_IMAGE_HOSTS: comma-separated hosts whose images /_framework/image resizes
}

// A Flag names one of the server's flags, for Bind and Args. They are
// constants so that a misspelt flag is a compile error, not a panic when the
// command runs.
type Flag string

// The server's flags.
const (
	FlagAddr        Flag = "addr"
	FlagCacheDir    Flag = "cache-dir"
	FlagCache       Flag = "cache"
	FlagSiteURL     Flag = "site-url"
	FlagDev         Flag = "dev"
	FlagMetrics     Flag = "metrics"
	FlagConcurrency Flag = "concurrency"

	FlagLogRequests         Flag = "log-requests"
	FlagLogFormat           Flag = "log-format"
	FlagHealthRequiresStore Flag = "health-requires-store"
	FlagContentDir          Flag = "content-dir"
	FlagImageHosts          Flag = "image-hosts"
)

// allFlags is every flag, in the order Args writes them.
var allFlags = []Flag{FlagAddr, FlagCacheDir, FlagCache, FlagSiteURL, FlagDev, FlagMetrics, FlagConcurrency, FlagLogRequests, FlagLogFormat, FlagHealthRequiresStore, FlagContentDir, FlagImageHosts}

// Bind defines the named flags on fs (every flag when names is empty), bound
// to c's fields. A flag's default is its environment variable when getenv
// returns one, else the built-in default, so that after fs.Parse a field
// holds, in order of precedence, the flag, the environment or the default.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string, names ...Flag) {
	if len(names) == 0 {
		names = allFlags
	}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	for _, name := range names {
		switch name {
		case FlagAddr:
			fs.StringVar(&c.Addr, string(name), env("FRAMEWORK_ADDR", ":3000"),
				"listen address (env FRAMEWORK_ADDR)")
		case FlagCacheDir:
			fs.StringVar(&c.CacheDir, string(name), env("FRAMEWORK_CACHE_DIR", ""),
				"directory of the local caches, DIR/<build ID> per build; give build and start the same (env FRAMEWORK_CACHE_DIR; default "+DefaultCacheDir+" in the app)")
		case FlagCache:
			fs.StringVar(&c.CacheURL, string(name), env("FRAMEWORK_CACHE", ""),
				"shared cache for several instances: redis://host:port/db, a cluster redis://h1:p1?addr=h2:p2, or Sentinel redis://sentinel:26379/0?master_name=NAME (env FRAMEWORK_CACHE)")
		case FlagSiteURL:
			fs.StringVar(&c.SiteURL, string(name), env("FRAMEWORK_SITE_URL", ""),
				"the site's public origin, https://example.com: the sitemap and robots.txt make absolute URLs with it, and are cached only with it (env FRAMEWORK_SITE_URL)")
		case FlagDev:
			fs.BoolVar(&c.Dev, string(name), false,
				"render every page on every request, caching nothing (framework dev)")
		case FlagMetrics:
			fs.BoolVar(&c.Metrics, string(name), getenv("FRAMEWORK_METRICS") == "1",
				"serve Prometheus metrics at GET /metrics (env FRAMEWORK_METRICS=1)")
		case FlagConcurrency:
			fs.IntVar(&c.Concurrency, string(name), 0,
				"pages prerendered at once (default twice the CPUs)")
		case FlagLogRequests:
			fs.BoolVar(&c.LogRequests, string(name), getenv("FRAMEWORK_LOG_REQUESTS") == "1",
				"log one line per request: method, path, status, cache, bytes, duration (env FRAMEWORK_LOG_REQUESTS=1)")
		case FlagLogFormat:
			fs.StringVar(&c.LogFormat, string(name), env("FRAMEWORK_LOG_FORMAT", ""),
				"format of the server's logs: text or json, for log collectors (env FRAMEWORK_LOG_FORMAT; default text)")
		case FlagHealthRequiresStore:
			fs.BoolVar(&c.HealthRequiresStore, string(name), getenv("FRAMEWORK_HEALTH_REQUIRES_STORE") == "1",
				"answer GET /_framework/health 503 while the cache store is down (env FRAMEWORK_HEALTH_REQUIRES_STORE=1)")
		case FlagContentDir:
			fs.StringVar(&c.ContentDir, string(name), env("FRAMEWORK_CONTENT_DIR", ""),
				"read content collections (package content) from DIR/<collection>/*.md instead of the content/ embedded at build; framework revalidate --tag content picks up edits (env FRAMEWORK_CONTENT_DIR)")
		case FlagImageHosts:
			fs.StringVar(&c.ImageHosts, string(name), env("FRAMEWORK_IMAGE_HOSTS", ""),
				"hosts whose images /_framework/image may fetch and resize, comma-separated: images.example.com,cdn.example.com:8443; replaces the app's Options.ImageHosts (env FRAMEWORK_IMAGE_HOSTS)")
		default:
			panic(fmt.Sprintf("server: no flag %q", name))
		}
	}
}

// Args returns the named flags (every flag when names is empty) with c's
// values, as arguments of the server binary. Every named flag is written,
// empty or false too, so that the binary runs with what the caller
// resolved and not with what the environment would give it instead.
func (c *Config) Args(names ...Flag) []string {
	if len(names) == 0 {
		names = allFlags
	}
	args := make([]string, 0, len(names))
	for _, name := range names {
		var v string
		switch name {
		case FlagAddr:
			v = c.Addr
		case FlagCacheDir:
			v = c.CacheDir
		case FlagContentDir:
			v = c.ContentDir
		case FlagCache:
			v = c.CacheURL
		case FlagSiteURL:
			v = c.SiteURL
		case FlagDev:
			v = strconv.FormatBool(c.Dev)
		case FlagMetrics:
			v = strconv.FormatBool(c.Metrics)
		case FlagConcurrency:
			v = strconv.Itoa(c.Concurrency)
		case FlagLogRequests:
			v = strconv.FormatBool(c.LogRequests)
		case FlagLogFormat:
			v = c.LogFormat
		case FlagHealthRequiresStore:
			v = strconv.FormatBool(c.HealthRequiresStore)
		case FlagImageHosts:
			v = c.ImageHosts
		default:
			panic(fmt.Sprintf("server: no flag %q", name))
		}
		args = append(args, "--"+string(name)+"="+v)
	}
	return args
}

// Limits bound what one client can hold of the HTTP server: how long it may
// take to send a request, how long it may keep an idle connection, how many
// header bytes it may send. Without them a client sending a byte a minute
// holds a connection and its goroutine forever.
//
// A zero duration turns that timeout off (IdleTimeout 0 falls back on
// ReadTimeout, as in net/http). The server starts from DefaultLimits and
// takes each value from its environment variable when set (LimitsFromEnv).
// They have no flags: they are tuned per deployment, not per run.
type Limits struct {
	// ReadHeaderTimeout bounds the reading of a request's line and
	// headers (FRAMEWORK_READ_HEADER_TIMEOUT). Default 10 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the reading of a whole request, body included
	// (FRAMEWORK_READ_TIMEOUT). Default 30 s.
	ReadTimeout time.Duration
	// WriteTimeout bounds the writing of a response, from the end of the
	// request's headers (FRAMEWORK_WRITE_TIMEOUT). Default 30 s: a client
	// that stops reading is cut off then, and its connection, goroutine and
	// response freed, instead of held for good. A response small enough
	// for the socket's send buffer is written at once, however the client
	// reads; on Linux the kernel aborts the connection when it stays unsent
	// for as long (TCP_USER_TIMEOUT). A route handler that
	// streams (server-sent events) gets another WriteTimeout from each
	// Flush (runtime.Handler), so it runs as long as it flushes at least
	// that often; one that writes longer without flushing (a large
	// download) sets its own deadline with
	// http.NewResponseController(c.Response()).SetWriteDeadline, the zero
	// time for none. 0 turns it off (negative in Options.Limits, where 0
	// means the default).
	WriteTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request (FRAMEWORK_IDLE_TIMEOUT). Default 120 s.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's line and headers; a larger request
	// is answered 431 (FRAMEWORK_MAX_HEADER_BYTES). Default 64 KiB: Node,
	// behind Next.js, allows 16 KiB, and Go's own default, 1 MiB, is room
	// for a lot of junk per connection. 0 means Go's default.
	MaxHeaderBytes int
	// MaxBodyBytes bounds a request's body (FRAMEWORK_MAX_BODY_BYTES).
	// Default 1 MiB, as Next.js bounds a server action's or API route's
	// body: a route handler that reads a form would otherwise hold up to
	// 10 MiB of it in memory (32 MiB of a multipart one), per request. A
	// body that says it is larger is answered 413 before any handler runs;
	// one sent without a length stops at the limit, and reading past it
	// fails with *http.MaxBytesError. Negative means no limit (raise it
	// instead for an app that takes uploads).
	MaxBodyBytes int64
	// MaxConnections bounds the connections open at once
	// (FRAMEWORK_MAX_CONNECTIONS). One past it waits half a second for
	// another to close, then is answered 503 (Retry-After: 1) and closed,
	// rather than piling up until the process runs out of file
	// descriptors, when it could accept nothing, health checks included.
	// Default three quarters of the file descriptor limit (RLIMIT_NOFILE),
	// at most 65,536. Negative means no limit (0 in the environment).
	MaxConnections int
}

// defaultWriteTimeout is Limits.WriteTimeout's default; tests shorten it.
var defaultWriteTimeout = 30 * time.Second

// DefaultLimits returns the limits the server uses when no environment
// variable changes them.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      defaultWriteTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		MaxBodyBytes:      1 << 20,
		MaxConnections:    defaultMaxConnections(),
	}
}

// Apply sets l on srv, for an app that runs its own http.Server. The body
// limit is not the server's: add BodyLimit to its Echo with e.Pre; nor is
// the connection limit: serve through Listener.
func (l Limits) Apply(srv *http.Server) {
	srv.ReadHeaderTimeout = l.ReadHeaderTimeout
	srv.ReadTimeout = l.ReadTimeout
	srv.WriteTimeout = max(l.WriteTimeout, 0)
	srv.IdleTimeout = l.IdleTimeout
	srv.MaxHeaderBytes = l.MaxHeaderBytes
}

// Listener returns inner handing out at most MaxConnections connections at
// once, whose data the kernel drops, closing them, when it stays unsent for
// WriteTimeout, for an app that runs its own http.Server:
// srv.Serve(l.Listener(ln)).
func (l Limits) Listener(inner net.Listener) net.Listener {
	return l.listener(inner, slog.Default())
}

// LimitsFromEnv returns DefaultLimits with the values that the environment
// sets: a Go duration ("90s", "2m") for the timeouts, a number of bytes for
// MaxHeaderBytes. An error names the variable, its value and what it wants.
func LimitsFromEnv(getenv func(string) string) (Limits, error) {
	return DefaultLimits().fromEnv(getenv)
}

// fromEnv returns l with the values that the environment sets.
func (l Limits) fromEnv(getenv func(string) string) (Limits, error) {
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
	if v := getenv("FRAMEWORK_MAX_CONNECTIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return l, fmt.Errorf("FRAMEWORK_MAX_CONNECTIONS=%q: want a number of connections such as 10000, or 0 for no limit", v)
		}
		if n == 0 {
			n = -1
		}
		l.MaxConnections = n
	}
	if v := getenv("FRAMEWORK_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return l, fmt.Errorf("FRAMEWORK_MAX_BODY_BYTES=%q: want a number of bytes such as 1048576, or 0 for no limit", v)
		}
		if n == 0 {
			n = -1
		}
		l.MaxBodyBytes = n
	}
	return l, nil
}
