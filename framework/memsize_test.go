package framework

import (
	"math"
	"testing"
)

func TestMemoryCacheFor(t *testing.T) {
	const mib, gib = 1 << 20, 1 << 30
	for _, tc := range []struct {
		name                         string
		goMemLimit, cgroup, physical int64
		want                         int64
	}{
		{"512 MiB machine: an eighth", 0, 0, 512 * mib, 64 * mib},
		{"24 GiB machine: the cap", 0, 0, 24 * gib, 96 * mib},
		{"small machine: the floor", 0, 0, 128 * mib, 32 * mib},
		{"cgroup under the machine", 0, 512 * mib, 24 * gib, 64 * mib},
		{"cgroup over the machine", 0, 64 * gib, 512 * mib, 64 * mib},
		{"GOMEMLIMIT: half", 150 * mib, 512 * mib, 24 * gib, 75 * mib},
		{"GOMEMLIMIT large: the cap", 1 * gib, 0, 24 * gib, 96 * mib},
		{"GOMEMLIMIT small: the floor", 40 * mib, 0, 24 * gib, 32 * mib},
		{"GOMEMLIMIT off (MaxInt64)", math.MaxInt64, 0, 512 * mib, 64 * mib},
		{"nothing known", 0, 0, 0, 64 * mib},
	} {
		if got := memoryCacheFor(tc.goMemLimit, tc.cgroup, tc.physical); got != tc.want {
			t.Errorf("%s: %d MiB, want %d MiB", tc.name, got/mib, tc.want/mib)
		}
	}
	if n := DefaultMemoryCacheBytes(); n < minDefaultMemoryCache || n > maxDefaultMemoryCache {
		t.Errorf("DefaultMemoryCacheBytes() = %d on this machine", n)
	}
}
