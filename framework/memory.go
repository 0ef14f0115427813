package framework

import (
	"hash/maphash"
	"sync"
)

// memoryTier is the hot tier in front of the store: entries by path, bounded
// in bytes, evicted with CLOCK (second chance), pages gzip'd (plain.go). A hit takes a read lock on
// one of 16 shards and sets one flag: no list to reorder, no allocation. We
// measured Ristretto (which comes with Badger) at three times the cost of
// this on the hit path, and its asynchronous admission made a page just
// written invisible for a moment.
type memoryTier struct {
	seed   maphash.Seed
	shards [memoryShards]memoryShard
}

const memoryShards = 16

type memoryShard struct {
	mu    sync.RWMutex
	limit int64
	bytes int64
	items map[string]*memoryItem
	ring  clockRing[*memoryItem]

	// The plain share (plain.go): decompressed copies of entries held
	// gzip'd, bounded by plainLimit apart from limit.
	plainLimit int64
	plainBytes int64
	plainRing  clockRing[*plainCopy]
}

type memoryItem struct {
	key  string
	e    *entry
	cost int64
	mark clockMark
}

func (it *memoryItem) clock() *clockMark { return &it.mark }

func newMemoryTier(limit int64) *memoryTier {
	m := &memoryTier{seed: maphash.MakeSeed()}
	plain := limit / plainShare
	for i := range m.shards {
		m.shards[i].limit = max((limit-plain)/memoryShards, 1)
		m.shards[i].plainLimit = plain / memoryShards
		m.shards[i].items = make(map[string]*memoryItem)
	}
	return m
}

func (m *memoryTier) shard(key string) *memoryShard {
	return &m.shards[maphash.String(m.seed, key)%memoryShards]
}

// get returns the entry of key, or nil.
func (m *memoryTier) get(key string) *entry {
	s := m.shard(key)
	s.mu.RLock()
	it := s.items[key]
	var e *entry
	if it != nil {
		e = it.e
		it.mark.touch()
	}
	s.mu.RUnlock()
	return e
}

// set stores e under key, evicting entries not used since the clock hand
// last passed them until the shard fits its share of the limit, and reports
// whether it kept e. An entry larger than that share is not kept, and
// replaces nothing but an older entry of key; telling so takes a read lock
// only.
func (m *memoryTier) set(key string, e *entry) bool {
	_, kept := m.put(key, e, false)
	return kept
}

// share is set for an entry read from the store. When the tier holds the
// same version of key already (the same generation time and ETag), read by
// a concurrent request, it keeps that one and returns it: concurrent reads
// of one stored page then share one entry, and what one request learns
// about it (its holes' components) the others see. It returns the entry
// held, or nil when e is too large to keep.
func (m *memoryTier) share(key string, e *entry) *entry {
	held, kept := m.put(key, e, true)
	if !kept {
		return nil
	}
	return held
}

func (m *memoryTier) put(key string, e *entry, share bool) (*entry, bool) {
	s := m.shard(key)
	cost := e.cost()
	if cost > s.limit { // the limit never changes
		s.mu.RLock()
		_, ok := s.items[key]
		s.mu.RUnlock()
		if ok {
			m.del(key)
		}
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.items[key]; ok {
		if share && it.e.generatedAt == e.generatedAt && it.e.etag() == e.etag() {
			it.mark.used.Store(true)
			return it.e, true
		}
		s.remove(it)
	}
	it := &memoryItem{key: key, e: e, cost: cost}
	s.items[key] = it
	s.ring.add(it)
	s.bytes += cost
	for s.bytes > s.limit {
		s.remove(s.ring.victim(it))
	}
	return e, true
}

// del removes key.
func (m *memoryTier) del(key string) {
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.items[key]; ok {
		s.remove(it)
	}
}

// remove takes it out of the shard; the caller holds the lock.
func (s *memoryShard) remove(it *memoryItem) {
	s.ring.remove(it)
	delete(s.items, it.key)
	s.bytes -= it.cost
	if c := it.e.plain.Load(); c != nil && c.key == it.key {
		s.removePlain(c)
	}
}

// each calls f with every entry held. f may use the tier.
func (m *memoryTier) each(f func(key string, e *entry)) {
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		items := make([]*memoryItem, len(s.ring.items))
		copy(items, s.ring.items)
		s.mu.RUnlock()
		for _, it := range items {
			f(it.key, it.e)
		}
	}
}

// size returns the number of entries held and their cost in bytes, their
// plain copies' included.
func (m *memoryTier) size() (entries int, bytes int64) {
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		entries += len(s.items)
		bytes += s.bytes + s.plainBytes
		s.mu.RUnlock()
	}
	return entries, bytes
}
