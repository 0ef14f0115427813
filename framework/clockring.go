package framework

import "sync/atomic"

// A clockRing is the CLOCK (second chance) order of a memory shard's items:
// the hand sweeps the ring, passing over the items used since it last
// passed them (clearing their mark) and stopping at the first that was
// not, the one to evict. Removing an item moves the last one into its slot,
// so that the ring needs no list to reorder. The caller holds the shard's
// lock.
type clockRing[T clockItem] struct {
	items []T
	hand  int
}

// A clockItem knows its index in its ring and whether it was used since
// the hand last passed it.
type clockItem interface {
	comparable
	clock() *clockMark
}

// A clockMark is what a clockRing keeps in each of its items.
type clockMark struct {
	slot int // index in the ring
	used atomic.Bool
}

// touch marks the item used, writing only when it was not: a hit on a hot
// item then reads the flag and leaves its cache line shared.
func (c *clockMark) touch() {
	if !c.used.Load() {
		c.used.Store(true)
	}
}

func (r *clockRing[T]) add(it T) {
	it.clock().slot = len(r.items)
	r.items = append(r.items, it)
}

func (r *clockRing[T]) remove(it T) {
	slot := it.clock().slot
	last := r.items[len(r.items)-1]
	r.items[slot] = last
	last.clock().slot = slot
	var zero T
	r.items[len(r.items)-1] = zero
	r.items = r.items[:len(r.items)-1]
}

// victim returns the item to evict: the first the hand finds unused since
// it last passed, other than keep (the item just added). The ring must hold
// an item other than keep.
func (r *clockRing[T]) victim(keep T) T {
	for {
		r.hand %= len(r.items)
		it := r.items[r.hand]
		if it == keep || it.clock().used.Swap(false) {
			r.hand++
			continue
		}
		return it
	}
}
