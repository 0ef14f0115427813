//go:build !linux

package badgerstore

// releaseMappedPages does nothing where /proc/self/maps does not exist.
func releaseMappedPages(dir string) {}

// residentFileBytes is 0 where /proc/self/statm does not exist: the store
// never releases.
func residentFileBytes() uint64 { return 0 }
