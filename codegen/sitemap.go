package codegen

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
)

// RootExports is what the root of app/ exports for its sitemap and
// robots.txt, as CheckSitemap and CheckRobots found them: each is true (or
// declared) only when declared with the right type.
type RootExports struct {
	Sitemap           bool // app/sitemap.go
	SitemapRevalidate Window
	Robots            bool // app/robots.go
	RobotsRevalidate  Window
}

// CheckSitemap checks the exports of app/sitemap.go in pkg, the package of
// the root of app/: func Sitemap(ctx context.Context)
// ([]framework.SitemapEntry, error), and optionally SitemapRevalidate, a
// window like a page's Revalidate (its own name, as the package's
// Revalidate is the home page's). A missing Sitemap is reported at
// token.NoPos.
//
// Like CheckPage, it is the one implementation of these checks, which
// framework build and framework vet share.
func CheckSitemap(pkg *types.Package, report Reporter) (sitemap bool, revalidate Window) {
	return checkRootFunc(pkg, "Sitemap", "func Sitemap(ctx context.Context) ([]framework.SitemapEntry, error)", func(t types.Type) bool {
		return isSliceOf(t, frameworkPath, "SitemapEntry")
	}, report)
}

// CheckRobots checks the exports of app/robots.go in pkg, the package of
// the root of app/: func Robots(ctx context.Context) (framework.Robots,
// error), and optionally RobotsRevalidate, a window. A missing
// Robots is reported at token.NoPos.
func CheckRobots(pkg *types.Package, report Reporter) (robots bool, revalidate Window) {
	return checkRootFunc(pkg, "Robots", "func Robots(ctx context.Context) (framework.Robots, error)", func(t types.Type) bool {
		return isNamed(t, frameworkPath, "Robots")
	}, report)
}

// checkRootFunc checks func name(ctx) (T, error), T as result says, and its
// optional nameRevalidate window.
func checkRootFunc(pkg *types.Package, name, want string, result func(types.Type) bool, report Reporter) (fn bool, revalidate Window) {
	scope := pkg.Scope()
	if obj := scope.Lookup(name); obj == nil {
		report(token.NoPos, "want "+want)
	} else if sig, ok := funcSig(obj); !ok || sig.Params().Len() != 1 || !isContext(sig.Params().At(0).Type()) ||
		sig.Results().Len() != 2 || !result(sig.Results().At(0).Type()) || !isError(sig.Results().At(1).Type()) {
		report(obj.Pos(), name+" must be "+want+", got "+describe(obj))
	} else {
		fn = true
	}
	if obj := scope.Lookup(name + "Revalidate"); obj != nil {
		revalidate = checkWindow(obj, name+"Revalidate", func(pos token.Pos, format string, args ...any) {
			report(pos, fmt.Sprintf(format, args...))
		})
	}
	return fn, revalidate
}

// checkRoot checks app/sitemap.go and app/robots.go, reporting a missing
// function at the file.
func (c *checker) checkRoot(f *folder, p *types.Package, fset *token.FileSet, x *exports) {
	reporter := func(file string) Reporter {
		return func(pos token.Pos, msg string) {
			if !pos.IsValid() {
				c.errs.addIn(f.file(file), "%s", msg)
				return
			}
			c.errorAt(fset, pos, "%s", msg)
		}
	}
	if f.sitemap {
		x.root.Sitemap, x.root.SitemapRevalidate = CheckSitemap(p, reporter(sitemapFile))
	}
	if f.robots {
		x.root.Robots, x.root.RobotsRevalidate = CheckRobots(p, reporter(robotsFile))
	}
}

// Where the sitemap and robots.txt are served.
const (
	sitemapPath = "/sitemap.xml"
	robotsPath  = "/robots.txt"
)

// rootFileClashes reports what else would answer the URL of app/sitemap.go
// or app/robots.go: a file in public/, or a page or route.go in a folder
// named sitemap.xml or robots.txt.
func rootFileClashes(root *folder, folders []*folder, public []string) ErrorList {
	var errs ErrorList
	if root == nil {
		return nil
	}
	for _, file := range []struct {
		name, path string
		made       bool
	}{
		{sitemapFile, sitemapPath, root.sitemap},
		{robotsFile, robotsPath, root.robots},
	} {
		if !file.made {
			continue
		}
		if slices.Contains(public, file.path[1:]) {
			errs.addIn("app/"+file.name, "both this and public%s answer %s: keep one", file.path, file.path)
		}
		for _, f := range folders {
			if (f.page || f.route) && f.pattern() == file.path {
				errs.addIn(routeFileOf(f), "both this and app/%s answer %s", file.name, file.path)
			}
		}
	}
	return errs
}

// sitemapKind says what makes the app's /sitemap.xml: app/sitemap.go
// ("app/sitemap.go"), its pages ("automatic"), or nothing of ours (""): the
// app has no page, or serves /sitemap.xml itself, from public/ or a page or
// route.go, which the automatic sitemap steps aside for.
func sitemapKind(root *folder, folders []*folder, public []string) string {
	if root != nil && root.sitemap {
		return "app/" + sitemapFile
	}
	if slices.Contains(public, sitemapPath[1:]) {
		return ""
	}
	pages := false
	for _, f := range folders {
		if (f.page || f.route) && f.pattern() == sitemapPath {
			return ""
		}
		pages = pages || f.page
	}
	if !pages {
		return ""
	}
	return "automatic"
}
