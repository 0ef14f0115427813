package framework

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// maxQueuedRegenerations bounds the regenerations waiting for a worker. Past
// it a stale page is not queued; its next request asks again. When every
// page of a large site goes stale at once, the queue holds this many and
// memory stays flat.
const maxQueuedRegenerations = 10_000

// defaultRegenerationWorkers is Options.RegenerationWorkers's default: a
// render is mostly CPU, and a few more than the cores keep them busy while
// some renders wait on data.
func defaultRegenerationWorkers() int { return 2 * runtime.GOMAXPROCS(0) }

// regenQueue runs background regenerations on at most workers goroutines,
// first in first out, each key queued once however many stale requests ask
// for it. Without the bound, a site whose pages all go stale together (a
// minute after a build, every post) would start one render per page at
// once.
type regenQueue struct {
	workers int
	// start counts a new worker as background work, or reports false when
	// none may start (closing); done ends what start counted.
	start   func() bool
	done    func()
	dropped *atomic.Uint64 // regenerations not queued: the queue was full

	mu      sync.Mutex
	running int
	pending map[string]func()
	order   []string // pending keys, oldest first
	closed  bool
}

// add queues run, the regeneration of key, and starts a worker if one is
// free.
func (q *regenQueue) add(key string, run func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, queued := q.pending[key]; queued || q.closed {
		return
	}
	if len(q.pending) >= maxQueuedRegenerations {
		q.dropped.Add(1)
		return
	}
	if q.pending == nil {
		q.pending = make(map[string]func())
	}
	q.pending[key] = run
	q.order = append(q.order, key)
	if q.running < q.workers && q.start() {
		q.running++
		go q.work()
	}
}

// work runs queued regenerations until the queue is empty.
func (q *regenQueue) work() {
	defer q.done()
	for {
		run, ok := q.next()
		if !ok {
			return
		}
		run()
	}
}

// next takes the oldest queued job, or reports false and retires the
// calling worker when there is none.
func (q *regenQueue) next() (func(), bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.order) == 0 {
		q.running--
		q.order = nil // let the backing array go after a burst
		return nil, false
	}
	key := q.order[0]
	q.order[0] = ""
	q.order = q.order[1:]
	run := q.pending[key]
	delete(q.pending, key)
	return run, true
}

// len returns the number of queued regenerations.
func (q *regenQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// close drops the queued regenerations (their pages stay stale, to be
// regenerated after the restart) and refuses new ones; those running
// finish.
func (q *regenQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.pending = nil
	q.order = nil
}
