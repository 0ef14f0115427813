package badgerstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/internal/testdisk"
)

// TestOpenOnAFullDisk restarts a store on a disk that filled while it was
// stopped: the pages it holds are still read (it opens read-only), writes
// are refused with ENOSPC rather than faulting on a mapped file, and a
// directory without a database is refused as before.
func TestOpenOnAFullDisk(t *testing.T) {
	mnt := testdisk.Mount(t, "96m")
	ctx := context.Background()
	dir := filepath.Join(mnt, "cache")

	s, err := badgerstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	page := make([]byte, 4<<10)
	for i := range 100 {
		if err := s.Set(ctx, "p/"+strconv.Itoa(i), page, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Leave less than the store needs to write.
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	if err := os.WriteFile(filepath.Join(mnt, "filler"), make([]byte, free-(8<<20)), 0o644); err != nil {
		t.Fatal(err)
	}

	if _, err := badgerstore.Open(filepath.Join(mnt, "empty")); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("a new store on a full disk: %v, want ENOSPC", err)
	}
	s, err = badgerstore.Open(dir)
	if err != nil {
		t.Fatalf("a store with pages on a full disk: %v", err)
	}
	for i := range 100 {
		if v, err := s.Get(ctx, "p/"+strconv.Itoa(i)); err != nil || len(v) != len(page) {
			t.Fatalf("p/%d on a full disk: %d bytes, %v", i, len(v), err)
		}
	}
	if err := s.Set(ctx, "p/new", page, 0); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("a write on a full disk: %v, want ENOSPC", err)
	}
	if err := s.DeleteTagTimes(ctx, []string{"posts"}); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("deleting tag times on a full disk: %v, want ENOSPC", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
