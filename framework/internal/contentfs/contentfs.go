// Package contentfs holds where package content reads collections from:
// the content/ folder embedded in the binary (routes_gen.go hands it over
// through runtime.Content), or a folder on disk (the server's
// --content-dir), which wins.
package contentfs

import (
	"io/fs"
	"sync"
)

var (
	mu     sync.RWMutex
	source fs.FS
	label  string // the source's name in messages: "content", or the folder
	disk   bool
)

// SetEmbedded sets the embedded content/ folder, fsys's "content", unless a
// folder on disk is set.
func SetEmbedded(fsys fs.FS) {
	sub, err := fs.Sub(fsys, "content")
	if err != nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if !disk {
		source, label = sub, "content"
	}
}

// SetDisk makes collections read from fsys, the folder dir.
func SetDisk(fsys fs.FS, dir string) {
	mu.Lock()
	defer mu.Unlock()
	source, label, disk = fsys, dir, true
}

// Get returns the source and its name; a nil source when there is none.
func Get() (fs.FS, string) {
	mu.RLock()
	defer mu.RUnlock()
	return source, label
}
