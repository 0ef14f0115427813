package cli

import (
	"context"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/tools/go/packages"

	"github.com/isr-go/framework/codegen"
)

// debounce is how long the watcher waits after a file event for more
// before it reports the batch: an editor's save is often several events
// (write, chmod, a rename of a temporary file), and a `git checkout` many.
const debounce = 30 * time.Millisecond

// watchApp reports batches of changed files of the app in dir (absolute
// paths, each once, those ignored left out) on the returned channel until
// ctx ends. It watches every folder of the app but dot folders and
// node_modules, adding folders as they are created, through file-system
// events rather than by polling, so that a save is seen at once.
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
	aw := &appWatcher{w: w, root: root, errf: errf}
	aw.addTree(root, func(string) {})
	out := make(chan []string)
	go func() {
		defer w.Close()
		aw.loop(ctx, out)
	}()
	return out, nil
}

// appWatcher is watchApp's fsnotify watcher over the app's folders.
type appWatcher struct {
	w    *fsnotify.Watcher
	root string
	errf func(error)
}

// addTree watches top and the folders below it, and calls found with the
// files already in them.
func (aw *appWatcher) addTree(top string, found func(string)) {
	filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() {
			found(path)
			return nil
		}
		if path != aw.root && skippedDir(d.Name()) {
			return filepath.SkipDir
		}
		if err := aw.w.Add(path); err != nil {
			aw.errf(err)
		}
		return nil
	})
}

// loop sends the app's changed files to out in batches, each once the
// files have been quiet for debounce, until ctx ends or the watcher fails.
func (aw *appWatcher) loop(ctx context.Context, out chan<- []string) {
	pending := map[string]bool{}
	var timer <-chan time.Time
	add := func(path string) {
		if rel, ok := appRel(aw.root, path); ok && !ignored(rel) {
			pending[path] = true
			timer = time.After(debounce)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-aw.w.Errors:
			if !ok {
				return
			}
			aw.errf(err)
		case ev, ok := <-aw.w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					// A new folder: watch it, and take what it already
					// holds as changed (a folder moved in, or files
					// written before the watch was added). The folder
					// itself is no change.
					if !skippedDir(filepath.Base(ev.Name)) {
						aw.addTree(ev.Name, add)
					}
					continue
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
}

// skippedDir reports folders dev never looks into.
func skippedDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

// changeKind is what a changed file asks of dev.
type changeKind int

const (
	changeNone  changeKind = iota // nothing: not the app's own, or written by the build
	changeText                    // a .templ file: applied without a rebuild if only its text changed
	changeBuild                   // compiled into the server: rebuild
	changeData                    // read by the server at run time: restart it
	changeAsset                   // under assets/: bundled again, no Go rebuild
)

// classify says what a change of path (absolute, or relative to the working
// directory as root is) asks of dev. embeds are the app's //go:embed
// patterns, from its last build.
func classify(root, path string, embeds []embedDir) changeKind {
	rel, ok := appRel(root, path)
	if !ok || ignored(rel) {
		return changeNone
	}
	name := pathpkg.Base(rel)
	switch {
	case strings.HasSuffix(name, ".templ"), isMarkdownPage(rel):
		return changeText
	case isAsset(rel):
		return changeAsset
	case strings.HasPrefix(rel, "public/"), strings.HasPrefix(rel, "vendor/"):
		return changeBuild
	case name == "go.mod", name == "go.sum", name == "go.work", name == "go.work.sum":
		return changeBuild
	case goSource[pathpkg.Ext(name)]:
		return changeBuild
	}
	for _, e := range embeds {
		if e.embeds(rel) {
			return changeBuild
		}
	}
	return changeData
}

// goSource holds the extensions of the files go build compiles: Go, and
// the assembly, C and other sources and objects of cgo.
var goSource = map[string]bool{
	".go": true, ".s": true, ".S": true, ".sx": true, ".c": true, ".cc": true, ".cpp": true, ".cxx": true,
	".m": true, ".h": true, ".hh": true, ".hpp": true, ".hxx": true, ".f": true, ".F": true, ".for": true,
	".f90": true, ".swig": true, ".swigcxx": true, ".syso": true,
}

// appRel returns path relative to root, slash-separated, and false for a
// path outside root or root itself.
func appRel(root, path string) (string, bool) {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// ignored reports the files of the app, by their slash-separated path
// relative to it, that dev never acts on: those in dot folders (.framework
// holds the build's output) and node_modules; what the build writes
// (templ's _templ.go files, routes_gen.go), or it would rebuild forever;
// and files that editors and a running app write beside the sources, which
// are no edit of the app (dot files other than .env files, editors'
// backups and swap files, logs, SQLite databases), or each save, or each
// write of the app's database, would restart the server.
func ignored(rel string) bool {
	dir, name := pathpkg.Split(rel)
	for _, elem := range strings.Split(strings.TrimSuffix(dir, "/"), "/") {
		if elem != "" && skippedDir(elem) {
			return true
		}
	}
	if name == "node_modules" || rel == codegen.OutputFile || rel == codegen.StaticFile || strings.HasPrefix(rel, codegen.StaticDir+"/") || strings.HasSuffix(name, "_templ.go") || strings.HasSuffix(name, "_templ.txt") {
		return true
	}
	if strings.HasPrefix(name, ".") {
		return name != ".env" && !strings.HasPrefix(name, ".env.")
	}
	switch {
	case strings.HasPrefix(name, "#"), strings.HasSuffix(name, "~"), name == "4913", // Emacs, Vim
		strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"): // JetBrains
		return true
	}
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "-journal"), "-wal"), "-shm")
	switch pathpkg.Ext(base) {
	case ".log", ".db", ".sqlite", ".sqlite3":
		return true
	}
	return false
}

