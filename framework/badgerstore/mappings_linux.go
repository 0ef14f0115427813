//go:build linux

package badgerstore

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseMappedPages drops this process's page-table entries for the value
// logs of dir, which hold the pages' bodies: the bulk of what Badger maps.
// Tables (keys) and memtable logs are left alone: Badger unmaps them on its
// own goroutines (compactions, flushes) at any time, and a range released
// just after could hold other memory by then. The caller keeps the value
// logs' maps from changing meanwhile (Store.vlogMaps).
// Badger reads and writes those files through shared memory maps, so every
// page of the cache it ever touched stays counted in the server's RSS, the
// figure that container limits and operators watch, although it is the
// kernel's page cache. MADV_DONTNEED on a shared file mapping frees no data:
// the pages stay in the page cache (dirty ones are written back as usual)
// and the next access maps them again with a minor fault.
func releaseMappedPages(dir string) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	prefix := dir + string(os.PathSeparator)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 7f0c8c000000-7f0c8e000000 rw-s 00000000 08:01 1234   /path/000001.vlog
		line := sc.Text()
		i := strings.IndexByte(line, '/')
		if i < 0 || !strings.HasPrefix(line[i:], prefix) || !strings.HasSuffix(line, ".vlog") {
			continue
		}
		fields := strings.Fields(line[:i])
		if len(fields) < 2 || !strings.HasSuffix(fields[1], "s") {
			continue // only shared mappings keep their data in the page cache
		}
		start, end, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		lo, err1 := strconv.ParseUint(start, 16, 64)
		hi, err2 := strconv.ParseUint(end, 16, 64)
		if err1 != nil || err2 != nil || hi <= lo {
			continue
		}
		syscall.Syscall(syscall.SYS_MADVISE, uintptr(lo), uintptr(hi-lo), syscall.MADV_DONTNEED)
	}
}

// pageSize is the unit of /proc/self/statm.
var pageSize = uint64(os.Getpagesize())

// statm reads /proc/self/statm through a file kept open: a check is one
// pread, where opening the file each time cost an open and a close more
// (a fifth of a microsecond per read of a busy store).
type statm struct{ f *os.File }

// openStatm opens /proc/self/statm; when it cannot, every read is 0.
func openStatm() statm {
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		return statm{}
	}
	return statm{f}
}

func (s statm) close() {
	if s.f != nil {
		s.f.Close()
	}
}

// residentFileBytes returns the process's resident pages that belong to
// files or shared memory (RssFile + RssShmem), or 0 when it cannot tell.
func (s statm) residentFileBytes() uint64 {
	if s.f == nil {
		return 0
	}
	// A read at offset 0 makes the kernel generate the line afresh.
	var buf [256]byte
	n, _ := s.f.ReadAt(buf[:], 0)
	// size resident shared text lib data dt, in pages
	fields := bytes.Fields(buf[:n])
	if len(fields) < 3 {
		return 0
	}
	pages, err := strconv.ParseUint(string(fields[2]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * pageSize
}
