package framework

import (
	"bufio"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// DefaultMemoryCacheBytes returns the default bound of the in-memory tier
// (Options.MemoryCacheBytes), from the machine: half the Go runtime's
// memory limit when GOMEMLIMIT sets one (the tier is most of the heap, and
// the operator has said what the heap may take), else an eighth of the
// memory the process may use (the cgroup's memory.max, else the machine's
// physical memory: the rest is the runtime's, Badger's, the page cache's
// and other processes'), within 32 MiB and 96 MiB. At 96 MiB the tier
// holds about 27,000 of the example blog's posts (a 7.4 KB page, 2.3 KB
// gzip'd, takes 3.2 KB with its entry): a site's hot pages. A
// larger tier pays off only for a hot set larger than that: for random
// reads over 100,000 posts, 48, 96 and 128 MiB served within a few per cent
// of one another, while the collector's work and the RSS grew with the
// heap (docs/benchmarks.md). It is computed once.
func DefaultMemoryCacheBytes() int64 { return defaultMemoryCache() }

var defaultMemoryCache = sync.OnceValue(func() int64 {
	limit := int64(0)
	if os.Getenv("GOMEMLIMIT") != "" {
		limit = debug.SetMemoryLimit(-1) // as the runtime parsed it
	}
	return memoryCacheFor(limit, cgroupMemoryMax(), physicalMemory())
})

// Bounds of DefaultMemoryCacheBytes.
const (
	minDefaultMemoryCache = 32 << 20
	maxDefaultMemoryCache = 96 << 20
)

// memoryCacheFor is DefaultMemoryCacheBytes for a runtime memory limit
// (GOMEMLIMIT, 0 or math.MaxInt64 for none), a cgroup memory.max (0 for
// none) and the physical memory (0 when unknown).
func memoryCacheFor(goMemLimit, cgroupMax, physical int64) int64 {
	var share int64
	switch total := physical; {
	case goMemLimit > 0 && goMemLimit < math.MaxInt64:
		share = goMemLimit / 2
	case cgroupMax > 0 && (total <= 0 || cgroupMax < total):
		share = cgroupMax / 8
	case total > 0:
		share = total / 8
	default:
		share = minDefaultMemoryCache * 2 // unknown: a modest tier
	}
	return min(max(share, minDefaultMemoryCache), maxDefaultMemoryCache)
}

// cgroupMemoryMax returns the memory limit of the process's cgroup (v2),
// or 0 when it has none or it cannot be read.
func cgroupMemoryMax() int64 {
	b, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil { // "max"
		return 0
	}
	return n
}

// physicalMemory returns the machine's memory from /proc/meminfo, or 0
// where there is none (not Linux).
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		// MemTotal:       24684544 kB
		if kb, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(kb, "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return n << 10
		}
	}
	return 0
}
