package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/internal/testredis"
)

// BenchmarkStore compares one Redis with a Redis Cluster on the calls a
// request makes: reading a page entry (a HIT from the store), writing one,
// and taking and releasing a regeneration lock.
//
//	go test -run '^$' -bench Store -benchtime 2000x ./framework/redisstore/
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	page := make([]byte, 16<<10)
	for _, kind := range testredis.Kinds {
		srv := kind.Start(b)
		s := open(b, srv.URL())
		keys := make([]string, 64)
		for i := range keys {
			keys[i] = fmt.Sprintf("p/b1/posts/%d", i)
			if err := s.Set(ctx, keys[i], page, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(kind.Name+"/Get", func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for i := 0; b.Loop(); i++ {
				if v, err := s.Get(ctx, keys[i%len(keys)]); err != nil || len(v) != len(page) {
					b.Fatal(len(v), err)
				}
			}
		})
		b.Run(kind.Name+"/Set", func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for i := 0; b.Loop(); i++ {
				if err := s.Set(ctx, keys[i%len(keys)], page, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(kind.Name+"/Lock", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				unlock, ok, err := s.TryLock(ctx, keys[i%len(keys)], time.Minute)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
				unlock()
			}
		})
		s.Close()
	}
}