// embedDir holds the //go:embed patterns of one package of the app.
type embedDir struct {
	dir      string   // the package's folder, relative to the app, slash-separated; "" for the app's root
	patterns []string // as written, with their "all:" prefix
}

// embeds reports whether the file rel (slash-separated, relative to the
// app) is embedded by e's patterns, or would be once it exists: a pattern
// matches the file's path relative to the package, or one of its folders,
// which embeds the files below it but for those whose names (or folders'
// names) start with "." or "_", unless the pattern starts with "all:".
func (e embedDir) embeds(rel string) bool {
	if e.dir != "" {
		if !strings.HasPrefix(rel, e.dir+"/") {
			return false
		}
		rel = rel[len(e.dir)+1:]
	}
	for _, p := range e.patterns {
		p, all := strings.CutPrefix(p, "all:")
		if ok, _ := pathpkg.Match(p, rel); ok {
			return true
		}
		for i := range len(rel) {
			if rel[i] != '/' {
				continue
			}
			if ok, _ := pathpkg.Match(p, rel[:i]); ok && (all || !hiddenBelow(rel[i+1:])) {
				return true
			}
		}
	}
	return false
}

// hiddenBelow reports whether a path below an embedded folder has a name
// that go:embed leaves out of a folder.
func hiddenBelow(rel string) bool {
	for _, elem := range strings.Split(rel, "/") {
		if strings.HasPrefix(elem, ".") || strings.HasPrefix(elem, "_") {
			return true
		}
	}
	return false
}

// loadEmbeds returns the //go:embed patterns of every package of the app in
// dir, as the go command reads them (build constraints applied).
func loadEmbeds(ctx context.Context, dir string) ([]embedDir, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	cfg := &packages.Config{Context: ctx, Dir: root, Mode: packages.NeedFiles | packages.NeedEmbedPatterns}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	var embeds []embedDir
	for _, p := range pkgs {
		if len(p.EmbedPatterns) == 0 || p.Dir == "" {
			continue
		}
		rel := ""
		if p.Dir != root {
			var ok bool
			if rel, ok = appRel(root, p.Dir); !ok {
				continue
			}
		}
		// go/packages joins each pattern to the package's folder, an
		// "all:" prefix included.
		var patterns []string
		for _, pat := range p.EmbedPatterns {
			if r, err := filepath.Rel(p.Dir, pat); err == nil {
				patterns = append(patterns, filepath.ToSlash(r))
			}
		}
		embeds = append(embeds, embedDir{dir: rel, patterns: patterns})
	}
	return embeds, nil
}
