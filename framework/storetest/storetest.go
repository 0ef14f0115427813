// Package storetest is the conformance suite of store.Store: every store
// implementation runs it from its own tests, so that all stores behave alike.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/store"
)

// Run tests the store that open returns, one subtest per part of the
// contract, each a function of its own, so that one runs alone
// (go test -run 'TestConformance/GetKeyBytes'). open is called once per
// subtest and must return an empty store; Run closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			tc.test(t, s)
		})
	}
}

// tests are the subtests of Run, in order.
var tests = []struct {
	name string
	test func(t *testing.T, s store.Store)
}{
	{"GetMissing", testGetMissing},
	{"SetGetOverwrite", testSetGetOverwrite},
	{"KeysAreDistinct", testKeysAreDistinct},
	{"ReturnedValueIsACopy", testReturnedValueIsACopy},
	{"GetKeyBytes", testGetKeyBytes},
	{"Delete", testDelete},
	{"TTL", testTTL},
	{"TagTimes", testTagTimes},
	{"DeleteTagTimes", testDeleteTagTimes},
	{"Concurrent", testConcurrent},
	{"TooLarge", testTooLarge},
}

// testGetMissing: a missing key reads as nil, without an error.
func testGetMissing(t *testing.T, s store.Store) {
	ctx := context.Background()
	v, err := s.Get(ctx, "nope")
	if v != nil || err != nil {
		t.Fatalf("Get of a missing key = %q, %v; want nil, nil", v, err)
	}
}

// testSetGetOverwrite: a value reads back as set, small or large, and a second Set replaces it.
func testSetGetOverwrite(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, v := range [][]byte{[]byte("one"), bytes.Repeat([]byte("x"), 64<<10), {0, 1, 2}} {
		if err := s.Set(ctx, "k", v, 0); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "k")
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("Get after Set of %d bytes = %d bytes, %v", len(v), len(got), err)
		}
	}
}

