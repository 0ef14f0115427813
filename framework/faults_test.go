package framework

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework/internal/testdisk"
	"github.com/isr-go/framework/framework/internal/testredis"

	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/store"
)

// bigPages renders /blog/:id pages of size bytes that gzip cannot shrink,
// so that they land in Badger's value log and not only in its tables.
type bigPages struct {
	size    int
	renders atomic.Int64
	mu      sync.Mutex
	bodies  map[string]string
}

func (b *bigPages) render(ctx context.Context, r *Request) (templ.Component, error) {
	b.renders.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bodies == nil {
		b.bodies = map[string]string{}
	}
	body, ok := b.bodies[r.Path]
	if !ok {
		raw := make([]byte, b.size/2)
		rand.Read(raw)
		body = "<p>" + r.Path + " " + hex.EncodeToString(raw) + "</p>"
		b.bodies[r.Path] = body
	}
	return templ.Raw(body), nil
}

func (b *bigPages) route() Route {
	return Route{Pattern: "/blog/:id", Revalidate: time.Hour, Render: b.render}
}

// logBuffer collects an App's log lines.
type logBuffer struct {
	lockedWriter
	buf bytes.Buffer
}

func newLogBuffer() *logBuffer {
	l := &logBuffer{}
	l.w = &l.buf
	return l
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// closeWithin closes the harness's app and fails unless Close returns
// within d, whatever the store does.
func closeWithin(t *testing.T, h *harness, d time.Duration) {
	t.Helper()
	h.srv.Close()
	h.srv = nil
	done := make(chan struct{})
	go func() {
		h.app.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("Close did not return within %v", d)
	}
	h.app = nil
}

// TestDamagedCacheDir damages a real Badger directory in each way an
// operator has seen (a crash mid-write, a bad disk, a careless rm) and
// restarts on it: the app always starts, serves every page (from what it
// could keep, or rendered again), and shuts down in bounded time.
func TestDamagedCacheDir(t *testing.T) {
	damages := map[string]func(t *testing.T, dir string){
		"truncated sst": func(t *testing.T, dir string) {
			eachFile(t, dir, ".sst", func(p string, n int64) { os.Truncate(p, n/2) })
		},
		"garbage sst":         func(t *testing.T, dir string) { eachFile(t, dir, ".sst", garbage) },
		"deleted sst":         func(t *testing.T, dir string) { eachFile(t, dir, ".sst", remove) },
		"garbage vlog":        func(t *testing.T, dir string) { eachFile(t, dir, ".vlog", garbage) },
		"deleted vlog":        func(t *testing.T, dir string) { eachFile(t, dir, ".vlog", remove) },
		"garbage MANIFEST":    func(t *testing.T, dir string) { eachFile(t, dir, "MANIFEST", garbage) },
		"deleted MANIFEST":    func(t *testing.T, dir string) { eachFile(t, dir, "MANIFEST", remove) },
		"garbage KEYREGISTRY": func(t *testing.T, dir string) { eachFile(t, dir, "KEYREGISTRY", garbage) },
		"zero-length files":   func(t *testing.T, dir string) { eachFile(t, dir, "", func(p string, _ int64) { os.Truncate(p, 0) }) },
		"a file for the dir": func(t *testing.T, dir string) {
			os.RemoveAll(dir)
			os.WriteFile(dir, []byte("not a directory"), 0o644)
		},
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			logs := newLogBuffer()
			h := newHarness(t, Options{Logger: logs.logger()})
			pages := &bigPages{size: 4 << 10}
			h.page(pages.route())
			for i := 1; i <= 40; i++ {
				if r := h.get("/blog/" + itoa(i)); r.status != 200 {
					t.Fatalf("before: %d", r.status)
				}
			}
			h.stop()
			damage(t, h.dir)

			h.start() // fails the test if New fails
			h.page(pages.route())
			for i := 1; i <= 40; i++ {
				p := "/blog/" + itoa(i)
				r := h.get(p)
				if r.status != 200 || !strings.Contains(r.body, pages.bodies[p]) {
					t.Fatalf("%s after the damage: %d %s %.80q", p, r.status, r.cache(), r.body)
				}
				if r := h.get(p); r.status != 200 || r.cache() != cacheHit {
					t.Fatalf("%s again: %d %s", p, r.status, r.cache())
				}
			}
			resets := h.app.metrics.storeResets.Load()
			asides, _ := filepath.Glob(h.dir + ".corrupt-*")
			t.Logf("moved aside: %d (%v), memory only: %v, store errors: %d", resets, asides, h.app.metrics.memoryOnly.Load(), h.app.metrics.storeErrors.Load())
			if resets > 0 && (len(asides) != 1 || !strings.Contains(logs.String(), "moved it aside")) {
				t.Fatalf("a reset without its directory %v or its log line:\n%s", asides, logs.String())
			}
			closeWithin(t, h, 15*time.Second)
		})
	}
}

