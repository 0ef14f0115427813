package framework

import (
	"sync"
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
