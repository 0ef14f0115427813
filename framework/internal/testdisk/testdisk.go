// Package testdisk gives tests a small disk of their own to fill: a tmpfs
// mounted on a temporary directory, unmounted when the test ends.
package testdisk

import (
	"os"
	"os/exec"
	"testing"
)

// Mount mounts a tmpfs of size (as mount's -o size=, "96m") on a new
// temporary directory and returns it. It needs root: without it, or when
// the mount fails, the test is skipped, or fails under CI (CI=true), which
// must run it.
func Mount(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("a full-disk test needs root to mount a tmpfs")
		}
		t.Skip("SKIPPED: a full-disk test mounts a tmpfs and needs root (CI runs it)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount tmpfs: %v %s", err, out)
		}
		t.Skipf("SKIPPED: cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}
