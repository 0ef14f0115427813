package cli

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long the watcher waits after a file event for more
// before it reports the batch: an editor's save is often several events
// (write, chmod, a rename of a temporary file), and a `git checkout` many.
const debounce = 30 * time.Millisecond

// watchApp reports batches of changed source files of the app in dir
// (absolute paths, each once) on the returned channel until ctx ends. It
// watches every folder of the app but dot folders and node_modules, adding
// folders as they are created, through file-system events rather than by
// polling, so that a save is seen at once.
func watchApp(ctx context.Context, dir string, errf func(error)) (<-chan []string, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		w.Close()
		return nil, err
	}
	// addTree watches top and the folders below it, and calls found with
	// the files already in them.
	addTree := func(top string, found func(string)) {
		filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if !d.IsDir() {
				found(path)
				return nil
			}
			if path != root && skippedDir(d.Name()) {
				return filepath.SkipDir
			}
			if err := w.Add(path); err != nil {
				errf(err)
			}
			return nil
		})
	}
	addTree(root, func(string) {})
	out := make(chan []string)
	go func() {
		defer w.Close()
		pending := map[string]bool{}
		var timer <-chan time.Time
		add := func(path string) {
			if watched(root, path) {
				pending[path] = true
				timer = time.After(debounce)
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				errf(err)
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Has(fsnotify.Create) && !skippedDir(filepath.Base(ev.Name)) {
					if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
						// A new folder: watch it, and take what it
						// already holds as changed (a folder moved in, or
						// files written before the watch was added).
						addTree(ev.Name, add)
					}
				}
				add(ev.Name)
			case <-timer:
				timer = nil
				batch := make([]string, 0, len(pending))
				for f := range pending {
					batch = append(batch, f)
				}
				clear(pending)
				select {
				case out <- batch:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// skippedDir reports folders dev never looks into.
func skippedDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

// watched reports whether a change of path (under root) concerns the app:
// its .templ and .go files, go.mod and go.sum, .env files and everything in
// public/. Generated files are left out, or writing them would start
// another build.
func watched(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return false
	}
	name := filepath.Base(path)
	switch {
	case strings.HasPrefix(rel, "public"+string(filepath.Separator)):
		return true
	case strings.HasSuffix(name, "_templ.go"), name == "routes_gen.go":
		return false
	case strings.HasSuffix(name, ".templ"), strings.HasSuffix(name, ".go"):
		return true
	case name == "go.mod", name == "go.sum", name == ".env", strings.HasPrefix(name, ".env."):
		return true
	}
	return false
}
