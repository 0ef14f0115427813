package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework/internal/testredis"

	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/store"
)

// storedTagTimes returns the tag times in the app's store.
func (h *harness) storedTagTimes() map[string]int64 {
	h.t.Helper()
	times, err := h.app.store.TagTimes(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return times
}

// memoryTagNames returns the names the app holds a time for, sorted.
func memoryTagNames(a *App) []string {
	a.tags.mu.RLock()
	defer a.tags.mu.RUnlock()
	return slices.Sorted(maps.Keys(a.tags.soft))
}

// neverRoute renders s through data tagged tags, cached until revalidated.
func neverRoute(pattern string, s *source, tags ...string) Route {
	rt := taggedRoute(pattern, s, tags...)
	rt.Revalidate = Never
	return rt
}

func TestRevalidateEndpointRefusesPastLimits(t *testing.T) {
	h := newHarness(t, Options{RevalidateSecret: "test-secret-0123456789abcdef0123456789abcdef"})
	s := newSource("v1")
	h.page(taggedRoute("/posts/:id", s, "posts"))
	h.get("/posts/1")
	h.clock.Advance(time.Second)
	ctx := context.Background()
	if err := h.app.revalidateTag(ctx, "before", false); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Second)
	memBefore, storeBefore := memoryTagNames(h.app), h.storedTagTimes()
	if r := h.get("/posts/1"); r.cache() != cacheHit {
		t.Fatalf("before: %s", r.cache())
	}

	names := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%d", prefix, i)
		}
		return out
	}
	body := func(req RevalidateRequest) string {
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	long := strings.Repeat("x", maxTagLength+1)
	for _, tc := range []struct {
		name, auth, body string
		status           int
		limit            int64  // the "limit" of the answer; 0 for none
		msg              string // part of the "error"
	}{
		{"1,001 tags", "", body(RevalidateRequest{Tags: names("t", 1001)}), 413, 1000,
			"at most 1000 paths, layouts and tags in one call (Options.RevalidateLimit), got 1001"},
		{"1,001 names in all", "", body(RevalidateRequest{Paths: names("/p", 400), Layouts: names("/l", 400), Tags: names("t", 201)}), 413, 1000,
			"got 1001"},
		{"257-byte tag", "", body(RevalidateRequest{Tags: []string{"posts", long}}), 400, 256, "must be 1 to 256 bytes, got 257"},
		{"empty tag", "", body(RevalidateRequest{Tags: []string{""}}), 400, 256, "got 0"},
		{"257-byte path", "", body(RevalidateRequest{Paths: []string{"/" + long[1:]}, Tags: []string{"posts"}}), 400, 256, "at most 256 bytes, got 257"},
		{"257-byte layout", "", body(RevalidateRequest{Layouts: []string{"/" + long[1:]}}), 400, 256, "at most 256 bytes, got 257"},
		{"relative path", "", body(RevalidateRequest{Paths: []string{"posts"}}), 400, 0, "want an absolute URL path"},
		{"body over 1 MiB", "", `{"tags":["posts"],"paths":["/` + strings.Repeat("a", 1<<20) + `"]}`, 413, 1 << 20, "body over 1048576 bytes"},
		{"tag with a newline", "", body(RevalidateRequest{Tags: []string{"posts", "a\nb"}}), 400, 0, "control character"},
		{"tag with NUL", "", body(RevalidateRequest{Tags: []string{floorTag}}), 400, 0, "control character"},
		{"tag with DEL", "", body(RevalidateRequest{Tags: []string{"a\x7f"}}), 400, 0, "control character"},
		{"data after the object", "", `{"tags":["posts"]} {"tags":["x"]}`, 400, 0, "data after the JSON object"},
		{"bad json", "", `{"tags":`, 400, 0, "body:"},
		{"nothing", "", `{}`, 400, 0, "nothing to revalidate"},
		{"wrong secret", "Bearer nope", body(RevalidateRequest{Tags: []string{"posts"}}), 401, 0, "wrong or missing bearer token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := tc.auth
			if auth == "" {
				auth = "Bearer test-secret-0123456789abcdef0123456789abcdef"
			}
			r := h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(tc.body), "Authorization", auth, "Content-Type", "application/json")
			if r.status != tc.status {
				t.Fatalf("status %d %s, want %d", r.status, r.body, tc.status)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.body), &got); err != nil {
				t.Fatalf("answer %q is not JSON: %v", r.body, err)
			}
			msg, _ := got["error"].(string)
			if !strings.Contains(msg, tc.msg) {
				t.Errorf("error %q, want it to contain %q", msg, tc.msg)
			}
			if _, ok := got["message"]; ok || len(got) > 2 {
				t.Errorf("answer %s: want only \"error\" and \"limit\"", r.body)
			}
			limit, hasLimit := got["limit"].(float64)
			if tc.limit == 0 && hasLimit || int64(limit) != tc.limit {
				t.Errorf("limit %v, want %d", got["limit"], tc.limit)
			}
			// Nothing was recorded: no name in memory nor in the store, and
			// the page is as fresh as before.
			if mem := memoryTagNames(h.app); !slices.Equal(mem, memBefore) {
				t.Errorf("tag names in memory changed: %d, were %d", len(mem), len(memBefore))
			}
			if st := h.storedTagTimes(); !maps.Equal(st, storeBefore) {
				t.Errorf("stored tag times changed: %d, were %d", len(st), len(storeBefore))
			}
			if r := h.get("/posts/1"); r.cache() != cacheHit {
				t.Errorf("page after the refused call: %s, want HIT", r.cache())
			}
		})
	}

	// Exactly the limit is fine.
	r := h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(body(RevalidateRequest{Tags: append(names("t", 999), "posts")})),
		"Authorization", "Bearer test-secret-0123456789abcdef0123456789abcdef")
	if r.status != http.StatusOK {
		t.Fatalf("1,000 names: %d %s", r.status, r.body)
	}
	if got := h.get("/posts/1").cache(); got != cacheStale {
		t.Fatalf("page after revalidating its tag: %s, want STALE", got)
	}
	if n := len(memoryTagNames(h.app)); n != len(memBefore)+1000 {
		t.Fatalf("%d names after 1,000 more, want %d", n, len(memBefore)+1000)
	}
}

