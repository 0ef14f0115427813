package server

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestServeTunesTheRuntime: serve sets the runtime's memory limit and GOGC
// from the memory tier, and leaves each alone when its environment variable
// is set (the runtime read it at start).
func TestServeTunesTheRuntime(t *testing.T) {
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	})
	const tier = 96 << 20
	tuneRuntime(func(string) string { return "" }, tier)
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GOGC %d, want %d", got, serveGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != memoryLimit(tier) || got != 192<<20 {
		t.Errorf("memory limit %d, want %d (192 MiB)", got, memoryLimit(tier))
	}

	set := map[string]string{"GOGC": "80", "GOMEMLIMIT": "1GiB"}
	tuneRuntime(func(k string) string { return set[k] }, tier)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, serve changed it to %d", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, serve changed the limit to %d", got)
	}
}
