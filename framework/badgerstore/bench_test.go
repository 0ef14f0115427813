package badgerstore

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchValue is about what the blog stores for a post: a 3 KB page, its
// gzip and the headers.
var benchValue = make([]byte, 4<<10)

// openBench opens a store in a temp dir holding n pages under the keys
// p/<i>, and returns the keys in random order.
func openBench(b *testing.B, n int) (*Store, [][]byte) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("p/" + strconv.Itoa(i))
		if err := s.Set(context.Background(), string(keys[i]), benchValue, 0); err != nil {
			b.Fatal(err)
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return s, keys
}

// BenchmarkGet is the store's read of a page, as a hit that missed the
// memory tier makes it: one key, then 20,000 read at random.
func BenchmarkGet(b *testing.B) {
	for _, n := range []int{1, 20000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s, keys := openBench(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if v, err := s.GetKeyBytes(context.Background(), keys[i%n]); err != nil || len(v) != len(benchValue) {
					b.Fatal(len(v), err)
				}
				i++
			}
		})
	}
}

// BenchmarkBadgerFloor is what any read through Badger's API costs before
// the store does anything with the value: a read-only transaction, Get,
// and the value read in place, not copied, with no release of mapped pages
// (BenchmarkGet releases them, as the store does to bound its RSS). It is
// the floor of a store-tier hit: about as long as the 1.5 us a whole hit
// was meant to take, in 9 allocations.
func BenchmarkBadgerFloor(b *testing.B) {
	for _, n := range []int{1, 20000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s, keys := openBench(b, n)
			b.ReportAllocs()
			i, size := 0, 0
			for b.Loop() {
				txn := s.db.NewTransactionAt(math.MaxUint64, false)
				item, err := txn.Get(keys[i%n])
				if err == nil {
					err = item.Value(func(v []byte) error { size = len(v); return nil })
				}
				txn.Discard()
				if err != nil || size != len(benchValue) {
					b.Fatal(size, err)
				}
				i++
			}
		})
	}
}
