package framework

import (
	"sync"
	"time"
)

// flights makes one render per key at a time: concurrent misses wait on the
// render in progress, and a stale entry starts at most one regeneration.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// A flight is one render in progress; done closes when e and err are set.
type flight struct {
	done chan struct{}
	e    *entry
	err  error
}

// join returns the flight for key, and true if the caller started it and
// must end it with land.
func (f *flights) join(key string) (*flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	if f.m == nil {
		f.m = make(map[string]*flight)
	}
	fl := &flight{done: make(chan struct{})}
	f.m[key] = fl
	return fl, true
}

// land ends the flight for key with its result and wakes its waiters.
func (f *flights) land(key string, fl *flight, e *entry, err error) {
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	fl.e, fl.err = e, err
	close(fl.done)
}

// backoff spaces out regenerations of a key that keeps failing: 2 s after
// the first failure, doubling to 30 s.
type backoff struct {
	mu    sync.Mutex
	fails map[string]retry
}

type retry struct {
	count int
	next  int64 // Unix nanoseconds before which no retry starts
}

const (
	backoffFirst = 2 * time.Second
	backoffMax   = 30 * time.Second
)

// allow reports whether key may be regenerated at now.
func (b *backoff) allow(key string, now int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.fails[key]
	return !ok || now >= r.next
}

// fail records a failed regeneration of key at now and returns the delay
// before the next attempt.
func (b *backoff) fail(key string, now int64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fails == nil {
		b.fails = make(map[string]retry)
	}
	r := b.fails[key]
	delay := backoffFirst << min(r.count, 5)
	delay = min(delay, backoffMax)
	b.fails[key] = retry{count: r.count + 1, next: now + int64(delay)}
	return delay
}

// pause holds off regenerations of key until until, without counting a
// failure: another instance is regenerating it.
func (b *backoff) pause(key string, until int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fails == nil {
		b.fails = make(map[string]retry)
	}
	r := b.fails[key]
	r.next = max(r.next, until)
	b.fails[key] = r
}

// succeed forgets key's failures.
func (b *backoff) succeed(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.fails, key)
}