// TestHalfWrittenTableKeepsTheCache: a table a crash left half-written
// (kill -9 while Badger wrote it) is not in the manifest yet; it is set
// aside and the cache keeps every page, instead of being started afresh.
func TestHalfWrittenTableKeepsTheCache(t *testing.T) {
	h := newHarness(t, Options{})
	pages := &bigPages{size: 4 << 10}
	h.page(pages.route())
	for i := 1; i <= 20; i++ {
		h.get("/blog/" + itoa(i))
	}
	h.stop()
	orphan := filepath.Join(h.dir, "009999.sst")
	garbage(orphan, 4096)
	h.start()
	h.page(pages.route())
	renders := pages.renders.Load()
	for i := 1; i <= 20; i++ {
		if r := h.get("/blog/" + itoa(i)); r.status != 200 || r.cache() != cacheHit {
			t.Fatalf("/blog/%d after a half-written table: %d %s, want a HIT from the kept cache", i, r.status, r.cache())
		}
	}
	if pages.renders.Load() != renders || h.app.metrics.storeResets.Load() != 0 {
		t.Fatalf("the cache was reset for an orphan table (%d resets)", h.app.metrics.storeResets.Load())
	}
	if _, err := os.Stat(orphan + ".corrupt"); err != nil {
		t.Fatalf("the orphan table was not set aside: %v", err)
	}
}

func eachFile(t *testing.T, dir, suffix string, f func(path string, size int64)) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) && !e.IsDir() {
			info, _ := e.Info()
			f(filepath.Join(dir, e.Name()), info.Size())
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no %q file in %s to damage", suffix, dir)
	}
}

func garbage(path string, size int64) {
	b := make([]byte, max(size, 64))
	rand.Read(b)
	os.WriteFile(path, b, 0o644)
}

func remove(path string, _ int64) { os.Remove(path) }

// TestNoUsableCacheDir: when no cache directory can be made, the app serves
// from its memory tier alone, and says so.
func TestNoUsableCacheDir(t *testing.T) {
	logs := newLogBuffer()
	h := newHarness(t, Options{Logger: logs.logger()})
	h.stop()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	h.dir = filepath.Join(file, "cache")
	h.start()
	if !h.app.metrics.memoryOnly.Load() || !strings.Contains(logs.String(), "memory tier only") {
		t.Fatalf("memory only %v; log:\n%s", h.app.metrics.memoryOnly.Load(), logs.String())
	}
	s := newPostSource()
	h.page(s.route())
	for _, want := range []string{cacheMiss, cacheHit} {
		if r := h.get("/blog/1"); r.status != 200 || r.cache() != want {
			t.Fatalf("memory only: %d %s, want 200 %s", r.status, r.cache(), want)
		}
	}
}

// TestAnotherServerHoldsTheCacheDir: two servers must not share one Badger
// directory; the second is refused with a message that says so, and the
// directory is left alone.
func TestAnotherServerHoldsTheCacheDir(t *testing.T) {
	h := newHarness(t, Options{})
	_, err := badgerstore.OpenCache(h.dir, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "another server is using this build's cache") || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Fatalf("second OpenCache on a held dir: %v", err)
	}
	if asides, _ := filepath.Glob(h.dir + ".corrupt-*"); len(asides) != 0 {
		t.Fatalf("a held dir was moved aside: %v", asides)
	}
}

// faultyStore is a real Badger store whose calls can be made to panic or
// hang, to stand for the failures Badger shows on damaged files.
type faultyStore struct {
	store.Store
	panics atomic.Bool
	hang   chan struct{} // Close waits on it
	closed chan struct{} // closed when Close has closed the real store
}

