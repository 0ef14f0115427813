//go:build race

package framework

// raceEnabled: the race detector's instrumentation allocates, so counts
// of allocations mean nothing under it.
const raceEnabled = true
