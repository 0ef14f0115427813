// Package vet is the framework's page conventions as a go/analysis
// analyzer: the checks framework build runs on a page's exports (a
// Revalidate or Expire that is neither a time.Duration nor a whole number
// of seconds, a Load, StaticParams or Metadata of the wrong type, a Page
// that does not take Load's result), and on its calls of r.Param with a
// constant naming no param of the page's route, for go vet, editors and
// CI, which run analyzers rather than builds; and the exports of
// app/sitemap.go and app/robots.go (Sitemap, Robots and their windows).
//
// The checks are codegen.CheckPage, CheckParams, CheckSitemap and
// CheckRobots: the analyzer only finds the packages they apply to, so
// framework build, framework vet and go vet -vettool=framework-vet report
// the same message at the same place.
//
// It looks only at packages in a folder below an app/ folder that hold a
// page (page.templ's generated page_templ.go, or a Page function), and at
// the app/ folder's own package when it has a sitemap.go or a robots.go.
// Other packages, in the app or not, are left alone, so running it on
// ./... is safe.
//
// Positions are those of the Go files the driver loaded: a problem in
// templ's page_templ.go is reported there by go vet (which knows nothing
// of .templ files), and in page.templ by framework vet.
package vet

import (
	"go/ast"
	"go/token"
	"os"
	"path/filepath"

	"golang.org/x/tools/go/analysis"

	"github.com/isr-go/framework/codegen"
)

// Analyzer checks the exports of an app's pages.
var Analyzer = &analysis.Analyzer{
	Name: "frameworkpage",
	Doc: `check the exports of framework app pages

Revalidate and Expire must be time.Duration values or untyped constants
counting seconds (const Revalidate = 60 is a minute), never negative, Load
func(ctx context.Context, r *framework.Request) (T, error), templ Page(data T)
take Load's result, Metadata and StaticParams have their documented
signatures, and r.Param("name") with a constant must name a param of the
page's route; app/sitemap.go's Sitemap and app/robots.go's Robots and their
windows likewise. Only packages below an app/ folder that hold a page, and the
app/ folder itself, are checked.`,
	URL: "https://pkg.go.dev/github.com/isr-go/framework/codegen/vet",
	Run: run,
}

func run(pass *analysis.Pass) (any, error) {
	if len(pass.Files) == 0 {
		return nil, nil
	}
	var dir string
	var templPage, sitemapFile, robotsFile *ast.File
	for _, f := range pass.Files {
		name := pass.Fset.File(f.Pos()).Name()
		dir = filepath.Dir(name)
		switch filepath.Base(name) {
		case "page_templ.go":
			templPage = f
		case "sitemap.go":
			sitemapFile = f
		case "robots.go":
			robotsFile = f
		}
	}
	isPage := templPage != nil || pass.Pkg.Scope().Lookup("Page") != nil
	if !isPage && sitemapFile == nil && robotsFile == nil {
		return nil, nil
	}
	rel, ok := belowApp(dir)
	if !ok {
		return nil, nil
	}
	if rel == "" {
		checkRoot(pass, sitemapFile, robotsFile)
	}
	if !isPage {
		return nil, nil
	}
	pattern, err := codegen.RoutePattern(rel)
	if err != nil {
		// Not a route folder: framework build says why; nothing here is
		// a page.
		return nil, nil
	}
	// A missing Page has no position: the package clause of page_templ.go
	// (or of the first file) is the nearest place to fix it.
	missing := pass.Files[0].Name.Pos()
	if templPage != nil {
		missing = templPage.Name.Pos()
	}
	report := func(pos token.Pos, msg string) {
		if !pos.IsValid() {
			pos = missing
		}
		pass.Report(analysis.Diagnostic{Pos: pos, Message: msg})
	}
	codegen.CheckPage(pass.Pkg, pattern, report)
	params, _ := codegen.RouteParams(rel) // RoutePattern accepted rel
	codegen.CheckParams(pass.Fset, pass.Files, pass.TypesInfo, pattern, params, report)
	return nil, nil
}

// checkRoot checks app/sitemap.go and app/robots.go, when the package of
// app/ has them. A missing Sitemap or Robots is reported at its file's
// package clause.
func checkRoot(pass *analysis.Pass, sitemapFile, robotsFile *ast.File) {
	reporter := func(file *ast.File) codegen.Reporter {
		return func(pos token.Pos, msg string) {
			if !pos.IsValid() {
				pos = file.Name.Pos()
			}
			pass.Report(analysis.Diagnostic{Pos: pos, Message: msg})
		}
	}
	if sitemapFile != nil {
		codegen.CheckSitemap(pass.Pkg, reporter(sitemapFile))
	}
	if robotsFile != nil {
		codegen.CheckRobots(pass.Pkg, reporter(robotsFile))
	}
}

// belowApp returns dir's path below the app/ folder it is in,
// slash-separated ("blog/id_"; "" for app/ itself), and whether it is in
// one. The app/ folder is the outermost folder named app whose parent
// holds a go.mod or a routes_gen.go, an app's root; or, without one, the
// nearest folder named app (a page folder may itself be named app:
// app/app/page.templ is /app).
func belowApp(dir string) (string, bool) {
	nearest, found := "", false
	for d := dir; ; {
		parent := filepath.Dir(d)
		if filepath.Base(d) == "app" {
			rel, err := filepath.Rel(d, dir)
			if err == nil {
				rel = filepath.ToSlash(rel)
				if rel == "." {
					rel = ""
				}
				if isAppRoot(parent) {
					return rel, true
				}
				if !found {
					nearest, found = rel, true
				}
			}
		}
		if parent == d {
			break
		}
		d = parent
	}
	return nearest, found
}

// isAppRoot reports whether dir looks like an app's root.
func isAppRoot(dir string) bool {
	for _, name := range []string{"go.mod", codegen.OutputFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
