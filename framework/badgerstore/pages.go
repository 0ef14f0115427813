package badgerstore

import "time"

// Badger reads its value log and tables through shared memory maps, and a
// read fault maps the pages around the one read too (64 KiB by default;
// about 0.5 MiB on our development machine, whose kernel maps whole large
// folios), so random reads over a large cache would soon count most of it
// in the server's RSS. The store releases those pages (releaseMappedPages) when
// the process's resident file pages have grown by releaseGrowth since the
// last release, checked every releaseCheckOps reads or writes but at most
// once a releaseCheckGap, and every releaseInterval in case something else
// (a compaction) grew them. Checking costs a read of /proc/self/statm;
// releasing, a read of /proc/self/maps and one madvise per mapped file.
// Variables for tests.
var (
	releaseGrowth   uint64 = 16 << 20
	releaseCheckOps uint64 = 64
	releaseCheckGap        = time.Millisecond
	releaseInterval        = time.Second
)

// touched counts a read or write of the mapped files, and asks for a check
// of their resident size every releaseCheckOps of them.
func (s *Store) touched() {
	if s.ops.Add(1)%releaseCheckOps == 0 {
		select {
		case s.check <- struct{}{}:
		default: // a check is pending already
		}
	}
}

// releasePages releases the mapped pages when they have grown past
// releaseGrowth, until Close.
func (s *Store) releasePages() {
	defer s.done.Done()
	stat := openStatm()
	defer stat.close()
	t := time.NewTicker(releaseInterval)
	defer t.Stop()
	base := stat.residentFileBytes()
	for {
		select {
		case <-s.stop:
			return
		case <-s.check:
		case <-t.C:
		}
		if resident := stat.residentFileBytes(); resident > base+releaseGrowth || resident < base {
			s.vlogMaps.Lock()
			releaseMappedPages(s.absDir)
			s.vlogMaps.Unlock()
			base = stat.residentFileBytes()
		}
		// A busy store asks for a check every releaseCheckOps reads, tens
		// of thousands of times a second; one a releaseCheckGap is enough
		// (a read maps at most a few hundred KiB), and while this sleeps
		// the asks cost no wake-up.
		select {
		case <-s.stop:
			return
		case <-time.After(releaseCheckGap):
		}
	}
}

// collectGarbage runs value-log GC until Close.
func (s *Store) collectGarbage() {
	defer s.done.Done()
	t := time.NewTicker(gcInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			// One call rewrites at most one file; repeat while it finds
			// work and there is room to write the live entries it moves.
			for checkSpace(s.dir) == nil && s.runValueLogGC() == nil {
			}
		}
	}
}
