package framework

import (
	"encoding/json"
	"github.com/isr-go/framework/framework/badgerstore"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// healthOf asks h's app for its health check and decodes the answer.
func healthOf(t *testing.T, h *harness) (int, health) {
	t.Helper()
	r := h.get(HealthPath)
	var got health
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("health: %d %q: %v", r.status, r.body, err)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("health: Cache-Control %q, want no-store", cc)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("health: Content-Type %q, want application/json", ct)
	}
	return r.status, got
}

// TestHealthFollowsTheStore: the health check reports the store as the
// guard sees it, and fails only when Options.HealthRequiresStore asks.
func TestHealthFollowsTheStore(t *testing.T) {
	for _, requires := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "HealthRequiresStore"}[requires], func(t *testing.T) {
			h := newHarness(t, Options{HealthRequiresStore: requires})
			inner, err := badgerstore.Open(filepath.Join(t.TempDir(), "inner"))
			if err != nil {
				t.Fatal(err)
			}
			faulty := &faultyStore{Store: inner, hang: make(chan struct{})}
			close(faulty.hang)
			h.stop()
			h.opts.Store = faulty
			h.start()
			h.app.ownStore = true
			s := newPostSource()
			h.page(s.route())

			if status, got := healthOf(t, h); status != 200 || got != (health{Status: "ok", Build: "build-1", Store: "up"}) {
				t.Fatalf("healthy store: %d %+v", status, got)
			}
			faulty.panics.Store(true)
			h.get("/blog/1") // a miss: the store fails
			wantStatus, want := 200, health{Status: "ok", Build: "build-1", Store: "down"}
			if requires {
				wantStatus, want.Status = 503, "unavailable"
			}
			if status, got := healthOf(t, h); status != wantStatus || got != want {
				t.Fatalf("failing store: %d %+v, want %d %+v", status, got, wantStatus, want)
			}
			// Served all the same: the check says the store is down, not
			// the site.
			if r := h.get("/blog/1"); r.status != 200 {
				t.Fatalf("/blog/1 while the store fails: %d", r.status)
			}
			faulty.panics.Store(false)
			h.get("/blog/2") // the store answers again
			if status, got := healthOf(t, h); status != 200 || got.Store != "up" {
				t.Fatalf("store back: %d %+v", status, got)
			}
		})
	}
}

// TestHealthMemoryOnly: an app without a usable cache dir is healthy, even
// when the store is required: a restart would not give it one.
func TestHealthMemoryOnly(t *testing.T) {
	h := newHarness(t, Options{HealthRequiresStore: true})
	h.stop()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	h.dir = filepath.Join(file, "cache")
	h.start()
	if status, got := healthOf(t, h); status != 200 || got != (health{Status: "ok", Build: "build-1", Store: "memory-only"}) {
		t.Fatalf("memory only: %d %+v", status, got)
	}
}

// TestHealthHead: load balancers that send HEAD get the status alone.
func TestHealthHead(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(http.MethodHead, HealthPath, nil)
	if r.status != 200 || r.body != "" || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("HEAD health: %d %q %v", r.status, r.body, r.header)
	}
	if r := h.do(http.MethodPost, HealthPath, nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST health: %d, want 405", r.status)
	}
}
