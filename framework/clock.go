package framework

import (
	"context"
	"sync/atomic"
	"time"
)

// appClock is the App's clock: the machine's (or a test's, Options.Now),
// plus the offset to the store's clock when the store has one (Clock), so
// that the instances sharing a store compare generation and revalidation
// times on one clock whatever their machines' clocks say.
type appClock struct {
	injected func() time.Time // Options.Now, or nil
	// coarse is real time at a few milliseconds' resolution: the hit
	// path's clock, and the store guard's stopwatch even when a test
	// injected its own clock.
	coarse *coarseClock
	offset atomic.Int64 // the store's clock minus the local one, in nanoseconds
}

func (c *appClock) init(injected func() time.Time) {
	c.injected = injected
	c.coarse = newCoarseClock()
}

func (c *appClock) close() { c.coarse.close() }

// local is the machine's time, or the test's.
func (c *appClock) local() time.Time {
	if c.injected != nil {
		return c.injected()
	}
	return time.Now()
}

// now is the cluster's time.
func (c *appClock) now() time.Time { return c.local().Add(time.Duration(c.offset.Load())) }

// hitNanos is the cluster's time at the coarse clock's resolution, in Unix
// nanoseconds: what a cache hit compares an entry's age with.
func (c *appClock) hitNanos() int64 {
	if c.injected != nil {
		return c.injected().UnixNano() + c.offset.Load()
	}
	return c.coarse.nanos() + c.offset.Load()
}

// clockSyncInterval is how often an app measures again the offset of its
// clock to a shared store's, which drifts, or jumps when the machine's
// clock is set.
const clockSyncInterval = time.Minute

// maxClockRoundTrip is the slowest reading of the store's clock that is
// trusted: the offset is known to within half of it.
const maxClockRoundTrip = 250 * time.Millisecond

// syncClock measures the offset to the store's clock now and every
// clockSyncInterval until Close, when the store has a clock.
func (a *App) syncClock() {
	if a.store.clock == nil {
		return
	}
	a.measureClock()
	a.every(clockSyncInterval, func(context.Context) { a.measureClock() })
}

// clockReadings is how many readings of the store's clock one measurement
// takes. The offset is known to within half a reading's round trip, and
// the first reading is often the slowest by far: it pays for dialing (on a
// Redis Cluster, for loading the slot map too), mostly before the store
// reads its clock. Instances whose offsets are off by that much disagree
// on whether a page regenerated right after a revalidation is fresh.
const clockReadings = 3

// measureClock sets the clock's offset from the reading of the store's
// clock with the shortest round trip, each taken between two readings of
// the local one. A failed or slow reading keeps the last offset.
func (a *App) measureClock() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var offset, best time.Duration
	for i := range clockReadings {
		before := a.clock.local()
		store, err := a.store.Now(ctx)
		after := a.clock.local()
		if err != nil {
			return
		}
		if rtt := after.Sub(before); i == 0 || rtt < best {
			offset, best = store.Sub(before.Add(rtt/2)), rtt
		}
	}
	if best > maxClockRoundTrip {
		return
	}
	if old := time.Duration(a.clock.offset.Swap(int64(offset))); (offset - old).Abs() > time.Second {
		a.log.Warn("framework: this machine's clock is off the shared store's; using the store's", "offset", offset.Round(time.Millisecond))
	}
}

// coarseClock is the time at a few milliseconds' resolution, read with one
// atomic load: time.Now is a large part of a cache hit on some virtual
// machines, and the hit path only compares an entry's age with a window of
// seconds, so that is precise enough.
type coarseClock struct {
	now  atomic.Int64
	stop chan struct{}
}

const coarseResolution = 5 * time.Millisecond

func newCoarseClock() *coarseClock {
	c := &coarseClock{stop: make(chan struct{})}
	c.now.Store(time.Now().UnixNano())
	go func() {
		t := time.NewTicker(coarseResolution)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case now := <-t.C:
				c.now.Store(now.UnixNano())
			}
		}
	}()
	return c
}

func (c *coarseClock) nanos() int64 { return c.now.Load() }

func (c *coarseClock) close() { close(c.stop) }
