package framework

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/isr-go/framework/framework/store"
)

// Options configure an App. The zero value works: a cache in memory,
// sensible bounds. New reads no environment: the app server (package server) maps
// flags, environment variables and .env files onto these fields, so that
// one place decides what wins.
type Options struct {
	// BuildID names the build whose pages this app serves; entries written
	// under another build ID are never served. Default "development".
	BuildID string

	// Store persists the cache: package badgerstore on local disk,
	// package redisstore shared by several instances. The app server
	// (package server) opens the one its flags name and passes it here.
	// When nil, the cache lives in the process's memory alone (as with
	// Dev), bounded by MemoryCacheBytes, and is lost when it exits. A
	// Store passed here is the caller's to close, after App.Close.
	Store store.Store

	// MemoryCacheBytes bounds the in-memory hot tier in front of the store:
	// what its entries take on the heap, pages gzip'd and an eighth for
	// plain copies. Default DefaultMemoryCacheBytes(), from the machine;
	// the server's FRAMEWORK_MEMORY_CACHE sets it.
	MemoryCacheBytes int64

	// NotFoundWindow is how long a 404 stays cached before the next request
	// renders the page again. Default 60 s.
	NotFoundWindow time.Duration

	// NotFoundLimit bounds how many 404s and redirects are cached (in
	// memory, apart from pages, so that junk URLs cannot push pages out).
	// Default 10,000. Their size is bounded too, by a quarter of
	// MemoryCacheBytes.
	NotFoundLimit int

	// RegenerationWorkers bounds the background regenerations that run at
	// once; more stale pages wait in a queue (each once), served stale
	// meanwhile. Default twice GOMAXPROCS.
	RegenerationWorkers int

	// RenderTimeout bounds one render, in a request or in the background.
	// Default 30 s.
	RenderTimeout time.Duration

	// RevalidateSecret enables POST /_framework/revalidate for requests
	// with "Authorization: Bearer <secret>" (the server's
	// $FRAMEWORK_REVALIDATE_SECRET); the endpoint is off when it is empty.
	// New refuses one shorter than MinRevalidateSecret bytes: the endpoint
	// faces the internet, and a short secret can be guessed.
	RevalidateSecret string

	// TrustedOrigins are the origins ("https://admin.example.com") whose
	// pages may send POST, PUT, PATCH and DELETE to the app's route
	// handlers (the server's $FRAMEWORK_TRUSTED_ORIGINS, comma-separated).
	// Requests from other sites are refused with 403 (runtime.Handler).
	TrustedOrigins []string

	// DraftSecret signs the draft-mode cookie (EnableDraftMode) with
	// HMAC-SHA256 (the server's $FRAMEWORK_DRAFT_SECRET). Give every
	// instance of a site the same one. When empty, a random key is made at
	// start: previews then end when the process restarts and work on that
	// instance only (logged once, at the first EnableDraftMode).
	DraftSecret string
	// SiteURL is the site's public origin, such as "https://example.com"
	// (the server's --site-url, $FRAMEWORK_SITE_URL): the sitemap and
	// robots.txt resolve their paths against it, as their protocols want
	// absolute URLs. Without it they are rendered per request from the
	// request's own scheme and host, and never cached: a cached sitemap
	// must not take its host from whoever asked first. A scheme (http or
	// https) and a host, nothing else; New rejects any other value.
	SiteURL string

	// RevalidateLimit bounds how many paths, layouts and tags one call of
	// POST /_framework/revalidate may name; a call over it is refused whole
	// (413), so that one request cannot grow the server's state much.
	// Default 1,000.
	RevalidateLimit int

	// TagTimeLimit bounds how many tags and paths the app keeps a
	// revalidation time for, in memory and in the store. Past it the
	// oldest tenth are forgotten and the latest of their times applies to
	// every page and tagged data: what was generated before it regenerates
	// once, and nothing is served wrongly fresh. Default 100,000.
	TagTimeLimit int

	// ContentSecurityPolicy, when set, is sent as the Content-Security-Policy
	// of every response (the server's --content-security-policy,
	// $FRAMEWORK_CONTENT_SECURITY_POLICY; "default" there means
	// DefaultContentSecurityPolicy). A page's inline <script> and <style>
	// elements are allowed by their SHA-256 hashes, added to the policy's
	// script-src and style-src: they are computed when the page is
	// rendered and kept with its cached entry, so a cached page keeps a
	// strict policy, without 'unsafe-inline' or a render per request. The
	// holes of a page (PerRequest) add theirs to the response they are
	// rendered for. style="" and on*="" attributes are not allowed: use
	// classes and scripts.
	ContentSecurityPolicy string

	// FrameOptions is the X-Frame-Options of every response: "DENY" (the
	// default), "SAMEORIGIN", or "off" to send none, for a site meant to
	// be framed (allow its framers in the policy's frame-ancestors then).
	// The server's --frame-options, $FRAMEWORK_FRAME_OPTIONS.
	FrameOptions string

	// CacheTagHeader adds a Cache-Tag header listing a page's data tags, so
	// a CDN can purge by tag too.
	CacheTagHeader bool

	// DebugCache logs one line per HIT, STALE, MISS and regeneration (the
	// server's $FRAMEWORK_DEBUG_CACHE=1).
	DebugCache bool

	// Dev renders every page on every request, caching nothing, as
	// `framework dev` (like `next dev`) does. The results of Fetch and
	// Cache are kept in the process's memory only (the server opens no
	// store in dev): they live as long as this build of the app
	// (framework dev starts a new process for every build), so that an
	// edit of the code behind them shows at once, and nothing is shared
	// with another dev server or left on disk. A Store passed explicitly
	// is still used.
	Dev bool

	// Metrics makes runtime.Register serve Prometheus metrics at GET /metrics
	// (MetricsPath) (the server's --metrics, $FRAMEWORK_METRICS=1).
	// App.ServeMetrics serves them anywhere else.
	Metrics bool

	// HealthRequiresStore makes the health check (HealthPath) answer 503
	// while the cache store is down, so that a load balancer takes the
	// instance out of rotation (the server's --health-requires-store,
	// $FRAMEWORK_HEALTH_REQUIRES_STORE=1). Off by default: cached pages
	// are served and misses rendered without a store, and a shared store's
	// outage would otherwise fail every instance at once.
	HealthRequiresStore bool

	// ImageHosts are the hosts whose images /_framework/image resizes
	// besides public/ files ("images.example.com", or "host:port"); a
	// remote src on any other host is refused. Default none.
	ImageHosts []string

	// UnoptimizedImages makes Image write the source's own URL, no srcset
	// of /_framework/image variants (like Next.js's images.unoptimized),
	// $FRAMEWORK_UNOPTIMIZED_IMAGES=1: for a static export, whose host
	// cannot resize. Give it alike to the export and to a server that
	// serves the same pages. Off by default.
	UnoptimizedImages bool

	// InlineStylesheetLimit is the size in bytes up to which
	// framework.Stylesheet puts a built stylesheet in the page as a
	// <style> element rather than linking it: one request fewer before
	// the first paint, for a few KB more in every page. Default
	// DefaultInlineStylesheetLimit (4 KiB, as Astro's); negative links
	// every stylesheet. Dev links them all, so that a CSS edit shows
	// without a rebuild.
	InlineStylesheetLimit int

	// Logger receives the app's logs. Default slog.Default().
	Logger *slog.Logger

	// OnError is called, besides logging, when a render fails: in the
	// background (the last good page keeps being served) or in a request.
	// It hears of every other 5xx too, from a route handler, a middleware
	// or a panic in either (the app's Echo error handler): then err's Method is
	// the request's and its Route the matched route's pattern.
	OnError func(ctx context.Context, err *RenderError)

	// HTTPClient makes Fetch's requests. Default: a client with a 10 s
	// timeout.
	HTTPClient *http.Client

	// Now is the clock; tests move it instead of sleeping. Default time.Now.
	Now func() time.Time

	// TracerProvider turns on OpenTelemetry tracing: a span per request
	// (App.Trace), render, hole, data call, store call, wait on another's
	// render, revalidation and background regeneration. The app server
	// (package server) makes one from the OTEL_* environment variables
	// (package tracing) unless the app sets its own here. Nil, the
	// default, traces nothing and costs nothing.
	TracerProvider trace.TracerProvider
}

