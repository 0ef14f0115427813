package framework

import (
	"sync"
	"time"
)

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
