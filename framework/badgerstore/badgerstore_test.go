package badgerstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/store"
	"github.com/isr-go/framework/framework/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
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

// TestCloseAfterTheDirIsRemoved: an operator (or a cleanup job) deletes the
// cache directory under a running server; its shutdown still ends, at once,
// rather than in Badger's endless retries to write its memtable there.
func TestCloseAfterTheDirIsRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	s, err := badgerstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := s.Set(context.Background(), "k"+strconv.Itoa(i), make([]byte, 3000), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "removed") {
			t.Fatalf("Close = %v, want an error saying the dir was removed", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close still running after 30 s")
	}
}
