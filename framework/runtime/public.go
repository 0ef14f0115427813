package runtime

import (
	"io/fs"

	"github.com/isr-go/framework/framework/internal/hook"
)

// PublicFiles records the app's public/ folder, embedded in its binary, as
// the folder that the image endpoint (/_framework/image) and
// framework.Image read local images from. Generated code calls it when the
// program starts, before any App renders: `framework prerender` renders
// pages without registering routes, and their images need the folder too.
func PublicFiles(fsys fs.FS) { hook.SetPublic(fsys) }
