//go:build !linux

package badgerstore

// releaseMappedPages does nothing where /proc/self/maps does not exist.
func releaseMappedPages(dir string) {}
