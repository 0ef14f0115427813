//go:build !linux

package badgerstore

// releaseMappedPages does nothing where /proc/self/maps does not exist.
func releaseMappedPages(dir string) {}

// statm reads nothing where /proc/self/statm does not exist: the store
// never releases.
type statm struct{}

func openStatm() statm { return statm{} }

func (statm) close() {}

func (statm) residentFileBytes() uint64 { return 0 }
