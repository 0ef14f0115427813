package framework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/isr-go/framework/framework/store"
)

// FetchOptions control how Fetch caches a response. The zero value caches
// nothing, like a fetch in Next.js 15: data is cached only when asked to be.
type FetchOptions struct {
	// Revalidate is how long the response is reused, with the meaning it has
	// on a page (Route.Revalidate): 0 (or less) is not cached, so the URL is
	// fetched on every call and the page that reads it is dynamic, rendered
	// per request, as with Next.js's revalidate: 0; Never keeps it until one
	// of Tags is revalidated. A page's window is the lowest of its own and
	// those of the data it read.
	Revalidate time.Duration
	// Tags name the response for RevalidateTag; the pages that read it
	// carry them too.
	Tags []string
	// Header is sent with the request; it is part of the cache key.
	Header http.Header
}

// maxFetchBody bounds a response Fetch will cache.
const maxFetchBody = 16 << 20

// FetchError is returned by Fetch for a response whose status is not 2xx;
// such responses are not cached.
type FetchError struct {
	URL    string
	Status int
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("fetch %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// Fetch GETs url and returns the body of a 2xx response, cached in the app's
// store as opts say. Identical calls within one render are made once.
// Outside a render or runtime.Handler it simply fetches.
func Fetch(ctx context.Context, url string, opts FetchOptions) ([]byte, error) {
	id := "fetch\x00" + url
	for _, name := range slices.Sorted(maps.Keys(opts.Header)) {
		id += "\x00" + name + ":" + strings.Join(opts.Header[name], ",")
	}
	return loadData(ctx, id, opts.Revalidate, opts.Tags, func(ctx context.Context) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		for name, values := range opts.Header {
			req.Header[name] = values
		}
		client := http.DefaultClient
		a := appFrom(ctx)
		if a != nil {
			client = a.opts.HTTPClient
		}
		if a != nil && a.tracer != nil {
			// The server that answers continues this trace.
			traceContext.Inject(ctx, propagation.HeaderCarrier(req.Header))
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		if a != nil && a.tracer != nil {
			trace.SpanFromContext(ctx).SetAttributes(attribute.Int("http.response.status_code", res.StatusCode))
		}
		defer res.Body.Close()
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return nil, &FetchError{URL: url, Status: res.StatusCode}
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, maxFetchBody+1))
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", url, err)
		}
		if len(body) > maxFetchBody {
			return nil, fmt.Errorf("fetch %s: body over %d bytes", url, maxFetchBody)
		}
		return body, nil
	})
}

// CacheOptions control how Cache caches a function's results.
type CacheOptions struct {
	// KeyParts tell apart functions that share a name (closures made in a
	// loop); the function's name and its arguments are always in the key.
	KeyParts []string
	// Revalidate is how long a result is reused, as in FetchOptions: 0 (or
	// less) calls fn every time and makes the page that reads it dynamic;
	// Never keeps the result until one of Tags is revalidated.
	Revalidate time.Duration
	// Tags name the results for RevalidateTag.
	Tags []string
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// Cache wraps fn, a func(context.Context, args...) (T, error), into a
// function of the same type whose results are cached in the app's store,
// like Next.js's unstable_cache. The arguments (after ctx) are the cache key,
// so they and T must survive encoding/json. Errors are not cached.
//
// Cache panics if fn does not have that shape: it is meant for package-level
// variables, where that shows at start.
//
//	var getPosts = framework.Cache(db.Posts, framework.CacheOptions{
//		Revalidate: framework.Never, // until RevalidateTag(ctx, "posts")
//		Tags:       []string{"posts"},
//	})
func Cache[F any](fn F, opts CacheOptions) F {
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func || t.NumIn() < 1 || t.In(0) != contextType || t.NumOut() != 2 || t.Out(1) != errorType {
		panic(fmt.Sprintf("framework.Cache: want a func(context.Context, ...) (T, error), got %s", t))
	}
	name := runtime.FuncForPC(v.Pointer()).Name()
	prefix := "cache\x00" + name + "\x00" + strings.Join(opts.KeyParts, "\x00") + "\x00"
	result := t.Out(0)
	wrapped := reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		fail := func(err error) []reflect.Value {
			return []reflect.Value{reflect.Zero(result), reflect.ValueOf(&err).Elem()}
		}
		ctx, _ := args[0].Interface().(context.Context)
		if ctx == nil {
			ctx = context.Background()
		}
		rest := make([]any, len(args)-1)
		for i, arg := range args[1:] {
			rest[i] = arg.Interface()
		}
		key, err := json.Marshal(rest)
		if err != nil {
			return fail(fmt.Errorf("framework.Cache %s: arguments: %w", name, err))
		}
		b, err := loadData(ctx, prefix+string(key), opts.Revalidate, opts.Tags, func(ctx context.Context) ([]byte, error) {
			in := append([]reflect.Value{reflect.ValueOf(&ctx).Elem()}, args[1:]...)
			out := v.Call(in)
			if err, _ := out[1].Interface().(error); err != nil {
				return nil, err
			}
			return json.Marshal(out[0].Interface())
		})
		if err != nil {
			return fail(err)
		}
		value := reflect.New(result)
		if err := json.Unmarshal(b, value.Interface()); err != nil {
			return fail(fmt.Errorf("framework.Cache %s: result: %w", name, err))
		}
		return []reflect.Value{value.Elem(), reflect.Zero(errorType)}
	})
	return wrapped.Interface().(F)
}

