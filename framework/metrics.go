package framework

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// MetricsPath is where runtime.Register serves the Prometheus metrics when
// Options.Metrics is on.
const MetricsPath = "/metrics"

// metrics counts what the app does, for Prometheus. Every field is an
// atomic counter: the hit path pays one uncontended add, no lock, no
// allocation.
type metrics struct {
	hit, stale, miss, revalidated, dynamic atomic.Uint64
	bypass                                 atomic.Uint64 // draft mode
	errors                                 atomic.Uint64 // 500s: a render failed with no page to fall back on

	renders, renderErrors atomic.Uint64
	renderSeconds         histogram

	regenerations, regenerationErrors atomic.Uint64
	regenerationsDropped              atomic.Uint64 // not queued: the queue was full

	dataHits, dataFetches atomic.Uint64

	softRevalidations, hardRevalidations atomic.Uint64
	revalidateRefused                    atomic.Uint64 // wrong or missing secret
	crossOriginRefused                   atomic.Uint64 // unsafe requests from other sites

	storeErrors atomic.Uint64
	storeResets atomic.Uint64 // cache dirs moved aside
	memoryOnly  atomic.Bool   // no usable cache dir
}

// served counts a response by its X-Framework-Cache value ("" for a page
// rendered on every request).
func (m *metrics) served(state string) {
	switch state {
	case cacheHit:
		m.hit.Add(1)
	case cacheStale:
		m.stale.Add(1)
	case cacheMiss:
		m.miss.Add(1)
	case cacheRevalidated:
		m.revalidated.Add(1)
	case cacheBypass:
		m.bypass.Add(1)
	default:
		m.dynamic.Add(1)
	}
}

// rendered counts one render and how long it took.
func (m *metrics) rendered(d time.Duration, err error) {
	m.renders.Add(1)
	if err != nil {
		m.renderErrors.Add(1)
	}
	m.renderSeconds.observe(d)
}

// renderBuckets are the upper bounds, in seconds, of the render-time
// histogram: from a template that only formats to one waiting on a slow API.
var renderBuckets = [...]float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// histogram is a Prometheus histogram over renderBuckets.
type histogram struct {
	counts [len(renderBuckets) + 1]atomic.Uint64 // the last is +Inf
	nanos  atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	// The first bucket whose bound is >= d: Prometheus buckets are "le".
	h.counts[sort.SearchFloat64s(renderBuckets[:], d.Seconds())].Add(1)
	h.nanos.Add(int64(d))
}