// MinRevalidateSecret is the shortest Options.RevalidateSecret New takes, in
// bytes: 32, what `openssl rand -hex 32` prints 64 of.
const MinRevalidateSecret = 32

// RenderError describes a failed render.
type RenderError struct {
	Path       string // the URL path
	Route      string // the route's pattern
	Background bool   // a regeneration; the last good page is still served
	Method     string // the request's, for a route handler's or middleware's error; "" for a page's
	Err        error
}

func (e *RenderError) Error() string {
	if e.Method != "" {
		return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
	}
	if e.Background {
		return fmt.Sprintf("regenerate %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("render %s: %v", e.Path, e.Err)
}

func (e *RenderError) Unwrap() error { return e.Err }

// An App serves pages through the ISR cache. It is safe for concurrent use.
// It is the HTTP side of the cache: routes, responses, the revalidation
// endpoint, metrics; each feature it composes is a type of its own.
type App struct {
	opts  Options
	cache *cache // the ISR state machine of pages

	// The parts the cache shares with the rest of the App.
	clock    appClock
	store    *guardedStore
	ownStore bool
	tags     *tagTimes
	metrics  metrics
	log      *slog.Logger

	data   *dataCache   // Fetch and Cache
	holes  holeRenders  // the holes of pages read from the store
	sites  *siteRenders // the site URL's users: sitemaps and robots.txt without one, metadata
	drafts draftKeys    // draft-mode cookies

	// done ends the App's background loops (clock sync, following a
	// shared store's tag times, pruning them), which loops counts.
	done   context.Context
	finish context.CancelFunc
	loops  sync.WaitGroup

	images appImages // /_framework/image and Image

	// tagWrites orders the store's writes of tag times with the deletion
	// of forgotten ones (forgetTagTimes).
	tagWrites sync.RWMutex

	errorPages errorPages // for httpErrorHandler, from notFoundHandler

	// tracer makes the app's spans; nil when tracing is off.
	tracer      trace.Tracer
	crossOrigin *http.CrossOriginProtection // route handlers' unsafe methods
	refusals    refusalLog                  // of the revalidation endpoint
	siteFiles   *siteFiles                  // sitemaps and robots.txt without a site URL, by origin

	csp      *cspPolicy     // Options.ContentSecurityPolicy, nil without
	security securityValues // the headers SecurityHeaders sets
}

// withDefaults returns opts with every field left zero set to its default:
// the one place that says what the defaults are.
func (opts Options) withDefaults() (Options, error) {
	if opts.SiteURL != "" {
		site, err := parseSiteURL(opts.SiteURL)
		if err != nil {
			return opts, err
		}
		opts.SiteURL = site
	}
	if n := len(opts.RevalidateSecret); n > 0 && n < MinRevalidateSecret {
		return opts, fmt.Errorf("framework: the revalidation secret (FRAMEWORK_REVALIDATE_SECRET) is %d bytes, want at least %d: make one with `openssl rand -hex 32`", n, MinRevalidateSecret)
	}
	if opts.BuildID == "" {
		opts.BuildID = "development"
	}
	if opts.MemoryCacheBytes <= 0 {
		opts.MemoryCacheBytes = DefaultMemoryCacheBytes()
	}
	if opts.NotFoundWindow <= 0 {
		opts.NotFoundWindow = time.Minute
	}
	if opts.RevalidateLimit <= 0 {
		opts.RevalidateLimit = 1_000
	}
	if opts.TagTimeLimit <= 0 {
		opts.TagTimeLimit = 100_000
	}
	if opts.NotFoundLimit <= 0 {
		opts.NotFoundLimit = 10_000
	}
	if opts.RegenerationWorkers <= 0 {
		opts.RegenerationWorkers = defaultRegenerationWorkers()
	}
	if opts.InlineStylesheetLimit == 0 {
		opts.InlineStylesheetLimit = DefaultInlineStylesheetLimit
	}
	if opts.RenderTimeout <= 0 {
		opts.RenderTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.FrameOptions == "" {
		opts.FrameOptions = "DENY"
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return opts, nil
}

// New opens the cache and returns an App. Fields of opts left zero take their
// defaults.
func New(opts Options) (*App, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	crossOrigin, err := newCrossOrigin(opts.TrustedOrigins)
	if err != nil {
		return nil, err
	}
	a := &App{
		crossOrigin: crossOrigin,
		opts:        opts,
		tags:        newTagTimes(opts.TagTimeLimit),
		log:         opts.Logger,
		sites:       newSiteRenders(),
		drafts:      newDraftKeys(opts.DraftSecret, opts.Logger),
		tracer:      newTracer(opts.TracerProvider),
	}
	if err := a.initSecurity(); err != nil {
		return nil, err
	}
	a.done, a.finish = context.WithCancel(context.Background())
	a.clock.init(opts.Now)
	store := opts.Store
	if store == nil {
		store, a.ownStore = newDevStore(opts.MemoryCacheBytes, a.clock.local), true
	}
	a.noteStore(store)
	a.store = newGuardedStore(store, a.log, &a.metrics.storeErrors, a.clock.coarse.nanos)
	a.store.tracer = a.tracer
	a.cache = newCache(cacheConfig{
		buildID:        opts.BuildID,
		renderTimeout:  opts.RenderTimeout,
		cacheTagHeader: opts.CacheTagHeader,
		csp:            a.csp,
		workers:        opts.RegenerationWorkers,
		report:         a.reportError,
		log:            opts.Logger,
		debug:          opts.DebugCache,
		tracer:         a.tracer,
	}, &a.clock, a.store, newMemoryTier(opts.MemoryCacheBytes), newSideTier(opts.NotFoundLimit, opts.MemoryCacheBytes/4), a.tags, &a.metrics)
	a.siteFiles = newSiteFiles(opts.NotFoundLimit, opts.MemoryCacheBytes/4)
	a.data = &dataCache{buildID: opts.BuildID, store: a.store, hot: a.cache.hot, tags: a.tags, clock: &a.clock, metrics: &a.metrics, tracer: a.tracer}
	a.holes.timeout = opts.RenderTimeout

	a.tags.settled.now = func() int64 { return a.now().UnixNano() }
	a.tags.settled.store = a.writeSettled
	a.syncClock()
	a.loadTagTimes()
	a.startPruning()
	if a.store.watcher != nil {
		a.watchTagTimes(a.store.watcher)
	}
	return a, nil
}

// loadTagTimes reads every tag time from the store.
func (a *App) loadTagTimes() {
	times, err := a.store.TagTimes(context.Background())
	if err != nil {
		// A shared store may be down at start; pages still render.
		return
	}
	a.loadTags(times)
}

// tagRefresh is how often an app on a shared store rereads every tag time,
// so that a revalidation whose message it missed (during an outage) still
// applies.
const tagRefresh = 5 * time.Second

// watchTagTimes applies the tag times other instances record, as they are
// published and by rereading them every tagRefresh, until Close.
func (a *App) watchTagTimes(w store.TagWatcher) {
	a.loop(func(ctx context.Context) {
		for ctx.Err() == nil {
			w.WatchTagTimes(ctx, func(tag string, at int64) {
				a.loadTags(map[string]int64{tag: at})
			})
			// The stream ended (the store went away); wait, then resubscribe.
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	})
	a.every(tagRefresh, func(context.Context) { a.loadTagTimes() })
}

// loop runs f on a goroutine of its own until Close; f returns once ctx
// ends.
func (a *App) loop(f func(ctx context.Context)) {
	a.loops.Add(1)
	go func() {
		defer a.loops.Done()
		f(a.done)
	}()
}

// every runs f every interval until Close.
func (a *App) every(interval time.Duration, f func(ctx context.Context)) {
	a.loop(func(ctx context.Context) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f(ctx)
			}
		}
	})
}

// BuildID returns the build whose pages the app serves.
func (a *App) BuildID() string { return a.opts.BuildID }

// now returns the time on the cluster's clock: when renders start and
// revalidations happen.
func (a *App) now() time.Time { return a.clock.now() }

// reportError logs a failed render and passes it to OnError: every failed
// render, in a request or in the background, of a page or of a hole, is
// reported here and only here.
func (a *App) reportError(ctx context.Context, err *RenderError) {
	a.log.Error("framework: "+err.Error(), "path", err.Path, "route", err.Route, "background", err.Background)
	if a.opts.OnError != nil {
		a.opts.OnError(ctx, err)
	}
}

// Close waits for background regenerations to finish, then closes the
// cache. Requests in flight should be drained first (http.Server.Shutdown).
func (a *App) Close() error {
	if !a.cache.close() {
		return nil
	}
	a.finish()
	a.loops.Wait()
	err := a.store.close(a.ownStore)
	a.clock.close()
	return err
}
