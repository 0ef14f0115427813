package framework

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMetricsAreOptIn(t *testing.T) {
	h := newHarness(t, Options{})
	if r := h.get(MetricsPath); r.status != http.StatusNotFound {
		t.Fatalf("GET %s without Options.Metrics: %d, want 404", MetricsPath, r.status)
	}
}

func TestMetricsCountCacheEvents(t *testing.T) {
	h := newHarness(t, Options{Metrics: true})
	s := newSource("v1")
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Minute, Render: s.render})
	h.page(Route{Pattern: "/dash", Revalidate: 0, Render: s.render})

	h.get("/blog/1") // MISS: render 1
	h.get("/blog/1") // HIT
	h.get("/blog/1") // HIT
	h.get("/dash")   // dynamic: render 2
	h.clock.Advance(2 * time.Minute)
	h.get("/blog/1") // STALE: regeneration, render 3
	h.waitBackground()
	h.clock.Advance(2 * time.Minute)
	s.fail(errContent)
	h.get("/blog/1") // STALE: failing regeneration, render 4
	h.waitBackground()
	if r := h.get("/blog/2"); r.status != http.StatusInternalServerError { // failing render 5, nothing cached
		t.Fatalf("failing render without a cached page: %d", r.status)
	}
	if err := h.app.revalidateTag(t.Context(), "posts", true); err != nil {
		t.Fatal(err)
	}
	if err := h.app.revalidateTag(t.Context(), "posts", false); err != nil {
		t.Fatal(err)
	}

	r := h.get(MetricsPath)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET %s: %d %q", MetricsPath, r.status, r.header.Get("Content-Type"))
	}
	got := parseMetrics(t, r.body)
	want := map[string]float64{
		`framework_build_info{build_id="build-1"}`:            1,
		`framework_page_responses_total{cache="HIT"}`:         2,
		`framework_page_responses_total{cache="STALE"}`:       2,
		`framework_page_responses_total{cache="MISS"}`:        1,
		`framework_page_responses_total{cache="REVALIDATED"}`: 0,
		`framework_page_responses_total{cache="dynamic"}`:     1,
		`framework_page_errors_total`:                         1,
		`framework_renders_total`:                             5,
		`framework_render_errors_total`:                       2,
		`framework_render_duration_seconds_count`:             5,
		`framework_render_duration_seconds_bucket{le="+Inf"}`: 5,
		`framework_regenerations_total`:                       2,
		`framework_regeneration_errors_total`:                 1,
		`framework_revalidations_total{kind="soft"}`:          1,
		`framework_revalidations_total{kind="hard"}`:          1,
		`framework_store_errors_total`:                        0,
		`framework_store_up`:                                  1,
		`framework_memory_cache_entries`:                      1,
		`framework_memory_cache_limit_bytes`:                  float64(DefaultMemoryCacheBytes()),
		`framework_not_found_cache_entries`:                   0,
		`framework_data_cache_hits_total`:                     0,
		`framework_data_fetches_total`:                        0,
	}
	for name, v := range want {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", name, g, ok, v)
		}
	}
	if got["framework_memory_cache_bytes"] <= 600 {
		t.Errorf("framework_memory_cache_bytes = %v, want the cached page's size", got["framework_memory_cache_bytes"])
	}
	if got["process_resident_memory_bytes"] <= 0 {
		t.Errorf("process_resident_memory_bytes = %v", got["process_resident_memory_bytes"])
	}
	// Buckets are cumulative.
	last := -1.0
	for _, le := range renderBuckets {
		v := got[`framework_render_duration_seconds_bucket{le="`+strconv.FormatFloat(le, 'g', -1, 64)+`"}`]
		if v < last {
			t.Errorf("bucket le=%v holds %v, less than the one below (%v)", le, v, last)
		}
		last = v
	}
}

func TestMetricsCountData(t *testing.T) {
	h := newHarness(t, Options{Metrics: true})
	calls := 0
	load := Cache(func(ctx context.Context, id string) (string, error) {
		calls++
		return "post " + id, nil
	}, CacheOptions{KeyParts: []string{"post"}, Revalidate: time.Hour, Tags: []string{"posts"}})
	ctx := h.app.Context(t.Context())
	for range 3 {
		if _, err := load(ctx, "1"); err != nil {
			t.Fatal(err)
		}
	}
	got := parseMetrics(t, h.get(MetricsPath).body)
	if got["framework_data_fetches_total"] != 1 || got["framework_data_cache_hits_total"] != 2 || calls != 1 {
		t.Fatalf("fetches %v, hits %v, calls %d; want 1, 2, 1",
			got["framework_data_fetches_total"], got["framework_data_cache_hits_total"], calls)
	}
}

// metricLine is one sample of the Prometheus text format.
var metricLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"\})? (\S+)$`)

// parseMetrics checks that body is in the Prometheus text format, every
// sample after its family's HELP and TYPE, and returns the samples by
// name{labels}.
func parseMetrics(t *testing.T, body string) map[string]float64 {
	t.Helper()
	samples := make(map[string]float64)
	typed := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(rest, " ")
			typed[name] = kind
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := metricLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a metric line: %q", line)
		}
		family := m[1]
		if typed[family] == "" {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if f, ok := strings.CutSuffix(family, suffix); ok && typed[f] == "histogram" {
					family = f
				}
			}
		}
		if typed[family] == "" {
			t.Fatalf("sample %q before its # TYPE line", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		samples[m[1]+m[2]] = v
	}
	return samples
}
