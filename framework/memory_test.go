package framework

import (
	"strconv"
	"testing"
	"time"
)

func memEntry(size int) *entry {
	return &entry{body: make([]byte, size), revalidate: time.Minute}
}

func TestMemoryTierBoundsBytes(t *testing.T) {
	m := newMemoryTier(16 * 10 * 1536) // about ten 1 KiB entries per shard
	for i := range 1000 {
		m.set("/p/"+strconv.Itoa(i), memEntry(1024))
	}
	for i := range m.shards {
		s := &m.shards[i]
		if s.bytes > s.limit {
			t.Fatalf("shard %d holds %d bytes, limit %d", i, s.bytes, s.limit)
		}
		if len(s.ring) != len(s.items) {
			t.Fatalf("shard %d: ring %d, items %d", i, len(s.ring), len(s.items))
		}
	}
	if n, _ := m.size(); n == 0 || n > 16*10 {
		t.Fatalf("%d entries kept", n)
	}
}

func TestMemoryTierKeepsUsedEntries(t *testing.T) {
	m := newMemoryTier(16 * 40 * 1536) // room for 40 entries a shard
	hot := make([]string, 50)
	for i := range hot {
		hot[i] = "/hot/" + strconv.Itoa(i)
		m.set(hot[i], memEntry(1024))
	}
	for round := range 20 {
		for _, k := range hot {
			if m.get(k) == nil {
				t.Fatalf("round %d: hot entry %s evicted", round, k)
			}
		}
		for i := range 50 {
			m.set("/cold/"+strconv.Itoa(round*50+i), memEntry(1024))
		}
	}
}

func TestMemoryTierReplaceAndDelete(t *testing.T) {
	m := newMemoryTier(1 << 20)
	a, b := memEntry(10), memEntry(20)
	m.set("/k", a)
	m.set("/k", b)
	if n, bytes := m.size(); m.get("/k") != b || n != 1 || bytes != b.cost() {
		t.Fatalf("after replacing: %d entries of %d bytes, want 1 of %d", n, bytes, b.cost())
	}
	m.del("/k")
	if n, bytes := m.size(); m.get("/k") != nil || n != 0 || bytes != 0 {
		t.Fatalf("after delete: %d entries of %d bytes", n, bytes)
	}
	m.set("/big", memEntry(1<<20))
	if m.get("/big") != nil {
		t.Fatal("an entry larger than a shard was kept")
	}
}