func (s *faultyStore) Get(ctx context.Context, key string) ([]byte, error) {
	if s.panics.Load() {
		panic("badger: value log file not found")
	}
	return s.Store.Get(ctx, key)
}

func (s *faultyStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if s.panics.Load() {
		panic("badger: cannot write")
	}
	return s.Store.Set(ctx, key, value, ttl)
}

func (s *faultyStore) Close() error {
	select {
	case <-s.hang:
	case <-time.After(testWait): // hung long enough for any test
	}
	if s.closed != nil {
		defer close(s.closed)
	}
	return s.Store.Close()
}

// TestStorePanicsAreMisses: a store that panics on reads and writes costs
// renders, never a 500, and a store that hangs in Close does not keep the
// app from closing.
func TestStorePanicsAreMisses(t *testing.T) {
	logs := newLogBuffer()
	h := newHarness(t, Options{Logger: logs.logger()})
	inner, err := badgerstore.Open(filepath.Join(t.TempDir(), "inner"))
	if err != nil {
		t.Fatal(err)
	}
	faulty := &faultyStore{Store: inner, hang: make(chan struct{}), closed: make(chan struct{})}
	defer func() {
		// The app gave up on Close; Badger closes now, before the temp
		// dir is removed under it.
		close(faulty.hang)
		waitFor(t, "the real store's Close", faulty.closed)
	}()
	h.stop()
	h.opts.Store = faulty
	h.start()
	h.app.store.closeTimeout = 200 * time.Millisecond
	h.app.ownStore = true
	s := newPostSource()
	h.page(s.route())

	h.get("/blog/1")
	faulty.panics.Store(true)
	for i := 1; i <= 20; i++ {
		r := h.get("/blog/" + itoa(i))
		if r.status != 200 || !strings.Contains(r.body, "post "+itoa(i)) {
			t.Fatalf("/blog/%d with a panicking store: %d %q", i, r.status, r.body)
		}
	}
	if r := h.get("/blog/2"); r.cache() != cacheHit {
		t.Fatalf("a page rendered while the store panics is not kept in memory: %s", r.cache())
	}
	if n := strings.Count(logs.String(), "panicked"); n != 1 {
		t.Fatalf("%d log lines about the panics, want 1 (no flood):\n%s", n, logs.String())
	}
	start := time.Now()
	closeWithin(t, h, 5*time.Second)
	t.Logf("Close with a store that hangs returned after %v", time.Since(start).Round(time.Millisecond))
}

// TestFullDisk fills a small tmpfs under a real Badger store while pages
// are written: the store refuses writes before Badger could fault on a
// memory-mapped file (a SIGBUS that killed the server), the site keeps
// serving, and writes start again once space is back.
func TestFullDisk(t *testing.T) {
	dir := testdisk.Mount(t, "96m")
	// Leave about 65 MiB: enough to open (it needs 60), little enough to
	// run out after a few MiB of pages.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 31<<20), 0o644); err != nil {
		t.Fatal(err)
	}

	logs := newLogBuffer()
	h := newHarness(t, Options{Logger: logs.logger(), MemoryCacheBytes: 64 << 20})
	h.stop()
	h.dir = filepath.Join(dir, "cache")
	h.start()
	pages := &bigPages{size: 100 << 10}
	h.page(pages.route())
	written := 0
	for i := 1; i <= 300 && !h.app.store.diskFull.Load(); i++ {
		if r := h.get("/blog/" + itoa(i)); r.status != 200 {
			t.Fatalf("/blog/%d: %d", i, r.status)
		}
		written = i
	}
	if !h.app.store.diskFull.Load() || !strings.Contains(logs.String(), "disk full") {
		t.Fatalf("30 MB of pages on a disk with 5 MB to spare did not trip the guard; log:\n%s", logs.String())
	}
	t.Logf("the guard tripped after %d pages of 100 KB", written)
	for i := written + 1; i <= written+30; i++ {
		if r := h.get("/blog/" + itoa(i)); r.status != 200 {
			t.Fatalf("/blog/%d on a full disk: %d", i, r.status)
		}
	}
	if n := strings.Count(logs.String(), "disk full"); n != 1 {
		t.Fatalf("%d log lines about the full disk, want 1", n)
	}
	for i := 1; i <= written+30; i += 7 {
		if r := h.get("/blog/" + itoa(i)); r.status != 200 {
			t.Fatalf("/blog/%d on a full disk: %d", i, r.status)
		}
	}

	os.Remove(filler)
	r := h.get("/blog/1000")
	if r.status != 200 {
		t.Fatalf("after freeing space: %d", r.status)
	}
	if b, err := h.app.store.inner.Get(context.Background(), h.app.cache.pageKey("/blog/1000")); err != nil || b == nil {
		t.Fatalf("a page rendered once space is back was not written: %v", err)
	}
	if h.app.store.diskFull.Load() {
		t.Fatal("still marked full after a successful write")
	}
}

