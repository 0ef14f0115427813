package hook

import (
	"io/fs"
	"sync/atomic"
)

// public is the app's public/ folder, embedded in its binary.
var public atomic.Pointer[fs.FS]

// SetPublic records the app's public/ folder; generated code calls it
// (through runtime.PublicFiles) when the program starts.
func SetPublic(fsys fs.FS) { public.Store(&fsys) }

// Public returns the folder SetPublic recorded, or nil.
func Public() fs.FS {
	if p := public.Load(); p != nil {
		return *p
	}
	return nil
}
