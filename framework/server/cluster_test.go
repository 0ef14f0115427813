package server

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/isr-go/framework/framework/internal/testredis"
)

// TestServeOnRedisCluster: two servers given a Redis Cluster's URL with
// --cache (several nodes, in go-redis's form) share one cache: what one
// renders, the other serves as a HIT.
func TestServeOnRedisCluster(t *testing.T) {
	cluster := testredis.StartCluster(t)
	a, _ := serveArgs(t, "--cache", cluster.URL(), "--cache-dir", t.TempDir())
	b, _ := serveArgs(t, "--cache", cluster.URL(), "--cache-dir", t.TempDir())
	get := func(addr, path string) string {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET %s on %s: %d", path, addr, res.StatusCode)
		}
		return res.Header.Get("X-Framework-Cache")
	}
	for i := range 6 { // keys on every master
		path := fmt.Sprintf("/search/%d", i)
		if got := get(a, path); got != "MISS" {
			t.Fatalf("first GET %s: %s, want MISS", path, got)
		}
		if got := get(b, path); got != "HIT" {
			t.Fatalf("GET %s on the other server: %s, want HIT from the cluster", path, got)
		}
	}
}
