package server

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/joho/godotenv"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
)

// Options are what an app's main.go gives the server besides its routes:
//
//	func main() {
//		server.Main(Routes(), Register, server.Options{
//			Options: framework.Options{
//				OnError: func(ctx context.Context, err *framework.RenderError) { ... },
//				CacheTagHeader: true,
//			},
//			Middleware: []echo.MiddlewareFunc{middleware.Secure()},
//		})
//	}
//
// Every field of framework.Options is the app's to set, but BuildID, which
// is always the binary's. The server opens the store (framework.Options.Store)
// itself unless the app sets one: the Redis that CacheURL names, else Badger
// in CacheDir/<build ID>. It opens none in dev.
//
// Flags beat environment variables beat .env files beat these Options beat
// the defaults: an operator can always override what the app chose. The
// fields with a flag or a variable are CacheDir (--cache-dir,
// FRAMEWORK_CACHE_DIR), CacheURL (--cache, FRAMEWORK_CACHE), SiteURL
// (--site-url, FRAMEWORK_SITE_URL), Metrics
// (--metrics, FRAMEWORK_METRICS), Dev (--dev), RevalidateSecret
// (FRAMEWORK_REVALIDATE_SECRET), DraftSecret (FRAMEWORK_DRAFT_SECRET), TrustedOrigins
// (FRAMEWORK_TRUSTED_ORIGINS, comma-separated), DebugCache (FRAMEWORK_DEBUG_CACHE),
// ImageHosts (--image-hosts, FRAMEWORK_IMAGE_HOSTS, a comma-separated list),
// UnoptimizedImages (FRAMEWORK_UNOPTIMIZED_IMAGES), ContentSecurityPolicy
// (FRAMEWORK_CONTENT_SECURITY_POLICY: a policy, "default" or "off"),
// FrameOptions (FRAMEWORK_FRAME_OPTIONS), Addr
// (--addr, FRAMEWORK_ADDR) and each of Limits (FRAMEWORK_*_TIMEOUT,
// FRAMEWORK_MAX_HEADER_BYTES). A CacheURL from a flag or the environment
// also wins over a Store set here.
type Options struct {
	framework.Options

	// CacheDir is the root of the per-build local caches, as --cache-dir:
	// the server opens Badger in CacheDir/<build ID>. Default
	// DefaultCacheDir.
	CacheDir string

	// CacheURL selects a shared store instead of Badger, as --cache:
	// "redis://host:6379/0" (or rediss://) makes every instance pointed at
	// that Redis serve one cache. Package redisstore documents the forms
	// for a Redis Cluster and for Sentinel.
	CacheURL string

	// Addr is the listen address. Default ":3000".
	Addr string

	// Middleware wraps every request the app's routes answer (pages, route
	// handlers, public files, unknown URLs), outermost first, after the
	// redirect of non-canonical paths and before the middleware.go of the
	// app's folders. For global concerns: security headers, CORS, auth.
	Middleware []echo.MiddlewareFunc

	// Limits bound the HTTP server; a zero field takes DefaultLimits'.
	Limits Limits
}

// loadEnvFiles loads the app's .env files into the process's environment,
// as Next.js does: .env.<mode>.local, .env.local, .env.<mode> and .env, in
// the working directory (the app's), the first to set a variable winning,
// and a variable already in the real environment winning over all of
// them. mode is "development" for framework dev, "production" otherwise.
// App code sees the variables too (os.Getenv).
func loadEnvFiles(mode string) error {
	return LoadEnvFiles(".", mode)
}

