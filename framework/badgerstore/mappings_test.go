//go:build linux

package badgerstore

import (
	"bufio"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// residentKiB sums the Rss of this process's mappings of files in dir, from
// /proc/self/smaps.
func residentKiB(t *testing.T, dir string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps")
	}
	defer f.Close()
	total, inDir := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			// A mapping's first line; anonymous ones have no path.
			inDir = len(fields) >= 6 && strings.HasPrefix(fields[5], dir+"/")
		case len(fields) >= 2 && fields[0] == "Rss:" && inDir:
			n, _ := strconv.Atoi(fields[1])
			total += n
		}
	}
	return total
}

// TestReleaseMappedPages writes and reads 8 MB through Badger, whose value
// log is a shared memory map, and checks that releasing drops those pages
// from the process's resident set while every value still reads back.
func TestReleaseMappedPages(t *testing.T) {
	dir, _ := filepath.Abs(t.TempDir())
	defer func(d time.Duration, g uint64) { releaseInterval, releaseGrowth = d, g }(releaseInterval, releaseGrowth)
	releaseInterval, releaseGrowth = time.Hour, 1<<62 // only the release below
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	values := map[string][]byte{}
	for i := range 1000 {
		v := make([]byte, 8<<10)
		rand.Read(v)
		key := "k" + strconv.Itoa(i)
		values[key] = v
		if err := s.Set(ctx, key, v, 0); err != nil {
			t.Fatal(err)
		}
	}
	for key := range values {
		s.Get(ctx, key)
	}
	before := residentKiB(t, dir)
	releaseMappedPages(dir)
	after := residentKiB(t, dir)
	t.Logf("resident pages of the cache's files: %d KiB before, %d KiB after", before, after)
	if before < 4<<10 || after > before/4 {
		t.Fatalf("resident %d KiB before release, %d KiB after: want most of it released", before, after)
	}
	for key, want := range values {
		got, err := s.Get(ctx, key)
		if err != nil || string(got) != string(want) {
			t.Fatalf("%s after release: %d bytes, %v", key, len(got), err)
		}
	}
}

// TestRandomReadsKeepMappedPagesBounded reads 16 MB of values at random
// through Badger, twice, and checks that the store releases the resident
// pages of its files as they grow: a read fault maps the pages around the
// value too, so without releases they grow to the whole value log and stay.
// How high they get between two releases depends on how fast the release
// goroutine gets a core, so the test logs the peak and asserts that reading
// on brings them back under a bound.
func TestRandomReadsKeepMappedPagesBounded(t *testing.T) {
	dir, _ := filepath.Abs(t.TempDir())
	defer func(d time.Duration, g, c uint64) {
		releaseInterval, releaseGrowth, releaseCheckOps = d, g, c
	}(releaseInterval, releaseGrowth, releaseCheckOps)
	releaseInterval, releaseGrowth, releaseCheckOps = time.Hour, 2<<20, 8
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const n = 2000
	for i := range n {
		v := make([]byte, 8<<10)
		rand.Read(v)
		if err := s.Set(ctx, "k"+strconv.Itoa(i), v, 0); err != nil {
			t.Fatal(err)
		}
	}
	read := func(i int) {
		key := "k" + strconv.Itoa(int(uint(i)*7919%n))
		if v, err := s.Get(ctx, key); err != nil || len(v) != 8<<10 {
			t.Fatalf("%s: %d bytes, %v", key, len(v), err)
		}
	}
	peak := 0
	for i := range 2 * n {
		read(i)
		if i%100 == 0 {
			peak = max(peak, residentKiB(t, dir))
		}
	}
	t.Logf("peak resident pages of the cache's files while reading %d MiB: %d KiB", 2*n*8>>10, peak)
	// releaseGrowth plus what a few reads map (64 KiB to 1 MiB each); the
	// value log is 16 MiB.
	const limit = 6 << 10
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; residentKiB(t, dir) > limit; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("resident pages of the cache's files stay at %d KiB, want them released to at most %d KiB", residentKiB(t, dir), limit)
		}
		read(i)
		runtime.Gosched()
	}
}