// testKeysAreDistinct: keys that share prefixes, or hold spaces and non-ASCII, do not collide.
func testKeysAreDistinct(t *testing.T, s store.Store) {
	ctx := context.Background()
	keys := []string{"p/b1/blog", "p/b1/blog/1", "p/b2/blog", "d/b1/x", "/", "with space", "ünï"}
	for i, k := range keys {
		if err := s.Set(ctx, k, []byte(fmt.Sprint(i)), 0); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range keys {
		if got, _ := s.Get(ctx, k); string(got) != fmt.Sprint(i) {
			t.Errorf("Get(%q) = %q, want %d", k, got, i)
		}
	}
}

// testReturnedValueIsACopy: neither the slice passed to Set nor the one Get returns aliases the stored value.
func testReturnedValueIsACopy(t *testing.T, s store.Store) {
	ctx := context.Background()
	v := []byte("value")
	if err := s.Set(ctx, "k", v, 0); err != nil {
		t.Fatal(err)
	}
	v[0] = 'X'
	got, _ := s.Get(ctx, "k")
	got[1] = 'Y'
	again, _ := s.Get(ctx, "k")
	if string(again) != "value" {
		t.Fatalf("stored value changed through a slice: %q", again)
	}
}

// testGetKeyBytes: a KeyBytesGetter reads as Get does, and keeps nothing of the key it is given.
func testGetKeyBytes(t *testing.T, s store.Store) {
	ctx := context.Background()
	g, ok := s.(store.KeyBytesGetter)
	if !ok {
		t.Skip("not a KeyBytesGetter")
	}
	for _, k := range []string{"p/b1/blog", "p/b1/blog/1"} {
		if err := s.Set(ctx, k, []byte(k), 0); err != nil {
			t.Fatal(err)
		}
	}
	key := []byte("p/b1/blog")
	got, err := g.GetKeyBytes(ctx, key)
	if err != nil || string(got) != "p/b1/blog" {
		t.Fatalf("GetKeyBytes(%q) = %q, %v", key, got, err)
	}
	// The caller reuses its buffer: the value must not change.
	key = append(key[:0], "p/b1/blog/1"...)
	if again, err := g.GetKeyBytes(ctx, key); err != nil || string(again) != "p/b1/blog/1" || string(got) != "p/b1/blog" {
		t.Fatalf("GetKeyBytes(%q) = %q, %v; first value now %q", key, again, err, got)
	}
	got[0] = 'X'
	if again, _ := s.Get(ctx, "p/b1/blog"); string(again) != "p/b1/blog" {
		t.Fatalf("stored value changed through a slice: %q", again)
	}
	if v, err := g.GetKeyBytes(ctx, []byte("nope")); v != nil || err != nil {
		t.Fatalf("GetKeyBytes of a missing key = %q, %v; want nil, nil", v, err)
	}
}

// testDelete: a deleted key reads as missing; deleting a missing key is not an error.
func testDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "k"); v != nil || err != nil {
		t.Fatalf("Get after Delete = %q, %v", v, err)
	}
	if err := s.Delete(ctx, "never-set"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

// testTTL: an entry expires after its TTL, and not before.
func testTTL(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.Set(ctx, "short", []byte("v"), time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "long", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(ctx, "short"); v == nil {
		t.Fatal("entry gone before its TTL")
	}
	// Stores count TTLs in whole seconds; wait for the expiry.
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := s.Get(ctx, "short")
		if err != nil {
			t.Fatal(err)
		}
		if v == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("entry still there 5 s after a 1 s TTL")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v, _ := s.Get(ctx, "long"); v == nil {
		t.Fatal("entry with a long TTL expired")
	}
}

// testTagTimes: tag times read back as last set, apart from cache entries.
func testTagTimes(t *testing.T, s store.Store) {
	ctx := context.Background()
	times, err := s.TagTimes(ctx)
	if err != nil || len(times) != 0 {
		t.Fatalf("TagTimes of an empty store = %v, %v", times, err)
	}
	want := map[string]int64{"s:posts": 100, "h:posts": 50, "s:_path:/blog": 7}
	for tag, at := range want {
		if err := s.SetTagTime(ctx, tag, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetTagTime(ctx, "s:posts", 200); err != nil {
		t.Fatal(err)
	}
	want["s:posts"] = 200
	// Tag times are not cache keys.
	if err := s.Set(ctx, "posts", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	got, err := s.TagTimes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("TagTimes = %v, want %v", got, want)
	}
}

// testDeleteTagTimes: deleted tag times are gone, others and cache entries stay, and many go at once.
func testDeleteTagTimes(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.DeleteTagTimes(ctx, nil); err != nil {
		t.Fatalf("DeleteTagTimes of nothing: %v", err)
	}
	all := map[string]int64{"s:posts": 100, "h:posts": 50, "s:authors": 7, "s:_path:/blog": 9, "s:\x00all": 3}
	for tag, at := range all {
		if err := s.SetTagTime(ctx, tag, at); err != nil {
			t.Fatal(err)
		}
	}
	// Read once first: a store that caches tag times must notice
	// the deletion.
	if got, err := s.TagTimes(ctx); err != nil || len(got) != len(all) {
		t.Fatalf("TagTimes = %v, %v; want %v", got, err, all)
	}
	if err := s.DeleteTagTimes(ctx, []string{"s:posts", "h:posts", "s:\x00all", "s:never-set"}); err != nil {
		t.Fatal(err)
	}
	// A cache entry named like a tag time is not one.
	if err := s.Set(ctx, "s:authors", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTagTimes(ctx, []string{"s:authors-not"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"s:authors": 7, "s:_path:/blog": 9}
	got, err := s.TagTimes(ctx)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("TagTimes after DeleteTagTimes = %v, %v; want %v", got, err, want)
	}
	if v, _ := s.Get(ctx, "s:authors"); string(v) != "v" {
		t.Fatalf("DeleteTagTimes touched a cache entry: %q", v)
	}
	// A deleted tag can be recorded again.
	if err := s.SetTagTime(ctx, "s:posts", 300); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.TagTimes(ctx); got["s:posts"] != 300 {
		t.Fatalf("tag time recorded after its deletion: %v", got)
	}
	// Many at once (stores batch them).
	many := make([]string, 5000)
	for i := range many {
		many[i] = fmt.Sprintf("s:tag-%d-%s", i, bytes.Repeat([]byte("x"), 200))
		if err := s.SetTagTime(ctx, many[i], int64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteTagTimes(ctx, many); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.TagTimes(ctx); len(got) != 3 {
		t.Fatalf("after deleting 5,000 tag times, %d remain, want 3", len(got))
	}
}

// testConcurrent: concurrent Sets and Gets of the same keys neither fail nor hang.
func testConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				k := fmt.Sprintf("k%d", i%10)
				if err := s.Set(ctx, k, []byte(fmt.Sprintf("%d-%d", w, i)), 0); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Get(ctx, k); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute): // a store that hangs fails, not the whole run
		t.Fatal("concurrent Sets and Gets still running after a minute")
	}
}

// tooLargeMarker is in the value testTooLarge writes, and must be in no
// error the store returns.
const tooLargeMarker = "PRIVATE-VALUE-MARKER"

// testTooLarge: a value of 17 MiB (over Badger's largest, 16 MiB) is
// either stored and read back whole, or refused with a *store.TooLargeError
// wrapping store.ErrTooLarge whose text names the sizes and not the value;
// a refused Set leaves the key as it was, and the store takes the next
// write.
func testTooLarge(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("before"), 0); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte(tooLargeMarker+" "), (17<<20)/(len(tooLargeMarker)+1)+1)
	err := s.Set(ctx, "k", big, 0)
	if err == nil {
		got, err := s.Get(ctx, "k")
		if err != nil || !bytes.Equal(got, big) {
			t.Fatalf("Get after a Set of %d bytes = %d bytes, %v", len(big), len(got), err)
		}
		return
	}
	var tooLarge *store.TooLargeError
	if !errors.Is(err, store.ErrTooLarge) || !errors.As(err, &tooLarge) {
		t.Fatalf("Set of %d bytes: %.200q; want a *store.TooLargeError", len(big), err)
	}
	if strings.Contains(err.Error(), tooLargeMarker) {
		t.Fatalf("the error of a refused Set quotes the value: %.300q", err)
	}
	if tooLarge.Key != "k" || tooLarge.Size != int64(len(big)) || tooLarge.Limit <= 0 || tooLarge.Limit >= tooLarge.Size {
		t.Fatalf("refused Set: %+v; want key k, size %d and a limit below it", *tooLarge, len(big))
	}
	if got, err := s.Get(ctx, "k"); err != nil || string(got) != "before" {
		t.Fatalf("after a refused Set, Get = %.40q, %v; want the value before", got, err)
	}
	if err := s.Set(ctx, "k2", []byte("after"), 0); err != nil {
		t.Fatalf("a Set after a refused one: %v", err)
	}
	if got, err := s.Get(ctx, "k2"); err != nil || string(got) != "after" {
		t.Fatalf("Get after a refused Set = %q, %v", got, err)
	}
}
