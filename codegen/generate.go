package codegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// OutputFile is the name of the generated file, at the app's root.
const OutputFile = "routes_gen.go"

// Result describes what Generate found and wrote.
type Result struct {
	Output   string // path of the generated file
	Changed  bool   // whether the file was (re)written
	Pages    []Page // page routes, in registration order
	Handlers []Handler
	// Sitemap says what makes /sitemap.xml: "app/sitemap.go", "automatic"
	// (the app's pages), or "" (the app has no page, or serves it itself
	// from public/ or a page or route.go).
	Sitemap string
	// Robots is "app/robots.go" when it makes /robots.txt, else "".
	Robots string
	// BrokenLinks are the relative links of the app's Markdown (its
	// page.md files and content/) to .md files that do not exist, by
	// file and line: the build reports them with the pages' broken links.
	BrokenLinks []BrokenLink

	static map[string][]byte // StaticFile and StaticDir's files, by path
}

// Page is one page route.
type Page struct {
	Pattern      string // Echo path pattern: "/blog/:id"
	File         string // "app/blog/id_/page.templ"
	Dynamic      bool   // declares Revalidate (its kind is known at run time)
	StaticParams bool
}

// Handler is one route.go's handlers.
type Handler struct {
	Pattern string
	File    string
	Methods []string
}

// Generate runs templ on dir/app, scans and type-checks it, and writes
// dir/routes_gen.go (only when its content changes). dir is an app: a
// folder inside a Go module with an app/ folder. Problems in the app come
// back together, sorted, as an ErrorList; nothing is written to
// routes_gen.go then.
func Generate(ctx context.Context, dir string, opts ...Option) (*Result, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(filepath.Join(dir, "app")); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("%s has no app/ folder", dir)
	}
	// templ's files first: the app is built from them, and editors read
	// them, even when codegen finds a problem.
	if err := templGenerate(ctx, dir, filepath.Join(dir, "app")); err != nil {
		return nil, err
	}
	res, src, err := routesFile(ctx, dir, opts...)
	if err != nil {
		return nil, err
	}
	if err := writeStatic(dir, res.static); err != nil {
		return nil, err
	}
	res.Changed, err = writeIfChanged(res.Output, src)
	return res, err
}

// routesFile checks the app in dir, whose _templ.go files templ has
// written, and returns the routes_gen.go it needs. It writes nothing, so
// that tests can run it on the fixtures in testdata.
func routesFile(ctx context.Context, dir string, opts ...Option) (*Result, []byte, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	folders, errs := scan(dir)
	errs = append(errs, conflicts(folders)...)
	entries, err := entryPoints(dir)
	if err != nil {
		return nil, nil, err
	}
	c := &checker{dir: dir, pos: NewSourcePositions(dir), assets: entries}
	exported, err := c.load(ctx, goFolders(folders))
	if err != nil {
		return nil, nil, err
	}
	errs = append(errs, c.errs...)
	mds, mdErrs := markdownPages(dir, folders, o)
	errs = append(errs, mdErrs...)
	if !hasRoute(folders) {
		errs.addIn("app", "no page.templ, page.md or route.go: nothing to route")
	}
	pkgName, pkgErrs := rootPackage(dir)
	errs = append(errs, pkgErrs...)
	public, err := publicFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	errs = append(errs, rootFileClashes(rootFolder(folders), folders, public)...)
	if err := errs.err(); err != nil {
		return nil, nil, err
	}
	static, err := staticOutputs(dir, pkgName, public)
	if err != nil {
		return nil, nil, err
	}
	r := newRouter(pkgName, folders, exported, public, static != nil, markdownInput{pages: mds, content: hasContent(dir)})
	src, err := r.source()
	if err != nil {
		return nil, nil, err
	}
	res := r.result(filepath.Join(dir, OutputFile))
	res.static = static
	if res.BrokenLinks, err = contentBrokenLinks(dir); err != nil {
		return nil, nil, err
	}
	for _, p := range mds {
		res.BrokenLinks = append(res.BrokenLinks, p.out.BrokenLinks...)
	}
	sortBrokenLinks(res.BrokenLinks)
	return res, src, nil
}

// writeIfChanged writes src to path unless the file holds src already, so
// that a build with nothing new touches nothing (and go build's cache and
// file watchers see no change). It reports whether it wrote.
func writeIfChanged(path string, src []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, src) {
		return false, nil
	}
	return true, os.WriteFile(path, src, 0o644)
}

// rootFolder returns the folder of app/ itself, or nil when it has no
// special file.
func rootFolder(folders []*folder) *folder {
	for _, f := range folders {
		if f.rel == "app" {
			return f
		}
	}
	return nil
}

func hasRoute(folders []*folder) bool {
	for _, f := range folders {
		if f.page || f.route || f.markdown {
			return true
		}
	}
	return false
}

// rootPackage returns the package name of the app's root folder: that of
// its Go files other than the generated one, or main.
func rootPackage(dir string) (string, ErrorList) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	sort.Strings(files)
	for _, f := range files {
		if filepath.Base(f) == OutputFile || strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err != nil {
			var errs ErrorList
			var list scanner.ErrorList
			if !errors.As(err, &list) {
				errs.addIn(relative(dir, f), "%v", err)
				return "", errs
			}
			for _, e := range list {
				pos := e.Pos
				pos.Filename = relative(dir, pos.Filename)
				errs.add(pos, "%s", e.Msg)
			}
			return "", errs
		}
		return parsed.Name.Name, nil
	}
	return "main", nil
}

// publicFiles lists the files under dir/public, slash-separated and sorted.
func publicFiles(dir string) ([]string, error) {
	root := filepath.Join(dir, "public")
	if _, err := os.Stat(root); err != nil {
		return nil, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(files)
	return files, err
}
