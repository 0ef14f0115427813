package badgerstore_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) framework.Store {
		s, err := badgerstore.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := badgerstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTagTime(ctx, "s:posts", 42); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = badgerstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Get(ctx, "k"); string(v) != "v" {
		t.Fatalf("after reopen: %q", v)
	}
	if times, _ := s.TagTimes(ctx); times["s:posts"] != 42 {
		t.Fatalf("tag times after reopen: %v", times)
	}
}

func TestOpenLockedDirFails(t *testing.T) {
	dir := t.TempDir()
	s, err := badgerstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s2, err := badgerstore.Open(dir); err == nil {
		s2.Close()
		t.Fatal("a second Open of the same directory succeeded")
	}
}

// TestVersionsGoOnAcrossReopens rewrites a key in three lives of the store,
// the first with Badger in its default mode as earlier releases opened it:
// each write must supersede the last, which in managed mode holds only if
// the store numbers versions on from the highest on disk.
func TestVersionsGoOnAcrossReopens(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 { // a few versions, as an older server's writes
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("k"), []byte("old"+strconv.Itoa(i))) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{"first", "second"} {
		s, err := badgerstore.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set(ctx, "k", []byte(value), 0); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Get(ctx, "k"); string(v) != value {
			t.Fatalf("after writing %q: read %q", value, v)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := badgerstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Get(ctx, "k"); string(v) != "second" {
		t.Fatalf("after reopening: read %q, want the last write", v)
	}
}