func TestRevalidateEndpointOffAnswersJSON(t *testing.T) {
	t.Setenv("FRAMEWORK_REVALIDATE_SECRET", "")
	h := newHarness(t, Options{})
	r := h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(`{"tags":["a"]}`), "Authorization", "Bearer x")
	var got struct{ Error string }
	if r.status != http.StatusNotFound || json.Unmarshal([]byte(r.body), &got) != nil || !strings.Contains(got.Error, "FRAMEWORK_REVALIDATE_SECRET") {
		t.Fatalf("%d %s, want 404 with a JSON error naming FRAMEWORK_REVALIDATE_SECRET", r.status, r.body)
	}
}

func TestRevalidateMethodsCheckNames(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := context.Background()
	long := "/" + strings.Repeat("a", maxTagLength)
	for _, tc := range []struct {
		name string
		call func() error
		ok   bool
	}{
		{"RevalidatePath 256 bytes", func() error { return h.app.revalidatePath(ctx, long[:maxTagLength], false) }, true},
		{"RevalidatePath 257 bytes", func() error { return h.app.revalidatePath(ctx, long, false) }, false},
		{"ExpirePath 257 bytes", func() error { return h.app.revalidatePath(ctx, long, true) }, false},
		{"RevalidatePath layout 257 bytes", func() error { return h.app.revalidatePath(ctx, long, false, AndBelow) }, false},
		{"RevalidateTag 256 bytes", func() error { return h.app.revalidateTag(ctx, long[1:], false) }, true},
		{"RevalidateTag 257 bytes", func() error { return h.app.revalidateTag(ctx, long, false) }, false},
		{"RevalidateTag tab", func() error { return h.app.revalidateTag(ctx, "a\tb", false) }, false},
		{"ExpireTag reserved name", func() error { return h.app.revalidateTag(ctx, floorTag, true) }, false},
		{"RevalidateTag unicode", func() error { return h.app.revalidateTag(ctx, "café posts", false) }, true},
	} {
		before := h.app.tags.len()
		err := tc.call()
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", tc.name, err, tc.ok)
		}
		if grew := h.app.tags.len() - before; !tc.ok && grew != 0 {
			t.Errorf("%s: refused, yet %d names recorded", tc.name, grew)
		}
	}
	if _, ok := h.storedTagTimes()[softTagPrefix+floorTag]; ok {
		t.Fatal("a user's call recorded the reserved floor name")
	}
}

