package framework

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// postBody is a blog post of about 2.9 KB, different for each id.
func postBody(id string) string {
	return "<!doctype html><title>Post " + id + "</title><article>" +
		strings.Repeat("<p>A paragraph of a post about caching pages, number "+id+".</p>\n", 48) + "</article>"
}

// gzipEntry is a rendered page entry that is held gzip'd.
func gzipEntry(t testing.TB, id string) *entry {
	e := newPageEntry(200, htmlContentType, "", []byte(postBody(id)), nil, time.Now(), time.Minute, time.Hour, nil)
	e.preparePage("/blog/"+id, false)
	if e.gzipBody == nil {
		t.Fatal("a post was not compressed")
	}
	return e
}

// TestMemoryTierHoldsGzip: a page is held in the memory tier gzip'd alone,
// rendered or read from the store; a gzip client gets those bytes, and a
// client that does not accept gzip gets the render's bytes, decompressed
// once and then served from the tier's plain share.
func TestMemoryTierHoldsGzip(t *testing.T) {
	h := newHarness(t, Options{})
	route := Route{Pattern: "/blog/:id", Revalidate: time.Hour,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			return templ.Raw(postBody(r.Param("id"))), nil
		}}
	h.page(route)
	want := postBody("1")
	check := func(when string) {
		t.Helper()
		if r := h.get("/blog/1"); r.status != 200 || r.body != want || r.header.Get("Content-Encoding") != "" ||
			r.header.Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Fatalf("%s, plain: %d %s, %d bytes, Content-Length %s", when, r.status, r.cache(), len(r.body), r.header.Get("Content-Length"))
		}
		// The harness decompresses the body.
		if r := h.get("/blog/1", "Accept-Encoding", "gzip"); r.header.Get("Content-Encoding") != "gzip" || r.body != want {
			t.Fatalf("%s, gzip: %s, the body decompressed is not the render", when, r.header.Get("Content-Encoding"))
		}
		e := h.app.cache.hot.get("/blog/1")
		if r := h.get("/blog/1", "Accept-Encoding", "gzip"); r.header.Get("Content-Length") != strconv.Itoa(len(e.gzipBody)) {
			t.Fatalf("%s, gzip: Content-Length %s, the tier's gzip'd body %d bytes", when, r.header.Get("Content-Length"), len(e.gzipBody))
		}
		if e == nil || e.body != nil || e.gzipBody == nil || len(e.gzipBody) > len(want)/2 {
			t.Fatalf("%s: the memory tier holds %v, want the gzip'd body alone", when, e)
		}
		if c := e.plain.Load(); c == nil || string(c.body) != want {
			t.Fatalf("%s: no plain copy after a plain client's request", when)
		}
	}
	check("rendered")
	h.restart()
	h.page(route)
	h.e.HEAD(route.Pattern, h.app.pageHandler(route))
	check("read from the store")
	if r := h.do(http.MethodHead, "/blog/1", nil); r.status != 200 || r.body != "" || r.header.Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Fatalf("HEAD: %d, %d bytes, Content-Length %s", r.status, len(r.body), r.header.Get("Content-Length"))
	}
}

// TestPlainShareIsBounded: plain clients reading every page of a tier
// that holds them all gzip'd leave copies of a bounded share of them, the
// tier's bytes within its limit, and each body right; a page dropped from
// the tier drops its copy.
func TestPlainShareIsBounded(t *testing.T) {
	const n = 400
	entries := make([]*entry, n)
	gzipBytes := int64(0)
	for i := range entries {
		entries[i] = gzipEntry(t, strconv.Itoa(i))
		gzipBytes += entries[i].cost()
	}
	// Room for every page gzip'd, and for a few in ten of their copies.
	limit := gzipBytes * 2
	m := newMemoryTier(limit)
	for i, e := range entries {
		if !m.set("/blog/"+strconv.Itoa(i), e) {
			t.Fatalf("entry %d not kept", i)
		}
	}
	for round := range 2 {
		for i, e := range entries {
			body, err := m.plainBody("/blog/"+strconv.Itoa(i), e)
			if err != nil || string(body) != postBody(strconv.Itoa(i)) {
				t.Fatalf("round %d, page %d: %d bytes, %v", round, i, len(body), err)
			}
		}
	}
	copies := 0
	for _, e := range entries {
		if e.plain.Load() != nil {
			copies++
		}
	}
	entriesHeld, held := m.size()
	t.Logf("%d pages held of %d, %d plain copies, %d bytes of %d", entriesHeld, n, copies, held, limit)
	if entriesHeld != n || copies == 0 || copies > n/4 || held > limit {
		t.Fatalf("%d pages held of %d, %d plain copies, %d bytes for a limit of %d", entriesHeld, n, copies, held, limit)
	}
	for i := range m.shards {
		if s := &m.shards[i]; s.plainBytes > s.plainLimit || len(s.plainRing.items) == 0 {
			t.Fatalf("shard %d: %d plain bytes of %d, %d copies", i, s.plainBytes, s.plainLimit, len(s.plainRing.items))
		}
	}
	for i, e := range entries {
		m.del("/blog/" + strconv.Itoa(i))
		if e.plain.Load() != nil {
			t.Fatalf("page %d dropped with its copy kept", i)
		}
	}
	if entriesHeld, held := m.size(); entriesHeld != 0 || held != 0 {
		t.Fatalf("empty tier: %d entries, %d bytes", entriesHeld, held)
	}
}

