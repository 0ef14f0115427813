package framework

import (
	"runtime"
	"sync"
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

// regenJob is a queued regeneration: how to render the page again.
type regenJob struct {
	page   *page
	params Params
}

// regenQueue runs background regenerations on at most workers goroutines,
// first in first out, each key queued once however many stale requests ask
// for it. Without the bound, a site whose pages all go stale together (a
// minute after a build, every post) would start one render per page at
// once.
type regenQueue struct {
	mu      sync.Mutex
	workers int
	running int
	pending map[string]regenJob
	order   []string // pending keys, oldest first
	closed  bool
}

// add queues a regeneration of key and starts a worker if one is free.
func (q *regenQueue) add(c *cache, key string, job regenJob) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, queued := q.pending[key]; queued || q.closed {
		return
	}
	if len(q.pending) >= maxQueuedRegenerations {
		c.metrics.regenerationsDropped.Add(1)
		return
	}
	if q.pending == nil {
		q.pending = make(map[string]regenJob)
	}
	q.pending[key] = job
	q.order = append(q.order, key)
	if q.running < q.workers && c.startBackground() {
		q.running++
		go q.work(c)
	}
}

// work runs queued regenerations until the queue is empty.
func (q *regenQueue) work(c *cache) {
	defer c.background.Done()
	for {
		key, job, ok := q.next()
		if !ok {
			return
		}
		c.runRegeneration(job.page, key, job.params)
	}
}

// next takes the oldest queued job, or reports false and retires the
// calling worker when there is none.
func (q *regenQueue) next() (string, regenJob, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.order) == 0 {
		q.running--
		q.order = nil // let the backing array go after a burst
		return "", regenJob{}, false
	}
	key := q.order[0]
	q.order[0] = ""
	q.order = q.order[1:]
	job := q.pending[key]
	delete(q.pending, key)
	return key, job, true
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