func TestOldTagTimesArePruned(t *testing.T) {
	h := newHarness(t, Options{})
	s := newSource("v1")
	h.page(neverRoute("/a", s, "posts"))
	h.page(neverRoute("/b", s, "posts"))
	ctx := context.Background()

	h.get("/a") // generated before the revalidation of posts
	h.clock.Advance(time.Second)
	if err := h.app.revalidateTag(ctx, "posts", false); err != nil {
		t.Fatal(err)
	}
	if err := h.app.revalidatePath(ctx, "/gone", true); err != nil {
		t.Fatal(err)
	}
	revalidatedAt := h.clock.Now()
	h.clock.Advance(2 * 24 * time.Hour)
	h.get("/b") // generated after it
	if st := h.storedTagTimes(); st["s:posts"] == 0 || st["h:_path:/gone"] == 0 {
		t.Fatalf("stored tag times before: %v", st)
	}

	// 401 days after the revalidation, its time can matter to no entry
	// that may still be served: a restart (which prunes) forgets it.
	h.clock.ns.Store(revalidatedAt.Add(401 * 24 * time.Hour).UnixNano())
	h.restart()
	h.page(neverRoute("/a", s, "posts"))
	h.page(neverRoute("/b", s, "posts"))
	if mem := memoryTagNames(h.app); len(mem) != 0 {
		t.Errorf("names in memory after the prune: %q", mem)
	}
	if st := h.storedTagTimes(); len(st) != 0 {
		t.Errorf("stored tag times after the prune: %v", st)
	}
	// /b, 399 days old and generated after the forgotten time, is still
	// fresh; /a, generated before it, is past the longest an entry is
	// served (it would be a HIT if Never meant forever).
	if r := h.get("/b"); r.cache() != cacheHit {
		t.Errorf("/b: %s, want HIT", r.cache())
	}
	if r := h.get("/a"); r.cache() != cacheRevalidated {
		t.Errorf("/a: %s, want REVALIDATED", r.cache())
	}

	// The periodic prune does the same without a restart.
	if err := h.app.revalidateTag(ctx, "authors", false); err != nil {
		t.Fatal(err)
	}
	if err := h.app.revalidateTag(ctx, "recent", false); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(200 * 24 * time.Hour)
	if err := h.app.revalidateTag(ctx, "recent", false); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(201 * 24 * time.Hour)
	h.app.pruneTagTimes(ctx)
	if mem := memoryTagNames(h.app); !slices.Equal(mem, []string{"recent"}) {
		t.Errorf("names in memory after the periodic prune: %q, want [recent]", mem)
	}
	if st := h.storedTagTimes(); len(st) != 1 || st["s:recent"] == 0 {
		t.Errorf("stored tag times after the periodic prune: %v, want s:recent only", st)
	}
}

