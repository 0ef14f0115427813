package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/internal/testredis"
)

// TestCacheURLMustBeRedis: a --cache the server cannot open says what it
// wants, and exits 1 without touching --cache-dir.
func TestCacheURLMustBeRedis(t *testing.T) {
	routes := testRoutes(&source{}, "")
	dir := filepath.Join(t.TempDir(), "caches")
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"prerender", "--cache", "memcached://127.0.0.1:1", "--cache-dir", dir}, routes, register(routes), io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `cache "memcached://127.0.0.1:1": want a redis:// or rediss:// URL`) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("--cache-dir made for a shared cache: %v", err)
	}
}

// TestPrerenderToRedis: --cache names the Redis the pages go to, which a
// server on another cache dir then serves from.
func TestPrerenderToRedis(t *testing.T) {
	srv := testredis.Start(t)
	routes := testRoutes(&source{}, "")
	var stderr bytes.Buffer
	if code := Run(context.Background(), []string{"prerender", "--cache", srv.URL()}, routes, register(routes), io.Discard, &stderr); code != 0 {
		t.Fatalf("prerender to Redis: exit %d: %s", code, stderr.String())
	}
	if n := srv.Command("DBSIZE"); n == "0" {
		t.Fatal("prerender wrote nothing to Redis")
	}
}

// TestDevOpensNoStore: serve --dev keeps the cache in memory; --cache-dir
// is not even made.
func TestDevOpensNoStore(t *testing.T) {
	routes := testRoutes(&source{}, "")
	dir := filepath.Join(t.TempDir(), "caches")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"--dev", "--addr", addr, "--cache-dir", dir}, routes, register(routes), io.Discard, io.Discard)
	}()
	waitServing(t, "http://"+addr+"/")
	res, err := http.Get("http://" + addr + "/blog/7")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/blog/7 in dev: %d", res.StatusCode)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not shut down")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("dev made its cache dir: %v", err)
	}
}

// TestServeClosesItsStore: the Badger directory the server opened is free
// again once Run returns, and holds the page it served.
func TestServeClosesItsStore(t *testing.T) {
	routes := testRoutes(&source{}, "")
	root := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", root}, routes, register(routes), io.Discard, io.Discard)
	}()
	waitServing(t, "http://"+addr+"/")
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not shut down")
	}
	s, err := badgerstore.Open(filepath.Join(root, BuildID()))
	if err != nil {
		t.Fatalf("the store is still held after Run: %v", err)
	}
	defer s.Close()
	if v, err := s.Get(context.Background(), "p/"+BuildID()+"/"); err != nil || v == nil {
		t.Fatalf("the page served is not in the store: %v", err)
	}
}