// TestPlainShareKeepsUsedCopies: the copies plain clients read often stay
// while others come and go, and serving them allocates nothing.
func TestPlainShareKeepsUsedCopies(t *testing.T) {
	const n = 200
	m := newMemoryTier(1 << 20) // 8 KiB of copies a shard: a few posts
	entries := make([]*entry, n)
	for i := range entries {
		entries[i] = gzipEntry(t, strconv.Itoa(i))
		m.set("/blog/"+strconv.Itoa(i), entries[i])
	}
	hot, hotKey := entries[0], "/blog/0"
	for i := range n {
		for _, k := range []int{0, i} {
			if _, err := m.plainBody("/blog/"+strconv.Itoa(k), entries[k]); err != nil {
				t.Fatal(err)
			}
		}
		if hot.plain.Load() == nil {
			t.Fatalf("after %d other pages: the hot page's copy was evicted", i)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { m.plainBody(hotKey, hot) }); allocs != 0 {
		t.Fatalf("a plain hit allocates %v times", allocs)
	}
}

// TestPlainShareConcurrently reads, replaces and drops pages from many
// goroutines (run with -race): every body is right, and the tier's counts
// match its copies.
func TestPlainShareConcurrently(t *testing.T) {
	const n = 64
	m := newMemoryTier(64 << 10)
	// Each set is a new entry of the page, made from its bytes compressed
	// once: compressing in the loop would make the test slow under -race.
	gz := make([][]byte, n)
	for i := range gz {
		gz[i] = gzipEntry(t, strconv.Itoa(i)).gzipBody
	}
	fresh := func(i int) *entry {
		return &entry{status: 200, gzipBody: gz[i], plainLen: len(postBody(strconv.Itoa(i))), revalidate: time.Minute}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := (i*7 + g) % n
				id := strconv.Itoa(k)
				key := "/blog/" + id
				e := m.get(key)
				switch {
				case e == nil || i%50 == 0:
					m.set(key, fresh(k))
				case i%97 == 0:
					m.del(key)
				default:
					body, err := m.plainBody(key, e)
					if err != nil || string(body) != postBody(id) {
						t.Errorf("%s: %d bytes, %v", key, len(body), err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for i := range m.shards {
		s := &m.shards[i]
		sum := int64(0)
		for j, c := range s.plainRing.items {
			sum += c.cost
			if c.mark.slot != j || c.e.plain.Load() != c || s.items[c.key] == nil || s.items[c.key].e != c.e {
				t.Fatalf("shard %d: copy %d of %s is not its entry's", i, j, c.key)
			}
		}
		if sum != s.plainBytes || s.plainBytes > s.plainLimit {
			t.Fatalf("shard %d: copies of %d bytes, counted %d, limit %d", i, sum, s.plainBytes, s.plainLimit)
		}
	}
}

// TestGunzipChecksLength: a gzip'd body that is not the length its entry
// says is an error, not a short or padded page.
func TestGunzipChecksLength(t *testing.T) {
	body := []byte(postBody("1"))
	gz := gzipBytes(body)
	if got, err := gunzip(gz, len(body)); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("gunzip: %d bytes, %v", len(got), err)
	}
	for _, n := range []int{len(body) - 1, len(body) + 1} {
		if _, err := gunzip(gz, n); err == nil {
			t.Fatalf("length %d of a body of %d: no error", n, len(body))
		}
	}
	if _, err := gunzip(gz[:len(gz)-4], len(body)); err == nil {
		t.Fatal("a cut gzip stream: no error")
	}
}