func TestTagTimeLimitRaisesTheFloor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expire bool
		want   string // how a page generated before the forgotten times is served
	}{
		{"revalidate", false, cacheStale},
		{"expire", true, cacheRevalidated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{TagTimeLimit: 100})
			s := newSource("v1")
			pages := func() {
				h.page(taggedRoute("/posts/:id", s, "posts"))
				h.page(isrRoute("/about", time.Hour, s))
			}
			pages()
			for _, p := range []string{"/posts/1", "/posts/2", "/about"} {
				h.get(p)
			}
			ctx := context.Background()
			for i := range 150 {
				h.clock.Advance(time.Millisecond)
				if err := h.app.revalidateTag(ctx, fmt.Sprintf("t%d", i), tc.expire); err != nil {
					t.Fatal(err)
				}
			}
			mem := memoryTagNames(h.app)
			if len(mem) > 100 || !slices.Contains(mem, "t149") || slices.Contains(mem, "t0") {
				t.Fatalf("%d names in memory (newest kept: %v, oldest dropped: %v), want at most 100",
					len(mem), slices.Contains(mem, "t149"), !slices.Contains(mem, "t0"))
			}
			st := h.storedTagTimes()
			stored := 0
			for name := range st {
				if strings.HasPrefix(name, softTagPrefix) && name != softTagPrefix+floorTag {
					stored++
				}
			}
			if stored > 100 || st["s:t149"] == 0 || st["s:t0"] != 0 || st[softTagPrefix+floorTag] == 0 {
				t.Fatalf("%d names in the store, floor %d, t0 %d, t149 %d; want at most 100, a floor, t149 and not t0",
					stored, st[softTagPrefix+floorTag], st["s:t0"], st["s:t149"])
			}
			if hard := st[hardTagPrefix+floorTag]; tc.expire != (hard != 0) {
				t.Fatalf("stored hard floor %d, want one only after expirations", hard)
			}

			// posts' own time was never set, but a forgotten one may have
			// covered the page: it is not served as fresh.
			if r := h.get("/posts/1"); r.cache() != tc.want {
				t.Fatalf("/posts/1 generated before the forgotten times: %s, want %s", r.cache(), tc.want)
			}
			h.waitBackground()
			if r := h.get("/posts/1"); r.cache() != cacheHit {
				t.Fatalf("/posts/1 once regenerated: %s, want HIT", r.cache())
			}
			// The floor survives a restart.
			h.restart()
			pages()
			for _, p := range []string{"/posts/2", "/about"} {
				if r := h.get(p); r.cache() != tc.want {
					t.Errorf("%s after restart: %s, want %s", p, r.cache(), tc.want)
				}
			}
			if r := h.get("/posts/1"); r.cache() != cacheHit {
				t.Errorf("/posts/1 after restart: %s, want HIT", r.cache())
			}
			if n := h.app.tags.len(); n > 100 {
				t.Errorf("%d names after restart", n)
			}
		})
	}
}

func TestRevalidateCallsStayBounded(t *testing.T) {
	h := newHarness(t, Options{RevalidateSecret: "test-secret-0123456789abcdef0123456789abcdef", TagTimeLimit: 2500})
	for call := range 5 {
		tags := make([]string, 1000)
		for i := range tags {
			tags[i] = fmt.Sprintf("call%d-tag%d-%s", call, i, strings.Repeat("x", 200))
		}
		b, _ := json.Marshal(RevalidateRequest{Tags: tags})
		h.clock.Advance(time.Second)
		if r := h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(string(b)), "Authorization", "Bearer test-secret-0123456789abcdef0123456789abcdef"); r.status != 200 {
			t.Fatalf("call %d: %d %s", call, r.status, r.body)
		}
		if n := h.app.tags.len(); n > 2500 {
			t.Fatalf("after call %d: %d names in memory, want at most 2500", call, n)
		}
		if n := len(h.storedTagTimes()); n > 2500+1 {
			t.Fatalf("after call %d: %d stored tag times, want at most 2500 and the floor", call, n)
		}
	}
	if soft, _ := h.app.tags.floor(); soft == 0 {
		t.Fatal("5,000 names with a limit of 2,500 and no floor")
	}
}