// ServeMetrics writes the app's metrics in the Prometheus text format. It
// is an http.HandlerFunc, for apps that serve metrics on another port;
// Options.Metrics serves it at MetricsPath.
func (a *App) ServeMetrics(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	a.writeMetrics(&buf)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// writeMetrics writes every metric in the Prometheus text format.
func (a *App) writeMetrics(out io.Writer) {
	w := &metricsWriter{w: bufio.NewWriter(out)}
	m := &a.metrics

	w.family("framework_build_info", "gauge", "The build the app serves.")
	w.sample("framework_build_info", `build_id="`+escapeLabel(a.opts.BuildID)+`"`, 1)

	w.family("framework_page_responses_total", "counter", "Page responses, by X-Framework-Cache value (\"dynamic\": rendered on every request).")
	for _, s := range []struct {
		cache string
		n     *atomic.Uint64
	}{{cacheHit, &m.hit}, {cacheStale, &m.stale}, {cacheMiss, &m.miss}, {cacheRevalidated, &m.revalidated}, {cacheBypass, &m.bypass}, {"dynamic", &m.dynamic}} {
		w.sample("framework_page_responses_total", `cache="`+s.cache+`"`, float64(s.n.Load()))
	}

	w.counter("framework_page_errors_total", "Page requests answered 500: the render failed and no cached page could stand in.", m.errors.Load())
	w.counter("framework_renders_total", "Page renders, in requests, in the background and at build.", m.renders.Load())
	w.counter("framework_render_errors_total", "Page renders that failed: an error, a panic or a timeout.", m.renderErrors.Load())
	w.family("framework_render_duration_seconds", "histogram", "How long page renders take.")
	var cumulative uint64
	for i, le := range renderBuckets {
		cumulative += m.renderSeconds.counts[i].Load()
		w.sample("framework_render_duration_seconds_bucket", `le="`+strconv.FormatFloat(le, 'g', -1, 64)+`"`, float64(cumulative))
	}
	cumulative += m.renderSeconds.counts[len(renderBuckets)].Load()
	w.sample("framework_render_duration_seconds_bucket", `le="+Inf"`, float64(cumulative))
	w.sample("framework_render_duration_seconds_sum", "", time.Duration(m.renderSeconds.nanos.Load()).Seconds())
	w.sample("framework_render_duration_seconds_count", "", float64(cumulative))

	w.counter("framework_regenerations_total", "Background regenerations of stale pages by this instance.", m.regenerations.Load())
	w.gauge("framework_regeneration_queue", "Stale pages waiting for a regeneration worker.", float64(a.cache.regenerations.len()))
	w.counter("framework_regenerations_dropped_total", "Stale pages not queued for regeneration because the queue was full; their next request asks again.", m.regenerationsDropped.Load())
	w.counter("framework_regeneration_errors_total", "Background regenerations that failed; the last good page kept being served.", m.regenerationErrors.Load())
	w.counter("framework_data_cache_hits_total", "Fetch and Cache calls answered from the data cache.", m.dataHits.Load())
	w.counter("framework_data_fetches_total", "Fetch and Cache calls that ran the fetch (misses, once for concurrent callers).", m.dataFetches.Load())

	w.family("framework_revalidations_total", "counter", "Tags and paths revalidated on this instance (soft: served stale once; hard: expired).")
	w.sample("framework_revalidations_total", `kind="soft"`, float64(m.softRevalidations.Load()))
	w.sample("framework_revalidations_total", `kind="hard"`, float64(m.hardRevalidations.Load()))

	w.counter("framework_revalidate_refused_total", "Calls of the revalidation endpoint refused for a wrong or missing secret.", m.revalidateRefused.Load())
	w.counter("framework_cross_origin_refused_total", "POST, PUT, PATCH and DELETE requests to route handlers refused for coming from another site.", m.crossOriginRefused.Load())

	w.counter("framework_store_errors_total", "Failed operations on the cache store.", m.storeErrors.Load())
	w.counter("framework_store_values_too_large_total", "Values not stored for being larger than the store holds, kept in memory.", a.store.tooLargeValues.Load())
	up := 1.0
	if !a.store.up() {
		up = 0
	}
	w.gauge("framework_store_up", "Whether the cache store's last operation succeeded.", up)
	w.counter("framework_store_resets_total", "Cache directories that could not be opened, moved aside and started afresh.", m.storeResets.Load())
	memoryOnly := 0.0
	if m.memoryOnly.Load() {
		memoryOnly = 1
	}
	w.gauge("framework_store_memory_only", "Whether the app runs without a persistent cache (no usable cache directory).", memoryOnly)

	entries, bytes := a.cache.hot.size()
	w.gauge("framework_memory_cache_entries", "Pages in the in-memory tier.", float64(entries))
	w.gauge("framework_memory_cache_bytes", "Bytes of the pages in the in-memory tier.", float64(bytes))
	w.gauge("framework_memory_cache_limit_bytes", "Bound on framework_memory_cache_bytes.", float64(a.opts.MemoryCacheBytes))
	w.gauge("framework_not_found_cache_entries", "404 and redirect responses cached (apart from pages).", float64(sideEntries(a)))

	a.writeImageMetrics(w)

	w.gauge("go_goroutines", "Goroutines that currently exist.", float64(runtime.NumGoroutine()))
	if rss, ok := residentBytes(); ok {
		w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", float64(rss))
	}
	w.w.Flush()
}

// metricsWriter writes the Prometheus text exposition format.
type metricsWriter struct{ w *bufio.Writer }

func (w *metricsWriter) family(name, kind, help string) {
	fmt.Fprintf(w.w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

func (w *metricsWriter) sample(name, labels string, v float64) {
	w.w.WriteString(name)
	if labels != "" {
		w.w.WriteString("{" + labels + "}")
	}
	w.w.WriteString(" " + strconv.FormatFloat(v, 'g', -1, 64) + "\n")
}

func (w *metricsWriter) counter(name, help string, v uint64) {
	w.family(name, "counter", help)
	w.sample(name, "", float64(v))
}

func (w *metricsWriter) gauge(name, help string, v float64) {
	w.family(name, "gauge", help)
	w.sample(name, "", v)
}

// escapeLabel escapes a label value as the text format requires.
var escapeLabel = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace

// residentBytes reads the process's resident set size where the system
// tells it (Linux).
func residentBytes() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	fields := bytes.Fields(b)
	if len(fields) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