// loadData returns the data identified by id: from the render's earlier
// identical call, from the store while fresh, or from fetch (whose result is
// then stored if window allows). It passes the value's window and tags to
// the page being rendered (so that uncached data, window 0, makes the page
// dynamic), or to the value being fetched around this read (dataScope).
func loadData(ctx context.Context, id string, window time.Duration, tags []string, fetch func(context.Context) ([]byte, error)) (_ []byte, err error) {
	window = max(window, 0)
	a := appFrom(ctx)
	traced := a != nil && a.tracer != nil && recording(ctx)
	if traced {
		var span trace.Span
		ctx, span = a.startDataSpan(ctx, id, int64(window/time.Second), tags)
		defer func() { endSpan(span, err) }()
	}
	load := func(ctx context.Context) (dataValue, error) {
		if traced {
			noteData(ctx, "uncached")
		}
		b, err := fetch(ctx)
		return dataValue{b, window, tags}, err
	}
	// A draft render neither reads the data cache (an editor sees the
	// latest data) nor writes it (what Load read in draft mode must not
	// reach other visitors through a shared key).
	if a != nil && window > 0 && !DraftMode(ctx) {
		load = func(ctx context.Context) (dataValue, error) { return a.data.get(ctx, id, window, tags, fetch) }
	}
	st := stateFrom(ctx)
	if st == nil {
		v, err := load(ctx)
		recordData(ctx, v, err, window, tags)
		return v.body, err
	}
	// Identical calls in one render share one result, cached or not, like
	// Next.js's request memoization: a page reads one version of its data.
	st.mu.Lock()
	if c, ok := st.calls[id]; ok {
		st.mu.Unlock()
		if traced {
			noteData(ctx, "shared")
		}
		select {
		case <-c.done:
			recordData(ctx, dataValue{c.value, c.window, c.tags}, c.err, window, tags)
			return c.value, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if st.calls == nil {
		st.calls = make(map[string]*call)
	}
	c := &call{done: make(chan struct{})}
	st.calls[id] = c
	st.mu.Unlock()
	defer close(c.done)
	v, err := load(ctx)
	c.value, c.window, c.tags, c.err = v.body, v.window, v.tags, err
	recordData(ctx, v, err, window, tags)
	return c.value, c.err
}

// dataValue is a data value with the window and tags it was stored with:
// those it was asked for, lowered and added to by the data it read in turn.
type dataValue struct {
	body   []byte
	window time.Duration
	tags   []string
}

// recordData records that the caller read v (or failed to, with err: then
// the window and tags it asked for): in the value being fetched around this
// read if there is one, which carries them on, else in the page being
// rendered.
func recordData(ctx context.Context, v dataValue, err error, window time.Duration, tags []string) {
	if err != nil {
		v.window, v.tags = window, tags
	}
	if sc, _ := ctx.Value(dataScopeKey{}).(*dataScope); sc != nil {
		sc.use(v.window, v.tags)
		return
	}
	if st := stateFrom(ctx); st != nil {
		st.useData(v.window, v.tags)
	}
}

// A dataScope collects what the fetch of one cached value reads through
// Fetch, Cache and CacheComponent (a cached component listing Cache'd posts), so
// that the value is stored with their tags and no longer than their windows,
// and is stale when they are: RevalidateTag("posts") reaches the component
// even when only the list is tagged. Uncached reads (window 0) do not make
// the value uncached: caching it was asked for explicitly.
type dataScope struct {
	mu     sync.Mutex
	window time.Duration
	tags   []string
}

type dataScopeKey struct{}

func (sc *dataScope) use(window time.Duration, tags []string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if window > 0 {
		sc.window = min(sc.window, window)
	}
	for _, t := range tags {
		if !slices.Contains(sc.tags, t) {
			sc.tags = append(sc.tags, t)
		}
	}
}

// dataCache keeps the values of Fetch and Cache in the store, one fetch per
// key at a time.
type dataCache struct {
	buildID string
	store   *guardedStore
	// hot is the memory tier of pages, which also holds, under their
	// store keys, the values too large for the store.
	hot     *memoryTier
	tags    *tagTimes
	clock   *appClock
	metrics *metrics
	flights flights
	tracer  trace.Tracer // nil when tracing is off
}

// key is the store key of the value id; the build ID in it keeps builds
// apart.
func (d *dataCache) key(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "d/" + d.buildID + "/" + hex.EncodeToString(sum[:])
}

// get returns the value of id from the store while it is fresh, or fetches
// and stores it. Concurrent renders needing the same value fetch it once.
func (d *dataCache) get(ctx context.Context, id string, window time.Duration, tags []string, fetch func(context.Context) ([]byte, error)) (dataValue, error) {
	key := d.key(id)
	if e := d.stored(ctx, key); e != nil {
		if d.tracer != nil {
			noteData(ctx, "hit")
		}
		d.metrics.dataHits.Add(1)
		return dataValue{e.body, e.revalidate, e.tags}, nil
	}
	fl, leader := d.flights.join(key)
	if d.tracer != nil {
		how := "miss"
		if !leader {
			how = "shared"
		}
		noteData(ctx, how)
	}
	if !leader {
		select {
		case <-fl.done:
			if errors.Is(fl.err, errFetchAbandoned) {
				// Its leader gave up, not the data: fetch it ourselves.
				return d.get(ctx, id, window, tags, fetch)
			}
			if fl.err != nil {
				return dataValue{}, fl.err
			}
			return dataValue{fl.e.body, fl.e.revalidate, fl.e.tags}, nil
		case <-ctx.Done():
			return dataValue{}, ctx.Err()
		}
	}
	start := d.clock.now()
	d.metrics.dataFetches.Add(1)
	sc := &dataScope{window: window, tags: slices.Clone(tags)}
	value, err := fetch(context.WithValue(ctx, dataScopeKey{}, sc))
	var e *entry
	if err == nil {
		sc.mu.Lock()
		window, tags = sc.window, sc.tags
		sc.mu.Unlock()
		e = &entry{body: value, plainLen: len(value), generatedAt: start.UnixNano(), revalidate: window, tags: tags}
		// The store keeps it no longer than it may be served.
		ttl := window
		if window == Never {
			ttl = DefaultExpire
		}
		ttl = min(ttl, maxEntryLifetime)
		if err := d.store.Set(ctx, key, e.encode(), ttl); errors.Is(err, store.ErrTooLarge) {
			e.checkTags = e.tags
			d.hot.set(key, e)
		}
	}
	landed := err
	if err != nil && ctx.Err() != nil {
		// This request gave up (its client went away, its render timed
		// out): the error is its own, not the waiters'.
		landed = errFetchAbandoned
	}
	d.flights.land(key, fl, e, landed)
	if err != nil {
		return dataValue{}, err
	}
	return dataValue{value, window, tags}, nil
}

// errFetchAbandoned ends a shared data fetch whose request gave up; the
// requests that waited on it fetch again.
var errFetchAbandoned = errors.New("framework: the request fetching this data gave up")

// stored returns the stored data entry under key if it is fresh.
func (d *dataCache) stored(ctx context.Context, key string) *entry {
	if e := d.hot.get(key); e != nil {
		if d.tags.freshness(e, d.clock.now().UnixNano()) != fresh {
			return nil
		}
		return e
	}
	b, err := d.store.Get(ctx, key)
	if err != nil || b == nil {
		return nil
	}
	e, err := decodeEntry(b)
	if err != nil {
		return nil
	}
	e.checkTags = e.tags
	if d.tags.freshness(e, d.clock.now().UnixNano()) != fresh {
		return nil
	}
	return e
}
