package framework

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// cache is the ISR state machine: where a page's entry lives (the memory
// tier of pages, the side tier of 404s and redirects, the store), whether it
// may be served (fresh, stale or expired, against its window and the
// revalidation times of its tags), and who renders it (one render per key
// for the requests that wait on it, one background regeneration per key on
// a bounded pool, failures backed off), all on one clock.
//
// It knows nothing of HTTP, routes or the App: a request hands it a key and
// the source that renders that key, and it answers with an entry and its
// X-Framework-Cache state. Its mechanisms have a file each: cachetiers.go
// (where entries live), memory.go, side.go, storeguard.go, tags.go,
// flight.go, regen.go, backoff.go, clock.go.
type cache struct {
	cacheConfig
	clock   *appClock
	hot     *memoryTier
	side    *sideTier
	store   *guardedStore
	tags    *tagTimes
	metrics *metrics

	// flights makes one render per key at a time.
	flights       flights
	backoff       backoff
	regenerations regenQueue

	// background counts regenerations in progress, for close; bgMu keeps
	// a new one from starting while close waits.
	bgMu       sync.Mutex
	closed     bool
	background sync.WaitGroup
}

// cacheConfig is what the cache reads from the App's options, once.
type cacheConfig struct {
	buildID string
	// renderTimeout bounds the wait for another instance's render.
	renderTimeout  time.Duration
	cacheTagHeader bool
	csp            *cspPolicy // nil without a Content-Security-Policy
	workers        int
	// report logs a failed render and passes it to Options.OnError.
	report func(context.Context, *RenderError)
	log    *slog.Logger
	debug  bool
	// tracer makes the spans of renders, waits and regenerations; nil
	// when tracing is off.
	tracer trace.Tracer
}

// newCache returns a cache over the given tiers.
func newCache(cfg cacheConfig, clock *appClock, store *guardedStore, hot *memoryTier, side *sideTier, tags *tagTimes, m *metrics) *cache {
	c := &cache{cacheConfig: cfg, clock: clock, store: store, hot: hot, side: side, tags: tags, metrics: m}
	c.regenerations = regenQueue{workers: cfg.workers, start: c.startBackground, done: c.background.Done, dropped: &m.regenerationsDropped}
	return c
}

// A renderer renders the pages of one route: what a request hands the cache
// to render a key, and what the cache keeps to render it again.
type renderer struct {
	route string // the route's pattern, for errors
	// render renders key with its route params. ctx carries no request: a
	// page shared by every visitor must not depend on one visitor.
	render func(ctx context.Context, key string, params Params) (*entry, error)
}

// A renderJob is how to render one key again: its renderer and params, kept
// in its entry for Eager revalidation and queued for a regeneration.
type renderJob struct {
	source *renderer
	params Params
}

// serve is one request for key, whose pages src renders. It returns the
// entry to answer with and its X-Framework-Cache state:
//
//   - fresh: HIT.
//   - stale: STALE, and one background regeneration of key is queued.
//   - expired or absent: rendered now, once for all the requests waiting on
//     key (REVALIDATED or MISS); if that render fails, an expired entry is
//     served STALE (stale-if-error) and the failure backs off.
//
// Every decision of one request reads the clock once. params is called only
// when a render needs the route's params.
func (c *cache) serve(ctx context.Context, key string, src *renderer, params func() Params) (*entry, string, error) {
	now := c.hitNow()
	cached := c.lookupPage(ctx, key)
	if cached != nil && cached.status == http.StatusOK && !cached.transient && cached.source.Load() == nil {
		// Rendered by an earlier process or another instance: note how to
		// render it again, for Eager revalidation.
		cached.source.Store(&renderJob{source: src, params: params()})
	}
	state := cacheMiss
	if cached != nil {
		switch c.tags.freshness(cached, now) {
		case fresh:
			c.debugCache(cacheHit, key)
			return cached, cacheHit, nil
		case stale:
			c.debugCache(cacheStale, key)
			var trigger trace.SpanContext
			if c.tracer != nil {
				trigger = trace.SpanContextFromContext(ctx)
			}
			c.regenerate(key, renderJob{source: src, params: params()}, trigger)
			return cached, cacheStale, nil
		}
		state = cacheRevalidated
		if !c.backoff.allow(key, now) {
			// Its last render failed moments ago: keep serving it.
			return cached, cacheStale, nil
		}
	}
	c.debugCache(state, key)
	e, err := c.renderShared(ctx, key, renderJob{source: src, params: params()}, cached != nil)
	if err != nil {
		if cached != nil {
			// Stale-if-error: an old page beats a 500.
			return cached, cacheStale, nil
		}
		return nil, "", err
	}
	return e, state, nil
}

