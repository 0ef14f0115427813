package images

import (
	"container/list"
	"sync"
)

// memory keeps the most recently served variants, up to a number of bytes,
// so that a popular variant costs no store read.
type memory struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // of *memoryItem, most recent first
	items map[variantKey]*list.Element
}

type memoryItem struct {
	key variantKey
	v   *variant
}

func newMemory(max int64) *memory {
	return &memory{max: max, order: list.New(), items: make(map[variantKey]*list.Element)}
}

func (m *memory) get(key variantKey) *variant {
	m.mu.Lock()
	defer m.mu.Unlock()
	el := m.items[key]
	if el == nil {
		return nil
	}
	m.order.MoveToFront(el)
	return el.Value.(*memoryItem).v
}

func (m *memory) add(key variantKey, v *variant) {
	cost := itemCost(key, v)
	if cost > m.max/8 {
		return // one huge variant must not empty the tier
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el := m.items[key]; el != nil {
		m.order.MoveToFront(el)
		return
	}
	m.items[key] = m.order.PushFront(&memoryItem{key, v})
	m.size += cost
	for m.size > m.max {
		last := m.order.Back()
		it := last.Value.(*memoryItem)
		m.order.Remove(last)
		delete(m.items, it.key)
		m.size -= itemCost(it.key, it.v)
	}
}

func itemCost(key variantKey, v *variant) int64 {
	return int64(len(key.id) + len(v.etag) + len(v.body) + 128)
}
