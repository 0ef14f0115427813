package server

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestPrerenderFailsWithoutItsStore: a prerender whose pages cannot reach
// the store (Redis not there) fails the build, naming the page and the
// store, instead of exiting 0 having stored nothing.
func TestPrerenderFailsWithoutItsStore(t *testing.T) {
	routes := testRoutes(&source{}, "")
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"prerender", "--cache", "redis://" + freeAddr(t) + "/0", "--cache-dir", t.TempDir()},
		routes, register(routes), io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "prerender /") || !strings.Contains(stderr.String(), "store") {
		t.Fatalf("prerender with Redis unreachable: exit %d, stderr:\n%s", code, stderr.String())
	}
}