func TestTagBoundsOnRedis(t *testing.T) { eachRedis(t, testTagBoundsOnRedis) }

func testTagBoundsOnRedis(t *testing.T, kind testredis.Kind) {
	srv := kind.Start(t)
	s := newSource("v1")
	opts := Options{TagTimeLimit: 100}
	a := newRedisHarness(t, srv.URL(), opts)
	b := newRedisHarness(t, srv.URL(), opts)
	b.clock = a.clock
	b.opts.Now = a.clock.Now
	b.restart()
	for _, h := range []*harness{a, b} {
		h.page(taggedRoute("/posts/:id", s, "posts"))
	}
	a.get("/posts/1")
	a.get("/posts/2")
	if r := b.get("/posts/1"); r.cache() != cacheHit {
		t.Fatalf("B before: %s", r.cache())
	}
	ctx := context.Background()
	for i := range 150 {
		a.clock.Advance(time.Millisecond)
		if err := a.app.revalidateTag(ctx, fmt.Sprintf("t%d", i), false); err != nil {
			t.Fatal(err)
		}
	}
	// B learns of the marks, or of A's floor, through Redis and applies
	// the floor too.
	eventually(t, "B raises its floor", func() bool {
		soft, _ := b.app.tags.floor()
		return soft > 0 && b.app.tags.len() <= 100
	})
	if r := b.get("/posts/1"); r.cache() != cacheStale {
		t.Fatalf("B, page generated before the forgotten times: %s, want STALE", r.cache())
	}
	if n := len(a.storedTagTimes()); n > 100+1 {
		t.Fatalf("%d tag times in Redis, want at most 100 and the floor", n)
	}
	// A new instance starts with the floor.
	c := newRedisHarness(t, srv.URL(), Options{TagTimeLimit: 100})
	c.clock = a.clock
	c.opts.Now = a.clock.Now
	c.restart()
	c.page(taggedRoute("/posts/:id", s, "posts"))
	if r := c.get("/posts/2"); r.cache() != cacheStale {
		t.Fatalf("new instance, page generated before the forgotten times: %s, want STALE", r.cache())
	}

	// Old times leave the Redis hash. B and C stop first: a floor they
	// were still recording would come back, until the next prune.
	b.stop()
	c.stop()
	a.clock.Advance(401 * 24 * time.Hour)
	eventually(t, "no tag time left in Redis 401 days later", func() bool {
		a.app.pruneTagTimes(ctx)
		return len(a.storedTagTimes()) == 0
	})
	if n := a.app.tags.len(); n != 0 {
		t.Fatalf("%d names left in memory 401 days later", n)
	}
}