// LoadEnvFiles is loadEnvFiles for the app in dir; the framework command
// calls it before start, build and dev.
func LoadEnvFiles(dir, mode string) error {
	for _, name := range []string{".env." + mode + ".local", ".env.local", ".env." + mode, ".env"} {
		err := godotenv.Load(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// envMode returns the .env mode of a server command line: development
// when it has --dev.
func envMode(args []string) string {
	for _, a := range args {
		switch a {
		case "--dev", "-dev", "--dev=true", "-dev=true":
			return "development"
		}
	}
	return "production"
}

// options returns the runtime's options: those of main.go (app), under
// what the flags the command line set (c, flagSet) and the environment
// (getenv) say, under this binary's build.
func (c *Config) options(app Options, flagSet map[string]bool, getenv func(string) string, logger *slog.Logger) framework.Options {
	opts := app.Options
	// from says whether the operator set a flag or variable, which then
	// wins over the app's Options.
	from := func(flag Flag, env string) bool { return flagSet[string(flag)] || (env != "" && getenv(env) != "") }

	opts.BuildID = BuildID()
	if from(FlagCache, "FRAMEWORK_CACHE") {
		opts.Store = nil
	}
	if from(FlagSiteURL, "FRAMEWORK_SITE_URL") {
		opts.SiteURL = c.SiteURL
	}
	if from(FlagMetrics, "FRAMEWORK_METRICS") {
		opts.Metrics = c.Metrics
	}
	if from(FlagHealthRequiresStore, "FRAMEWORK_HEALTH_REQUIRES_STORE") {
		opts.HealthRequiresStore = c.HealthRequiresStore
	}
	if flagSet[string(FlagDev)] {
		opts.Dev = c.Dev
	}
	if from(FlagImageHosts, "FRAMEWORK_IMAGE_HOSTS") {
		opts.ImageHosts = imageHosts(c.ImageHosts, logger)
	}
	if v := getenv("FRAMEWORK_REVALIDATE_SECRET"); v != "" {
		opts.RevalidateSecret = v
	}
	if v := getenv("FRAMEWORK_DRAFT_SECRET"); v != "" {
		opts.DraftSecret = v
	}
	if v := getenv("FRAMEWORK_UNOPTIMIZED_IMAGES"); v != "" {
		opts.UnoptimizedImages = v == "1"
	}
	if v := getenv("FRAMEWORK_TRUSTED_ORIGINS"); v != "" {
		opts.TrustedOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				opts.TrustedOrigins = append(opts.TrustedOrigins, o)
			}
		}
	}
	if v := getenv("FRAMEWORK_DEBUG_CACHE"); v != "" {
		opts.DebugCache = v == "1"
	}
	if v := getenv("FRAMEWORK_CONTENT_SECURITY_POLICY"); v != "" {
		opts.ContentSecurityPolicy = contentSecurityPolicy(v)
	}
	if v := getenv("FRAMEWORK_FRAME_OPTIONS"); v != "" {
		opts.FrameOptions = v
	}
	if opts.Logger == nil {
		opts.Logger = logger
	}
	return opts
}

// contentSecurityPolicy returns the policy $FRAMEWORK_CONTENT_SECURITY_POLICY
// names: "default" (or "1") for framework.DefaultContentSecurityPolicy, "off"
// (or "0") for none, else the policy itself.
func contentSecurityPolicy(v string) string {
	switch v {
	case "default", "1":
		return framework.DefaultContentSecurityPolicy
	case "off", "0":
		return ""
	}
	return v
}

// cacheAt returns where the store lives: the shared store's URL, or ""
// for Badger in dir, this build's directory under the root the flag, the
// environment, the app's Options or DefaultCacheDir names, in that order.
func (c *Config) cacheAt(app Options, flagSet map[string]bool, getenv func(string) string) (url, dir string) {
	from := func(flag Flag, env string) bool { return flagSet[string(flag)] || getenv(env) != "" }
	root := c.CacheDir
	if !from(FlagCacheDir, "FRAMEWORK_CACHE_DIR") && app.CacheDir != "" {
		root = app.CacheDir
	}
	if root == "" {
		root = filepath.FromSlash(DefaultCacheDir)
	}
	url = app.CacheURL
	if from(FlagCache, "FRAMEWORK_CACHE") {
		url = c.CacheURL
	}
	return url, filepath.Join(root, BuildID())
}

// addr returns the listen address: the flag's or the environment's, else
// the app's, else ":3000".
func (c *Config) addr(app Options, flagSet map[string]bool, getenv func(string) string) string {
	if flagSet[string(FlagAddr)] || getenv("FRAMEWORK_ADDR") != "" || app.Addr == "" {
		return c.Addr
	}
	return app.Addr
}

// setFlags returns the names of the flags the command line set.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// withDefaults returns l with its zero fields taken from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.ReadHeaderTimeout == 0 {
		l.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if l.ReadTimeout == 0 {
		l.ReadTimeout = d.ReadTimeout
	}
	if l.IdleTimeout == 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.MaxHeaderBytes == 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.WriteTimeout == 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.MaxConnections == 0 {
		l.MaxConnections = d.MaxConnections
	}
	return l
}

// imageHosts splits the comma-separated list of --image-hosts. An entry
// with a scheme or a path never matches a host: it is dropped, with a
// warning, rather than left to refuse every image of that host unnoticed.
func imageHosts(list string, logger *slog.Logger) []string {
	var hosts []string
	for h := range strings.SplitSeq(list, ",") {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
		case strings.ContainsAny(h, "/@?#"):
			if logger == nil {
				logger = slog.Default()
			}
			logger.Warn("framework: --image-hosts entry ignored: name a host, such as images.example.com or host:port", "entry", h)
		default:
			hosts = append(hosts, h)
		}
	}
	return hosts
}
