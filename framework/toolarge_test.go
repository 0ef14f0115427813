package framework

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework/internal/testredis"
	"github.com/isr-go/framework/framework/store"
)

// privateMarker is in every value too large to store; no log line may
// carry it.
const privateMarker = "PRIVATE-8f3a-MARKER"

// bigText is about size bytes of text made of privateMarker.
func bigText(size int) string {
	return strings.Repeat(privateMarker+" ", size/(len(privateMarker)+1)+1)
}

// incompressible is privateMarker and about size random bytes: a page
// body too large for the store gzip'd too.
func incompressible(size int) string {
	b := make([]byte, size)
	rand.NewChaCha8([32]byte{byte(size)}).Read(b)
	return privateMarker + string(b)
}

// TestTooLargeForTheStore: a page and a data value (framework.Cache) too
// large for the store, on Badger past its own limit, on Badger past the
// framework's cap, and on a real Redis past a lowered proto-max-bulk-len,
// are served (200, the right bytes, from memory on the next request), not
// stored, logged once with their key and sizes but not their content, and
// leave the breaker closed (the next normal write is stored); a prerender
// of the large page passes.
func TestTooLargeForTheStore(t *testing.T) {
	cases := []struct {
		name string
		size int // of the page's body and of the data value
		cap  int // the guard's cap, 0 for maxStoredValue
		url  func(t *testing.T) string
	}{
		// Raised cap: Badger's own limit (16 MiB) refuses, with an error
		// that would quote the value.
		{name: "badger", size: 17 << 20, cap: 64 << 20},
		// The framework's cap, lowered from maxStoredValue to spare the
		// test 8 MiB renders.
		{name: "badger, the framework's cap", size: 2 << 20, cap: 1 << 20},
		{name: "redis", size: 2 << 20, url: func(t *testing.T) string {
			srv := testredis.Start(t)
			srv.Command("CONFIG", "SET", "proto-max-bulk-len", "1mb")
			return srv.URL()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := ""
			if tc.url != nil {
				url = tc.url(t)
			}
			logs := newLogBuffer()
			// Large enough for a shard of the memory tier to hold each.
			h := newRedisHarness(t, url, Options{Logger: logs.logger(), MemoryCacheBytes: 16 * 4 * int64(tc.size)})
			if tc.cap != 0 {
				h.app.store.maxValue = tc.cap
			}
			testTooLarge(t, h, logs, tc.size)
		})
	}
}

func testTooLarge(t *testing.T, h *harness, logs *logBuffer, size int) {
	ctx := context.Background()
	page := "<p>" + incompressible(size) + "</p>"
	var fetches atomic.Int64
	data := Cache(func(ctx context.Context) (string, error) {
		fetches.Add(1)
		return bigText(size), nil
	}, CacheOptions{Revalidate: time.Hour, Tags: []string{"big"}})
	bigRoute := Route{Pattern: "/big", Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		return templ.Raw(page), nil
	}}
	h.page(bigRoute)
	for _, p := range []string{"/data/1", "/data/2"} {
		h.page(Route{Pattern: p, Revalidate: time.Hour, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			v, err := data(ctx)
			if err != nil {
				return nil, err
			}
			return templ.Raw(fmt.Sprintf("<p>%s %d %t</p>", r.Path, len(v), v == bigText(size))), nil
		}})
	}
	h.page(Route{Pattern: "/small", Revalidate: time.Hour, Render: newSource("v1").render})

	for i, want := range []string{cacheMiss, cacheHit} {
		r := h.get("/big")
		if r.status != 200 || r.body != page || r.cache() != want {
			t.Fatalf("GET /big #%d: %d %s, %d bytes (want %d); want 200 %s", i+1, r.status, r.cache(), len(r.body), len(page), want)
		}
	}
	for _, p := range []string{"/data/1", "/data/2"} {
		r := h.get(p)
		if want := fmt.Sprintf("<p>%s %d true</p>", p, len(bigText(size))); r.status != 200 || r.body != want {
			t.Fatalf("GET %s: %d %q; want %q", p, r.status, r.body, want)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("the data value was fetched %d times; want once, then read from memory", n)
	}
	// Written again, within the minute: not logged again.
	h.clock.Advance(time.Second)
	if err := ExpireTag(h.app.Context(ctx), "big"); err != nil {
		t.Fatal(err)
	}
	if r := h.get("/data/1"); r.status != 200 || fetches.Load() != 2 {
		t.Fatalf("GET /data/1 after ExpireTag: %d, %d fetches; want 200 and a second fetch", r.status, fetches.Load())
	}
	if _, err := prerenderPage(h.app, ctx, bigRoute, nil); err != nil {
		t.Fatalf("prerender of the large page: %v", err)
	}

	out := logs.String()
	if strings.Contains(out, privateMarker) {
		t.Fatalf("a log line carries the value:\n%.2000s", out)
	}
	lines := regexp.MustCompile(`(?m)^.*value too large for the cache store.* key=(\S+) bytes=(\d+) limit=(\d+)$`).FindAllStringSubmatch(out, -1)
	keys := map[string]int{}
	for _, l := range lines {
		keys[l[1]]++
		n, _ := strconv.Atoi(l[2])
		limit, _ := strconv.Atoi(l[3])
		if n < size || limit <= 0 || n <= limit {
			t.Errorf("logged size %s not over limit %s", l[2], l[3])
		}
	}
	pageKey := h.app.cache.pageKey("/big")
	if len(keys) != 2 || keys[pageKey] != 1 {
		t.Fatalf("too-large lines by key: %v; want one for %s and one for the data value\n%s", keys, pageKey, out)
	}
	for key, n := range keys {
		if n != 1 {
			t.Errorf("key %s logged %d times; want once a minute", key, n)
		}
		if v, err := h.store.Get(ctx, key); v != nil || err != nil {
			t.Errorf("store holds %s: %d bytes, %v", key, len(v), err)
		}
	}

	// The page twice (its render, its prerender), the data value twice.
	if n := h.app.store.tooLargeValues.Load(); n != 4 {
		t.Errorf("framework_store_values_too_large_total = %d, want 4", n)
	}
	if h.app.store.open.Load() || !h.app.store.up() || h.app.metrics.storeErrors.Load() != 0 {
		t.Fatalf("breaker open %v, store up %v, store errors %d; want closed, up, 0", h.app.store.open.Load(), h.app.store.up(), h.app.metrics.storeErrors.Load())
	}
	if r := h.get("/small"); r.status != 200 {
		t.Fatalf("GET /small: %d", r.status)
	}
	if v, err := h.store.Get(ctx, h.app.cache.pageKey("/small")); v == nil || err != nil {
		t.Fatalf("a small page after the large ones is not stored: %v", err)
	}
}