func TestTagTimesUnit(t *testing.T) {
	day := int64(24 * time.Hour)
	now := 1000 * day
	page := func(generatedAt int64, window time.Duration, tags ...string) *entry {
		return &entry{generatedAt: generatedAt, revalidate: window, expire: DefaultExpire, checkTags: append([]string{"_path:/p"}, tags...)}
	}
	t.Run("lifetime", func(t *testing.T) {
		tt := newTagTimes(10)
		for _, tc := range []struct {
			e    *entry
			want freshness
		}{
			{page(now-399*day, Never), fresh},
			{page(now-int64(maxEntryLifetime), Never), expired},
			{page(now-int64(maxEntryLifetime)+1, Never), fresh},
			{&entry{generatedAt: now - 401*day, revalidate: Never}, expired}, // data
			{page(now-int64(time.Minute), time.Hour), fresh},
		} {
			if got := tt.freshness(tc.e, now); got != tc.want {
				t.Errorf("entry %v days old, window %v: %v, want %v", float64(now-tc.e.generatedAt)/float64(day), tc.e.revalidate, got, tc.want)
			}
		}
	})
	t.Run("limit", func(t *testing.T) {
		tt := newTagTimes(10)
		for i := range 10 {
			if f := tt.mark(fmt.Sprint("t", i), int64(10+i), i == 3); f != nil {
				t.Fatalf("forgot %v within the limit", f)
			}
		}
		forgotten := tt.mark("t10", 20, false)
		// Over the limit by one: at least one, and a tenth of the limit.
		if !slices.Equal(forgotten, []string{"t0"}) || tt.len() != 10 {
			t.Fatalf("forgot %v, %d left; want [t0], 10", forgotten, tt.len())
		}
		if soft, hard := tt.floor(); soft != 10 || hard != 0 {
			t.Fatalf("floor %d %d, want 10 0", soft, hard)
		}
		for range 3 {
			tt.mark("t10", 20, false) // an existing name: nothing forgotten
		}
		forgotten = tt.mark("t11", 21, false)
		if !slices.Equal(forgotten, []string{"t1"}) {
			t.Fatalf("forgot %v, want [t1]", forgotten)
		}
		forgotten = tt.mark("t12", 22, false)
		if !slices.Equal(forgotten, []string{"t2"}) {
			t.Fatalf("forgot %v, want [t2]", forgotten)
		}
		forgotten = tt.mark("t13", 23, false) // t3 was also expired
		if soft, hard := tt.floor(); !slices.Equal(forgotten, []string{"t3"}) || soft != 13 || hard != 13 {
			t.Fatalf("forgot %v, floor %d %d; want [t3], 13 13", forgotten, soft, hard)
		}
		// The floor applies to every page and tagged data entry, not to
		// data no tag could ever revalidate.
		for _, tc := range []struct {
			e    *entry
			want freshness
		}{
			{page(12, Never), expired},
			{page(13, Never), fresh},
			{&entry{generatedAt: 12, revalidate: Never, checkTags: []string{"x"}}, expired},
			{&entry{generatedAt: 12, revalidate: Never}, fresh},
		} {
			if got := tt.freshness(tc.e, 100); got != tc.want {
				t.Errorf("entry generated at %d, tags %v: %v, want %v", tc.e.generatedAt, tc.e.checkTags, got, tc.want)
			}
		}
	})
	t.Run("load", func(t *testing.T) {
		tt := newTagTimes(3)
		gen := tt.gen.Load()
		tt.load(map[string]int64{"s:" + floorTag: 50, "h:" + floorTag: 40, "s:old": 50, "h:old": 40, "s:new": 60, "h:exp": 70, "x:junk": 99})
		if soft, hard := tt.floor(); soft != 50 || hard != 40 {
			t.Fatalf("floor %d %d, want 50 40", soft, hard)
		}
		// old adds nothing to the floor; a hard time implies a soft one.
		names := slices.Sorted(maps.Keys(tt.soft))
		if !slices.Equal(names, []string{"exp", "new"}) || tt.soft["exp"] != 70 || tt.hard["exp"] != 70 {
			t.Fatalf("names %v (soft %v, hard %v), want exp and new", names, tt.soft, tt.hard)
		}
		if tt.gen.Load() == gen {
			t.Fatal("load changed the times but not the generation")
		}
		gen = tt.gen.Load()
		tt.load(map[string]int64{"s:new": 60, "s:" + floorTag: 10})
		if tt.gen.Load() != gen {
			t.Fatal("a load that changed nothing bumped the generation")
		}
		forgotten, behind := tt.load(map[string]int64{"s:a": 80, "s:b": 81})
		if !slices.Equal(forgotten, []string{"new"}) || tt.len() != 3 || behind {
			t.Fatalf("forgot %v, %d left, floor behind %v; want [new], 3, false", forgotten, tt.len(), behind)
		}
		// A lower floor recorded over this one must be put right.
		tt = newTagTimes(10)
		tt.load(map[string]int64{"s:" + floorTag: 60, "h:" + floorTag: 40})
		for _, tc := range []struct {
			times  map[string]int64
			behind bool
		}{
			{map[string]int64{"s:z": 90}, false},
			{map[string]int64{"s:" + floorTag: 60}, false},
			{map[string]int64{"s:" + floorTag: 59}, true},
			{map[string]int64{"h:" + floorTag: 39}, true},
			{map[string]int64{"s:" + floorTag: 70, "h:" + floorTag: 40}, false},
		} {
			if _, behind := tt.load(tc.times); behind != tc.behind {
				t.Errorf("load(%v): floor behind %v, want %v", tc.times, behind, tc.behind)
			}
		}
	})
	t.Run("prune", func(t *testing.T) {
		tt := newTagTimes(2)
		tt.mark("a", 10, true)
		tt.mark("b", 20, false)
		tt.mark("c", 30, false) // forgets a: floor 10/10
		tt.mark("d", 40, true)  // forgets b: floor 20/10
		if soft, hard := tt.floor(); soft != 20 || hard != 10 {
			t.Fatalf("floor %d %d", soft, hard)
		}
		if n := tt.prune(15); n != 0 {
			t.Fatalf("pruned %d before 15", n)
		}
		if soft, hard := tt.floor(); soft != 20 || hard != 0 {
			t.Fatalf("floor after prune(15) %d %d, want 20 0", soft, hard)
		}
		if n := tt.prune(35); n != 1 || tt.len() != 1 {
			t.Fatalf("prune(35) forgot %d, left %d; want 1, 1", n, tt.len())
		}
		if soft, _ := tt.floor(); soft != 0 {
			t.Fatalf("floor after prune(35) %d, want 0", soft)
		}
	})
}

