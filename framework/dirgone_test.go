package framework

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCacheDirRemovedWhileServing removes a real Badger cache directory
// under a running app (an operator's rm -rf), then writes enough for Badger
// to need a new file there: the store opens a new, empty cache in its place
// without a restart, revalidations answer 200 again rather than 503 until a
// restart, and what is cached from then on is kept across one.
func TestCacheDirRemovedWhileServing(t *testing.T) {
	logs := newLogBuffer()
	h := newHarness(t, Options{RevalidateSecret: "test-secret-0123456789abcdef0123456789abcdef", Logger: logs.logger()})
	pages := &bigPages{size: 4 << 10}
	h.page(pages.route())
	big := &bigPages{size: 1 << 20}
	h.e.GET("/big/:id", h.app.pageHandler(Route{Pattern: "/big/:id", Revalidate: time.Hour, Render: big.render}))
	revalidate := func() int {
		return h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(`{"paths":["/blog/1"]}`),
			"Authorization", "Bearer test-secret-0123456789abcdef0123456789abcdef", "Content-Type", "application/json").status
	}
	for i := 1; i <= 20; i++ {
		h.get("/blog/" + itoa(i))
	}
	if err := os.RemoveAll(h.dir); err != nil {
		t.Fatal(err)
	}
	// 24 MiB of pages: past the 16 MiB value log, Badger opens the next
	// one in the missing directory.
	for i := range 24 {
		if r := h.get("/big/" + itoa(i)); r.status != 200 {
			t.Fatalf("/big/%d after the removal: %d", i, r.status)
		}
	}
	waitUntil(t, "revalidation answers 200 after the cache dir was removed", func() bool {
		return revalidate() == http.StatusOK
	})
	if _, err := os.Stat(h.dir); err != nil {
		t.Fatalf("no new cache dir: %v", err)
	}
	if !strings.Contains(logs.String(), "cache dir removed while serving; started an empty cache") {
		t.Errorf("the reopening was not logged:\n%s", logs.String())
	}
	for i := 1; i <= 20; i++ {
		if r := h.get("/blog/" + itoa(i)); r.status != 200 {
			t.Fatalf("/blog/%d: %d", i, r.status)
		}
	}
	h.get("/blog/99")
	h.restart()
	h.page(pages.route())
	if r := h.get("/blog/99"); r.status != 200 || r.cache() != cacheHit {
		t.Errorf("a page cached in the new dir, after a restart: %d %s", r.status, r.cache())
	}
	if code := revalidate(); code != http.StatusOK {
		t.Errorf("revalidation after the restart: %d", code)
	}
}
