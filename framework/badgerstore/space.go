package badgerstore

import (
	"fmt"
	"syscall"
	"time"
)

// checkSpace returns an error wrapping syscall.ENOSPC when the file system
// of dir has less than minFreeBytes free. Writes call it through hasSpace.
func checkSpace(dir string) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil // cannot tell: let the write say
	}
	free := st.Bavail * uint64(st.Bsize)
	if free < minFreeBytes {
		return fmt.Errorf("badgerstore: %w: %d MiB free in %s, writes need %d MiB", syscall.ENOSPC, free>>20, dir, minFreeBytes>>20)
	}
	return nil
}

// Free space is read again (checkSpace) once the store has written
// spaceCheckBytes or spaceCheckInterval has passed since the last reading
// that found enough: a statfs on every write was 2.6% of the CPU of a
// 100,000-page prerender. Between readings, writes use at most about
// spaceCheckBytes of minFreeBytes, which stays the margin. While space is
// short every write reads it again, so that writes start again as soon as
// it is back.
const (
	spaceCheckBytes    = 4 << 20
	spaceCheckInterval = time.Second
)

// hasSpace returns checkSpace's verdict for a write of about n bytes,
// reading the free space only when it is due.
func (s *Store) hasSpace(n int) error {
	if s.readOnly != nil {
		return s.readOnly
	}
	now := int64(time.Since(s.opened))
	if s.unchecked.Add(int64(n)) < spaceCheckBytes && now-s.checkedAt.Load() < int64(spaceCheckInterval) {
		return nil
	}
	if err := checkSpace(s.dir); err != nil {
		s.unchecked.Store(spaceCheckBytes) // and the next write reads again
		return err
	}
	s.unchecked.Store(0)
	s.checkedAt.Store(now)
	return nil
}