// ttlStore records the TTLs the app asks for.
type ttlStore struct {
	store.Store
	mu   sync.Mutex
	ttls map[string]time.Duration
}

func (s *ttlStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	s.ttls[key] = ttl
	s.mu.Unlock()
	return s.Store.Set(ctx, key, value, ttl)
}

func TestStoreTTLsAreCapped(t *testing.T) {
	bs, err := badgerstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bs.Close() })
	st := &ttlStore{Store: bs, ttls: map[string]time.Duration{}}
	h := newHarness(t, Options{Store: st})
	long := 500 * 24 * time.Hour
	h.page(Route{Pattern: "/long", Revalidate: long, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		read := Cache(func(ctx context.Context) (string, error) { return "x", nil }, CacheOptions{Revalidate: long, Tags: []string{"t"}})
		if _, err := read(ctx); err != nil {
			return nil, err
		}
		return templ.Raw("<p>long</p>"), nil
	}})
	h.page(neverRoute("/never", newSource("v1"), "posts"))
	h.get("/long")
	h.get("/never")
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.ttls) < 4 {
		t.Fatalf("%d entries stored, want 2 pages and 2 data", len(st.ttls))
	}
	for key, ttl := range st.ttls {
		if ttl <= 0 || ttl > maxEntryLifetime {
			t.Errorf("%q stored with TTL %v, want 0 < TTL <= %v", key, ttl, maxEntryLifetime)
		}
	}

	for _, tc := range []struct {
		revalidate, expire, want time.Duration
	}{
		{time.Hour, DefaultExpire, time.Hour + DefaultExpire},
		{Never, DefaultExpire, DefaultExpire},
		{Never, 0, maxEntryLifetime},
		{Never, Never, maxEntryLifetime},
		{long, time.Hour, maxEntryLifetime},
		{time.Hour, Never, maxEntryLifetime},
		{300 * 24 * time.Hour, 300 * 24 * time.Hour, maxEntryLifetime},
	} {
		if got := entryTTL(&entry{revalidate: tc.revalidate, expire: tc.expire}); got != tc.want {
			t.Errorf("entryTTL(revalidate %v, expire %v) = %v, want %v", tc.revalidate, tc.expire, got, tc.want)
		}
	}
}