// renderShared renders key once for all concurrent requests and caches the
// result when it may be cached. The render does not see the request that
// started it: a page shared by every visitor must not depend on one
// visitor's query, cookies or headers.
//
// A failed render of a page with a cached entry (backOff) backs it off,
// once, whatever the number of requests that waited on it: the backoff
// counts renders, not requests, so neither a crowd on one failure nor a
// waiter whose client went away (ctx done, nothing failed) can stretch it.
func (c *cache) renderShared(ctx context.Context, key string, job renderJob, backOff bool) (*entry, error) {
	fl, leader := c.flights.join(key)
	if !leader {
		if c.tracer != nil {
			_, span := c.tracer.Start(ctx, "wait for render")
			defer span.End()
		}
		select {
		case <-fl.done:
			return fl.e, fl.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// A render of key may have landed between this request's lookup and
	// its join; then there is nothing to do.
	if e := c.lookupPage(ctx, key); e != nil && c.tags.freshness(e, c.hitNow()) == fresh {
		c.flights.land(key, fl, e, nil)
		return e, nil
	}
	rctx := context.Background()
	if c.tracer != nil {
		rctx = spanOnly(ctx)
	}
	unlock, other := c.lockRender(rctx, key)
	if other != nil {
		c.flights.land(key, fl, other, nil)
		return other, nil
	}
	e, err := job.source.render(rctx, key, job.params)
	if err != nil {
		if backOff {
			c.backoff.fail(key, c.hitNow())
		}
		c.report(ctx, &RenderError{Path: key, Route: job.source.route, Err: err})
	} else {
		c.save(rctx, key, job, e)
	}
	unlock()
	c.flights.land(key, fl, e, err)
	return e, err
}

// renderLockPoll is how often an instance waiting on another instance's
// render of a page looks for it in the shared store.
const renderLockPoll = 25 * time.Millisecond

// lockRender, on a shared store, makes one instance of the cluster render a
// page that nobody has cached (or whose entry expired): it returns unlock
// when this instance may render, or the entry another instance rendered
// meanwhile. The wait is bounded by the render timeout. An instance whose
// render fails, or is a 404 or a redirect (kept in memory only), releases
// the lock without storing a page, and the next to take it renders. When
// the store cannot lock, this instance renders: a page is served through an
// outage of the store.
func (c *cache) lockRender(ctx context.Context, key string) (unlock func(), rendered *entry) {
	if c.store.locker == nil {
		return func() {}, nil
	}
	deadline := time.Now().Add(c.renderTimeout)
	for first := true; ; first = false {
		unlock, ok, err := c.store.TryLock(ctx, c.lockKey(key), c.renderTimeout+5*time.Second)
		if err != nil {
			return func() {}, nil
		}
		// The lock's last holder may have stored the page just before.
		if cur := c.storedPage(ctx, key); cur != nil && c.tags.freshness(cur, c.hitNow()) == fresh {
			if ok {
				unlock()
			}
			return nil, cur
		}
		if ok {
			return unlock, nil
		}
		if time.Now().After(deadline) {
			return func() {}, nil
		}
		if first && c.tracer != nil {
			// Another instance renders the page: the wait is a span.
			var span trace.Span
			ctx, span = c.tracer.Start(ctx, "wait for render lock", trace.WithAttributes(attrPath.String(key)))
			defer span.End()
		}
		time.Sleep(renderLockPoll)
	}
}

// regenerate queues one background render of key unless one is queued or
// running, or key's last failure is too recent. The stale page is served
// meanwhile.
//
// trigger is the span of the request that found the page stale, which the
// regeneration's trace links to; zero when tracing is off or none did.
func (c *cache) regenerate(key string, job renderJob, trigger trace.SpanContext) {
	if !c.backoff.allow(key, c.hitNow()) {
		return
	}
	c.regenerations.add(key, func() { c.runRegeneration(key, job, trigger) })
}

// regenerateStale queues the regeneration of every page in the memory tier
// that is no longer fresh at now (Unix nanoseconds) and that this process
// knows how to render: Eager revalidation.
func (c *cache) regenerateStale(now int64) {
	c.hot.each(func(path string, e *entry) {
		if job := e.source.Load(); job != nil && c.tags.freshness(e, now) != fresh {
			c.regenerate(path, *job, trace.SpanContext{})
		}
	})
}

// runRegeneration renders key in the background, on one of the
// regeneration workers, and caches the result; a failure keeps the last
// good page and backs off.
func (c *cache) runRegeneration(key string, job renderJob, trigger trace.SpanContext) {
	ctx := context.Background()
	if c.tracer != nil {
		var span trace.Span
		ctx, span = c.startRegenerationSpan(key, job, trigger)
		defer span.End()
	}
	fl, leader := c.flights.join(key)
	if !leader {
		c.noteRegeneration(ctx, "rendering in a request")
		return // rendering in a request already
	}
	// Another request may have finished a render of key since the stale
	// entry was read.
	if cur := c.lookupPage(ctx, key); cur != nil && c.tags.freshness(cur, c.hitNow()) == fresh {
		c.noteRegeneration(ctx, "fresh already")
		c.flights.land(key, fl, cur, nil)
		return
	}
	unlock, ok := c.lockRegeneration(ctx, key)
	if !ok {
		c.noteRegeneration(ctx, "regenerated elsewhere")
		c.flights.land(key, fl, nil, errRegeneratedElsewhere)
		return
	}
	defer unlock()
	e, err := job.source.render(ctx, key, job.params)
	c.metrics.regenerations.Add(1)
	if err != nil {
		c.metrics.regenerationErrors.Add(1)
		delay := c.backoff.fail(key, c.hitNow())
		c.report(context.Background(), &RenderError{Path: key, Route: job.source.route, Background: true, Err: err})
		c.log.Info("framework: keeping the last good page", "path", key, "retry_after", delay)
		c.flights.land(key, fl, nil, err)
		return
	}
	c.debugCache("REGENERATED", key)
	c.noteRegeneration(ctx, "regenerated")
	c.save(ctx, key, job, e)
	c.flights.land(key, fl, e, nil)
}

// lockRegeneration, on a shared store, makes sure one instance of the
// cluster regenerates key: it reports false when another instance holds the
// lock or has just stored a fresh entry (which the memory tier then takes).
// When the store cannot lock, this instance regenerates: a page stays fresh
// through an outage of the store.
func (c *cache) lockRegeneration(ctx context.Context, key string) (unlock func(), ok bool) {
	if c.store.locker == nil {
		return func() {}, true
	}
	if cur := c.storedPage(ctx, key); cur != nil && c.tags.freshness(cur, c.hitNow()) == fresh {
		return nil, false
	}
	unlock, ok, err := c.store.TryLock(ctx, c.lockKey(key), c.renderTimeout+5*time.Second)
	if err != nil {
		return func() {}, true
	}
	if !ok {
		// Look again in a moment, when the other instance is done.
		c.backoff.pause(key, c.hitNow()+int64(regenerationWait))
		return nil, false
	}
	// The lock's last holder may have stored a fresh entry just before.
	if cur := c.storedPage(ctx, key); cur != nil && c.tags.freshness(cur, c.hitNow()) == fresh {
		unlock()
		return nil, false
	}
	return unlock, true
}

// errRegeneratedElsewhere ends a regeneration left to another instance.
var errRegeneratedElsewhere = errors.New("framework: another instance is regenerating the page")

// regenerationWait is how long an instance waits before looking for the
// page another instance is regenerating.
const regenerationWait = time.Second

// save caches a rendered entry of key if its window allows.
//
// It returns the store's error, which only a prerender reports: a request
// or a regeneration serves from memory whatever the store does.
func (c *cache) save(ctx context.Context, key string, job renderJob, e *entry) error {
	c.backoff.succeed(key)
	if e.revalidate <= 0 {
		return nil // its data made it dynamic
	}
	if e.status == http.StatusOK {
		e.source.Store(&job)
	}
	return c.savePage(ctx, key, e)
}

// hitNow returns the time on the cluster's clock, coarse, in Unix
// nanoseconds: what requests compare entries' ages and backoffs with.
func (c *cache) hitNow() int64 { return c.clock.hitNanos() }

// startBackground counts a new background job, or reports false once the
// cache is closing. The job must call c.background.Done.
func (c *cache) startBackground() bool {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	if c.closed {
		return false
	}
	c.background.Add(1)
	return true
}

// close drops the queued regenerations and waits for those running. It
// reports false when the cache was closed already.
func (c *cache) close() bool {
	c.bgMu.Lock()
	wasClosed := c.closed
	c.closed = true
	c.bgMu.Unlock()
	if wasClosed {
		return false
	}
	c.regenerations.close()
	c.background.Wait()
	return true
}

// debugCache logs a cache event when DebugCache is on.
func (c *cache) debugCache(event, path string) {
	if c.debug {
		c.logCache(event, path)
	}
}

// logCache is debugCache's slow path, apart so that debugCache inlines.
func (c *cache) logCache(event, path string) {
	c.log.Info("framework cache", "event", event, "path", path)
}

// errClosed is returned by work asked of a closed App.
var errClosed = errors.New("framework: app closed")