// TestSkewedClocks runs two instances on one real Redis, one clock two
// minutes fast and one two minutes slow. Their times are taken on Redis's
// clock: a soft revalidation from the fast one regenerates the page once
// (not in a loop for two minutes), and an expiry from the slow one is not
// lost.
func TestSkewedClocks(t *testing.T) { eachRedis(t, testSkewedClocks) }

func testSkewedClocks(t *testing.T, kind testredis.Kind) {
	srv := kind.Start(t)
	fast := newRedisHarness(t, srv.URL(), Options{Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
	slow := newRedisHarness(t, srv.URL(), Options{Now: func() time.Time { return time.Now().Add(-2 * time.Minute) }})
	s := newSource("v1")
	rt := taggedRoute("/p/:id", s, "posts")
	rt.Revalidate = time.Hour
	fast.page(rt)
	slow.page(rt)
	if skew := fast.app.now().Sub(slow.app.now()).Abs(); skew > time.Second {
		t.Fatalf("the instances' clocks differ by %v, want them on Redis's", skew)
	}

	if r := slow.get("/p/1"); r.cache() != cacheMiss {
		t.Fatalf("first: %s", r.cache())
	}
	if r := fast.get("/p/1"); r.cache() != cacheHit {
		t.Fatalf("the fast instance does not see the slow one's page as fresh: %s", r.cache())
	}
	renders := s.renders.Load()

	// A soft revalidation from the fast instance: one regeneration, then
	// HITs everywhere, on both.
	s.set("v2")
	if err := fast.app.revalidateTag(context.Background(), "posts", false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the slow instance sees the revalidation", func() bool { return slow.get("/p/1").cache() != cacheHit })
	slow.waitBackground()
	fast.waitBackground()
	eventually(t, "a fresh page after the regeneration", func() bool {
		return strings.Contains(slow.get("/p/1").body, "v2") && strings.Contains(fast.get("/p/1").body, "v2")
	})
	for range 20 {
		for _, h := range []*harness{slow, fast} {
			if r := h.get("/p/1"); r.cache() != cacheHit {
				t.Fatalf("after the regeneration: %s, want HIT (no regeneration loop)", r.cache())
			}
		}
	}
	slow.waitBackground()
	fast.waitBackground()
	if n := s.renders.Load() - renders; n != 1 {
		t.Fatalf("%d renders after one revalidation, want 1", n)
	}

	// An expiry from the slow instance applies on the fast one.
	s.set("v3")
	if err := slow.app.revalidateTag(context.Background(), "posts", true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the fast instance renders after the slow one's expiry", func() bool {
		return strings.Contains(fast.get("/p/1").body, "v3")
	})
}

// TestStalledRedis pauses a real redis-server (SIGSTOP) under requests: a
// never-cached page waits on it about a second once, then the store is
// skipped until it answers again; cached pages never wait.
func TestStalledRedis(t *testing.T) {
	srv := testredis.Start(t)
	h := newRedisHarness(t, srv.URL(), Options{})
	s := newPostSource()
	h.page(s.route())
	h.get("/blog/1")

	srv.Pause()
	defer srv.Resume()
	var worst time.Duration
	for i := 2; i <= 20; i++ {
		start := time.Now()
		r := h.get("/blog/" + itoa(i))
		worst = max(worst, time.Since(start))
		if r.status != 200 {
			t.Fatalf("/blog/%d with Redis paused: %d", i, r.status)
		}
		start = time.Now()
		if r := h.get("/blog/1"); r.status != 200 || r.cache() != cacheHit {
			t.Fatalf("cached page with Redis paused: %d %s", r.status, r.cache())
		}
		worst = max(worst, time.Since(start))
	}
	t.Logf("worst wait with Redis paused: %v", worst.Round(time.Millisecond))
	if !h.app.store.open.Load() {
		t.Fatal("the breaker did not open on a stalled Redis")
	}
	if worst > 3*time.Second {
		t.Fatalf("a request waited %v on a paused Redis", worst)
	}

	srv.Resume()
	eventually(t, "the store is used again", func() bool { return !h.app.store.open.Load() })
	h.get("/blog/50")
	if b, err := h.app.store.Get(context.Background(), h.app.cache.pageKey("/blog/50")); err != nil || b == nil {
		t.Fatalf("a page rendered after Redis resumed was not stored: %v", err)
	}
}

// TestRedisRestartIsLogged stops a real redis-server, so that store calls
// fail at once (connection refused: no breaker), and starts it again: the
// log says the store fails, then that it answers again, once each however
// often it flaps within a minute.
func TestRedisRestartIsLogged(t *testing.T) {
	srv := testredis.Start(t)
	logs := newLogBuffer()
	h := newRedisHarness(t, srv.URL(), Options{Logger: logs.logger()})
	s := newPostSource()
	h.page(s.route())
	h.get("/blog/1")

	next := 2
	miss := func() response { // a page never cached asks the store
		r := h.get("/blog/" + itoa(next))
		next++
		return r
	}
	for flap := range 3 {
		srv.Stop()
		if r := miss(); r.status != 200 {
			t.Fatalf("flap %d, Redis down: %d", flap, r.status)
		}
		srv.Restart()
		eventually(t, "the store answers again", func() bool { miss(); return h.app.store.up() })
	}
	if n := strings.Count(logs.String(), "cache store failing"); n != 1 {
		t.Fatalf("%d lines say the store fails, want 1:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "cache store answers again"); n != 1 {
		t.Fatalf("%d lines say the store answers again, want 1:\n%s", n, logs.String())
	}
	if strings.Index(logs.String(), "answers again") < strings.Index(logs.String(), "cache store failing") {
		t.Fatalf("back before down:\n%s", logs.String())
	}
}

// TestRegenerationsAreBounded makes 200 pages stale at once and asks for
// each: at most RegenerationWorkers render at a time, each page once, and
// every request is answered at once from the stale page.
func TestRegenerationsAreBounded(t *testing.T) {
	h := newHarness(t, Options{RegenerationWorkers: 3})
	var running, peak atomic.Int64
	var renders atomic.Int64
	release := make(chan struct{})
	var blocking atomic.Bool
	h.page(Route{Pattern: "/blog/:id", Revalidate: time.Minute, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		renders.Add(1)
		if blocking.Load() {
			select {
			case <-release:
			case <-time.After(testWait):
				return nil, errors.New("render never released")
			}
		}
		return templ.Raw("<p>" + r.Path + "</p>"), nil
	}})
	for i := range 200 {
		h.get("/blog/" + itoa(i))
	}
	peak.Store(0)
	renders.Store(0)
	h.clock.Advance(2 * time.Minute)
	blocking.Store(true)
	for range 3 {
		for i := range 200 {
			if r := h.get("/blog/" + itoa(i)); r.cache() != cacheStale {
				t.Fatalf("/blog/%d: %s, want STALE while queued", i, r.cache())
			}
		}
	}
	if q := h.app.cache.regenerations.len(); q < 190 {
		t.Fatalf("%d queued, want the rest of the 200 waiting", q)
	}
	close(release)
	h.waitBackground()
	if p := peak.Load(); p > 3 {
		t.Fatalf("%d regenerations ran at once, want at most 3", p)
	}
	if n := renders.Load(); n != 200 {
		t.Fatalf("%d renders for 200 stale pages asked for 3 times each, want 200", n)
	}
	for i := range 200 {
		if r := h.get("/blog/" + itoa(i)); r.cache() != cacheHit {
			t.Fatalf("/blog/%d after the storm: %s", i, r.cache())
		}
	}
}

// TestFlippedBitsAreNeverServed flips bits through the value logs of a real
// Badger directory, as a failing disk or a bad RAM stick does: Badger
// checks the records of its newest value log when it opens, but reads older
// ones as they are, so that a cached page with flipped bytes would be served
// (a wrong page, or a gzip copy browsers cannot decode). Every entry
// carries a checksum: a damaged one is a miss, rendered again.
func TestFlippedBitsAreNeverServed(t *testing.T) {
	logs := newLogBuffer()
	h := newHarness(t, Options{Logger: logs.logger()})
	pages := &bigPages{size: 4 << 10}
	h.page(pages.route())
	const n = 20
	for i := 1; i <= n; i++ {
		if r := h.get("/blog/" + itoa(i)); r.status != 200 {
			t.Fatalf("before: %d", r.status)
		}
	}
	// A restart starts a new value log: the pages' log is an older one,
	// which Badger does not check when it opens.
	h.restart()
	h.stop()
	flipped := 0
	eachFile(t, h.dir, ".vlog", func(p string, size int64) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for at := 64; at < len(b); at += 1000 {
			b[at] ^= 0x20
			flipped++
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	})
	if flipped < n {
		t.Fatalf("flipped %d bytes: the pages are not in the value log", flipped)
	}

	h.start()
	h.page(pages.route())
	for i := 1; i <= n; i++ {
		p := "/blog/" + itoa(i)
		for _, enc := range []string{"identity", "gzip"} {
			r := h.get(p, "Accept-Encoding", enc) // a gzip body that does not decode fails here
			if r.status != 200 || !strings.Contains(r.body, pages.bodies[p]) {
				t.Fatalf("%s (%s) after the flips: %d %s, a wrong page: %.80q", p, enc, r.status, r.cache(), r.body)
			}
		}
	}
	if !strings.Contains(logs.String(), "unreadable cache entry") {
		t.Fatalf("no damaged entry was noticed; logs:\n%s", logs.String())
	}
}

// TestClockJumps sets the machine's clock an hour ahead, revalidates, and
// sets it right again (an NTP correction, or an operator's date -s): the
// revalidated page regenerates once and is a HIT again, a revalidation after
// the jump still applies, and a page rendered while the clock was ahead
// still regenerates once its window has passed, rather than every request
// regenerating the page for an hour, or a page staying fresh as long as the
// clock was off.
func TestClockJumps(t *testing.T) {
	for _, jump := range []time.Duration{time.Hour, 5 * 365 * 24 * time.Hour} {
		t.Run(jump.String(), func(t *testing.T) {
			h := newHarness(t, Options{})
			src := newSource("v1")
			h.page(Route{Pattern: "/blog/:id", Revalidate: time.Minute, Render: src.render})
			ctx := context.Background()
			if r := h.get("/blog/1"); r.cache() != cacheMiss {
				t.Fatalf("first: %s", r.cache())
			}

			h.clock.Advance(jump) // the clock runs ahead
			if r := h.get("/blog/2"); r.cache() != cacheMiss {
				t.Fatalf("ahead: %s", r.cache())
			}
			if err := h.app.revalidatePath(ctx, "/blog/1", false); err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(-jump + time.Second) // and is set right, a second later

			// The page revalidated in the future regenerates once.
			src.set("v2")
			h.get("/blog/1")
			h.waitBackground()
			renders := src.renders.Load()
			for i := range 5 {
				r := h.get("/blog/1")
				h.waitBackground()
				if r.cache() != cacheHit || !strings.Contains(r.body, "v2") {
					t.Fatalf("request %d after the jump: %s %.40q (%d renders since)", i, r.cache(), r.body, src.renders.Load()-renders)
				}
			}
			if n := src.renders.Load() - renders; n != 0 {
				t.Fatalf("%d renders of a fresh page", n)
			}

			// A revalidation after the jump applies.
			src.set("v3")
			h.clock.Advance(time.Second)
			if err := h.app.revalidatePath(ctx, "/blog/1", false); err != nil {
				t.Fatal(err)
			}
			h.get("/blog/1")
			h.waitBackground()
			if r := h.get("/blog/1"); r.cache() != cacheHit || !strings.Contains(r.body, "v3") {
				t.Fatalf("revalidated after the jump: %s %.40q", r.cache(), r.body)
			}

			// The page rendered while the clock was ahead goes stale once
			// its window has passed.
			h.clock.Advance(2 * time.Minute)
			if r := h.get("/blog/2"); r.cache() != cacheStale {
				t.Fatalf("a page rendered %v ahead, 2 min later: %s", jump, r.cache())
			}
			h.waitBackground()
			if r := h.get("/blog/2"); r.cache() != cacheHit || !strings.Contains(r.body, "v3") {
				t.Fatalf("regenerated: %s %.40q", r.cache(), r.body)
			}
		})
	}
}
