package server

import (
	"os"

	"github.com/isr-go/framework/framework/internal/contentfs"
)

// useContentDir makes package content read collections from dir, when
// given, rather than from the content/ embedded in the binary.
func useContentDir(dir string) {
	if dir != "" {
		contentfs.SetDisk(os.DirFS(dir), dir)
	}
}
