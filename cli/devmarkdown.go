package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/runtime"
)

// A page.md edit reaches the running dev server without a rebuild, as a
// templ text edit does: codegen compiled each page's front matter and HTML
// into the binary, and runtime.MarkdownPage, in a server started with
// runtime.DevMarkdownEnv set to its text root, serves instead the page dev
// converted last, from a file there (runtime.DevMarkdownFile). Converting
// a page takes a millisecond or two; the next request shows it. A new or
// removed page.md changes the routes, and rebuilds.

// isMarkdownPage reports whether rel, slash-separated from the app, is an
// app/**/page.md.
func isMarkdownPage(rel string) bool {
	return strings.HasPrefix(rel, "app/") && strings.HasSuffix(rel, "/page.md")
}

// markdownFiles returns the page.md files of res, absolute: those the
// server built from it renders.
func markdownFiles(dir string, res *codegen.Result) map[string]bool {
	files := make(map[string]bool)
	dir, _ = filepath.Abs(dir) // the watcher's files are absolute
	for _, p := range res.Pages {
		if strings.HasSuffix(p.File, "/page.md") {
			files[filepath.Join(dir, filepath.FromSlash(p.File))] = true
		}
	}
	return files
}

// updateMarkdown converts files, page.md files of the running build, and
// writes them where its server reads them (root). A page the build does
// not have is errGoChanged; one that does not convert is its error, which
// the rebuild then shows.
func (d *devServer) updateMarkdown(root string, files []string) error {
	dir, err := filepath.Abs(d.dir)
	if err != nil {
		return err
	}
	type page struct {
		file string
		out  runtime.DevMarkdown
	}
	var pages []page
	for _, f := range files {
		if !d.markdown[f] {
			return errGoChanged
		}
		out, err := codegen.MarkdownPage(dir, f)
		if err != nil {
			return err
		}
		rel, _ := appRel(dir, f)
		pages = append(pages, page{rel, runtime.DevMarkdown{Front: out.Front, HTML: out.HTML}})
	}
	for _, p := range pages {
		b, err := json.Marshal(p.out)
		if err != nil {
			return err
		}
		// A temporary file renamed, so that a render never reads half a
		// page.
		name := runtime.DevMarkdownFile(root, p.file)
		if err := os.WriteFile(name+".tmp", b, 0o644); err != nil {
			return err
		}
		if err := os.Rename(name+".tmp", name); err != nil {
			return err
		}
	}
	return nil
}
