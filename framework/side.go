package framework

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// sideTier keeps cached 404s and redirects apart from pages, in memory only,
// least recently used first out, bounded in count and in bytes. Any URL can
// produce one (a random id, an alias of a page, up to maxPathLength long), so
// that requests for junk URLs can never push pages out of the memory tier,
// grow the store, or grow the heap past the bound.
type sideTier struct {
	mu         sync.Mutex
	limit      int   // entries
	limitBytes int64 // their cost
	bytes      int64
	order      *list.List // of *sideItem, most recently used first
	items      map[string]*list.Element
	// count is len(items), read without the lock so that a lookup in an
	// empty tier (most, on a site without 404s to cache) costs no lock.
	count atomic.Int64
}

type sideItem struct {
	path string
	e    *entry
	cost int64
}

func newSideTier(limit int, limitBytes int64) *sideTier {
	return &sideTier{limit: limit, limitBytes: limitBytes, order: list.New(), items: make(map[string]*list.Element)}
}

// sideCost is what keeping e for path costs the heap: the path is held three
// times (the key and two implicit tags), the body only when the entry does
// not share it with the route's other 404s, plus the entry's fixed overhead.
func sideCost(path string, e *entry) int64 {
	cost := 3*len(path) + len(e.location()) + 1024
	if !e.sharedBody {
		cost += len(e.body) + len(e.gzipBody)
	}
	return int64(cost)
}

func (c *sideTier) get(path string) *entry {
	if c.count.Load() == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[path]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*sideItem).e
}

func (c *sideTier) put(path string, e *entry) {
	cost := sideCost(path, e)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[path]; ok {
		c.drop(el)
	}
	if cost > c.limitBytes {
		return
	}
	c.items[path] = c.order.PushFront(&sideItem{path: path, e: e, cost: cost})
	c.bytes += cost
	c.count.Add(1)
	for c.order.Len() > c.limit || c.bytes > c.limitBytes {
		c.drop(c.order.Back())
	}
}

func (c *sideTier) remove(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[path]; ok {
		c.drop(el)
	}
}

// drop removes el; the caller holds the lock.
func (c *sideTier) drop(el *list.Element) {
	it := el.Value.(*sideItem)
	c.order.Remove(el)
	delete(c.items, it.path)
	c.bytes -= it.cost
	c.count.Add(-1)
}

// size returns the number of entries held and their cost.
func (c *sideTier) size() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}

// sideEntries returns how many 404s and redirects a holds.
func sideEntries(a *App) int {
	n, _ := a.cache.side.size()
	return n
}