// quotingStore is a store whose Set fails with an error quoting the value
// as Badger's does (a hex dump after a first line).
type quotingStore struct{ store.Store }

func (quotingStore) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	return fmt.Errorf("set %q failed. Value:\n%s", key, hex.Dump(value[:min(len(value), 256)]))
}

// TestSetErrorDoesNotQuoteTheValue: the error of a failed Set, as returned
// and as logged, stops at the store's first line.
func TestSetErrorDoesNotQuoteTheValue(t *testing.T) {
	logs := newLogBuffer()
	var errs atomic.Uint64
	g := newGuardedStore(quotingStore{openBadger(t)}, logs.logger(), &errs, func() int64 { return 0 })
	err := g.Set(context.Background(), "k", []byte(bigText(1<<10)), 0)
	if err == nil || errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("Set = %v; want the store's failure", err)
	}
	dump := hex.Dump([]byte(privateMarker))[10:30] // a stretch of the dump's hex
	for _, s := range []string{err.Error(), logs.String()} {
		if strings.Contains(s, privateMarker) || strings.Contains(s, dump) || strings.Contains(s, "\n00000000") {
			t.Fatalf("quotes the value:\n%s", s)
		}
	}
	if !strings.Contains(logs.String(), "set \\\"k\\\"") || errs.Load() != 1 {
		t.Fatalf("the failure is not logged (%d errors):\n%s", errs.Load(), logs.String())
	}
}

// TestTooLargeLoggedOncePerKeyAndMinute: the line about a value too large
// for the store comes once per key and minute.
func TestTooLargeLoggedOncePerKeyAndMinute(t *testing.T) {
	logs := newLogBuffer()
	var errs atomic.Uint64
	var now int64
	g := newGuardedStore(openBadger(t), slog.New(slog.NewTextHandler(logs, nil)), &errs, func() int64 { return now })
	g.maxValue = 4
	ctx := context.Background()
	for _, step := range []struct {
		key   string
		after time.Duration
	}{{"a", 0}, {"a", 30 * time.Second}, {"b", 0}, {"a", 31 * time.Second}, {"a", time.Second}} {
		now += int64(step.after)
		if err := g.Set(ctx, step.key, []byte("12345"), 0); !errors.Is(err, store.ErrTooLarge) {
			t.Fatalf("Set over the cap = %v", err)
		}
	}
	if n, m := strings.Count(logs.String(), "key=a "), strings.Count(logs.String(), "key=b "); n != 2 || m != 1 || errs.Load() != 0 {
		t.Fatalf("lines for a: %d (want 2), for b: %d (want 1), errors %d:\n%s", n, m, errs.Load(), logs.String())
	}
}
