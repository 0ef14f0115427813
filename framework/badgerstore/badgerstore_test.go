package badgerstore_test

import (
	"context"
	"testing"

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
