package codegen

import (
	"context"
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Import paths of the types page exports are checked against.
const (
	frameworkPath = "github.com/isr-go/framework/framework"
	templPath     = "github.com/a-h/templ"
	echoPath      = "github.com/labstack/echo/v4"
)

// methods are the route handler functions a route.go may export.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// exports is what one folder's package provides, after checking.
type exports struct {
	pkgPath string
	// Pages.
	load, metadata, staticParams, revalidate, expire, dynamicParams bool
	// Route handlers: the methods exported, in methods order.
	handlers []string
}

// checker collects errors positioned in the app.
type checker struct {
	dir  string
	errs []error
}

func (c *checker) errorf(fset *token.FileSet, pos token.Pos, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s", c.where(fset, pos), fmt.Sprintf(format, args...)))
}

// where formats pos relative to the app dir. Positions in templ's generated
// files name the .templ source instead.
func (c *checker) where(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	file := p.Filename
	if rel, err := filepath.Rel(c.dir, file); err == nil {
		file = filepath.ToSlash(rel)
	}
	if strings.HasSuffix(file, "_templ.go") {
		return strings.TrimSuffix(file, "_templ.go") + ".templ"
	}
	return fmt.Sprintf("%s:%d", file, p.Line)
}

// load type-checks the packages of folders and checks their exports.
func (c *checker) load(ctx context.Context, folders []*folder) map[string]*exports {
	cfg := &packages.Config{
		Context: ctx,
		Dir:     c.dir,
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedTypes | packages.NeedSyntax | packages.NeedImports,
	}
	var patterns []string
	for _, f := range folders {
		patterns = append(patterns, "./"+f.rel)
	}
	if len(patterns) == 0 {
		return nil
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		c.errs = append(c.errs, fmt.Errorf("load packages: %w", err))
		return nil
	}
	byDir := make(map[string]*packages.Package)
	for _, p := range pkgs {
		for _, e := range p.Errors {
			c.errs = append(c.errs, fmt.Errorf("%s", c.relativeError(e)))
		}
		if len(p.GoFiles) > 0 {
			rel, err := filepath.Rel(c.dir, filepath.Dir(p.GoFiles[0]))
			if err == nil {
				byDir[filepath.ToSlash(rel)] = p
			}
		}
	}
	result := make(map[string]*exports)
	for _, f := range folders {
		p := byDir[f.rel]
		if p == nil {
			c.errs = append(c.errs, fmt.Errorf("%s: no Go package here (did templ generate run?)", f.rel))
			continue
		}
		if p.Types == nil || len(p.Errors) > 0 {
			continue // already reported
		}
		result[f.rel] = c.check(f, p)
	}
	return result
}

// relativeError shortens the absolute paths of a package error.
func (c *checker) relativeError(e packages.Error) string {
	msg := e.Error()
	return strings.ReplaceAll(msg, c.dir+string(filepath.Separator), "")
}

// check checks one folder's exports.
func (c *checker) check(f *folder, p *packages.Package) *exports {
	x := &exports{pkgPath: p.PkgPath}
	scope := p.Types.Scope()
	fset := p.Fset
	component := func(name string) {
		obj := scope.Lookup(name)
		if obj == nil {
			c.errs = append(c.errs, fmt.Errorf("%s/%s: want templ %s()", f.rel, fileFor(name), name))
			return
		}
		sig, ok := funcSig(obj)
		if !ok || sig.Params().Len() != 0 || !returnsComponent(sig) {
			c.errorf(fset, obj.Pos(), "%s must be templ %s() (a func() templ.Component), got %s", name, name, typeString(obj.Type()))
		}
	}
	if f.layout {
		component("Layout")
	}
	if f.notFound {
		component("NotFound")
	}
	if f.errorPage {
		component("Error")
	}
	if f.route {
		declared := false
		for _, m := range methods {
			obj := scope.Lookup(m)
			if obj == nil {
				continue
			}
			declared = true
			sig, ok := funcSig(obj)
			if !ok || sig.Params().Len() != 1 || !isNamed(sig.Params().At(0).Type(), echoPath, "Context") ||
				sig.Results().Len() != 1 || !isError(sig.Results().At(0).Type()) {
				c.errorf(fset, obj.Pos(), "%s must be func(c echo.Context) error, got %s", m, typeString(obj.Type()))
				continue
			}
			x.handlers = append(x.handlers, m)
		}
		if !declared {
			c.errs = append(c.errs, fmt.Errorf("%s: a route handler exports at least one of %s", f.file(routeFile), strings.Join(methods, ", ")))
		}
	}
	if f.middleware {
		if obj := scope.Lookup("Middleware"); obj == nil {
			c.errs = append(c.errs, fmt.Errorf("%s: want Middleware, a func(next echo.HandlerFunc) echo.HandlerFunc", f.file(middlewareFile)))
		} else if !isMiddleware(obj) {
			c.errorf(fset, obj.Pos(), "Middleware must be a func(next echo.HandlerFunc) echo.HandlerFunc (an echo.MiddlewareFunc), got %s", describe(obj))
		}
	}
	if f.page {
		c.checkPage(f, p, x)
	}
	return x
}

// isMiddleware reports whether obj is a func or variable usable as an
// echo.MiddlewareFunc.
func isMiddleware(obj types.Object) bool {
	switch obj.(type) {
	case *types.Func, *types.Var:
	default:
		return false
	}
	sig, ok := obj.Type().Underlying().(*types.Signature)
	return ok && sig.Recv() == nil && !sig.Variadic() &&
		sig.Params().Len() == 1 && isNamed(sig.Params().At(0).Type(), echoPath, "HandlerFunc") &&
		sig.Results().Len() == 1 && isNamed(sig.Results().At(0).Type(), echoPath, "HandlerFunc")
}

// checkPage checks a page's exports and records which it has.
func (c *checker) checkPage(f *folder, p *packages.Package, x *exports) {
	scope := p.Types.Scope()
	fset := p.Fset
	var data types.Type // Load's T
	if obj := scope.Lookup("Load"); obj != nil {
		sig, ok := funcSig(obj)
		if !ok || sig.Params().Len() != 2 || !isContext(sig.Params().At(0).Type()) ||
			!isPointerTo(sig.Params().At(1).Type(), frameworkPath, "Request") ||
			sig.Results().Len() != 2 || !isError(sig.Results().At(1).Type()) {
			c.errorf(fset, obj.Pos(), "Load must be func(ctx context.Context, r *framework.Request) (T, error), got %s", typeString(obj.Type()))
		} else {
			data = sig.Results().At(0).Type()
			x.load = true
		}
	}
	if obj := scope.Lookup("Page"); obj == nil {
		c.errs = append(c.errs, fmt.Errorf("%s: want templ Page()", f.file(pageFile)))
	} else if sig, ok := funcSig(obj); !ok || !returnsComponent(sig) {
		c.errorf(fset, obj.Pos(), "Page must be a templ component, got %s", typeString(obj.Type()))
	} else if data == nil && sig.Params().Len() != 0 {
		c.errorf(fset, obj.Pos(), "Page takes %s but the page has no Load to provide it", typeString(sig.Params()))
	} else if data != nil && (sig.Params().Len() != 1 || !types.Identical(sig.Params().At(0).Type(), data)) {
		c.errorf(fset, obj.Pos(), "Page must take Load's result (%s), got %s", typeString(data), typeString(sig.Params()))
	}
	if obj := scope.Lookup("Metadata"); obj != nil {
		sig, ok := funcSig(obj)
		wantParams := 1
		want := "func(ctx context.Context) framework.Metadata"
		if data != nil {
			wantParams = 2
			want = "func(ctx context.Context, data " + typeString(data) + ") framework.Metadata"
		}
		if !ok || sig.Params().Len() != wantParams || !isContext(sig.Params().At(0).Type()) ||
			(data != nil && !types.Identical(sig.Params().At(1).Type(), data)) ||
			sig.Results().Len() != 1 || !isNamed(sig.Results().At(0).Type(), frameworkPath, "Metadata") {
			c.errorf(fset, obj.Pos(), "Metadata must be %s, got %s", want, typeString(obj.Type()))
		} else {
			x.metadata = true
		}
	}
	if obj := scope.Lookup("StaticParams"); obj != nil {
		sig, ok := funcSig(obj)
		if !ok || sig.Params().Len() != 1 || !isContext(sig.Params().At(0).Type()) || sig.Results().Len() != 2 ||
			!isSliceOf(sig.Results().At(0).Type(), frameworkPath, "Params") || !isError(sig.Results().At(1).Type()) {
			c.errorf(fset, obj.Pos(), "StaticParams must be func(ctx context.Context) ([]framework.Params, error), got %s", typeString(obj.Type()))
		} else if len(f.segments) == 0 || !strings.ContainsAny(f.pattern(), ":*") {
			c.errorf(fset, obj.Pos(), "StaticParams is for pages with params, and %s has none", f.pattern())
		} else {
			x.staticParams = true
		}
	}
	for _, d := range []struct {
		name string
		ok   *bool
	}{{"Revalidate", &x.revalidate}, {"Expire", &x.expire}} {
		obj := scope.Lookup(d.name)
		if obj == nil {
			continue
		}
		if !isValue(obj) || !isNamed(obj.Type(), "time", "Duration") {
			c.errorf(fset, obj.Pos(), "%s must be a time.Duration, got %s", d.name, describe(obj))
			continue
		}
		*d.ok = true
	}
	if obj := scope.Lookup("DynamicParams"); obj != nil {
		if b, ok := obj.Type().Underlying().(*types.Basic); !isValue(obj) || !ok || b.Info()&types.IsBoolean == 0 {
			c.errorf(fset, obj.Pos(), "DynamicParams must be a bool, got %s", describe(obj))
		} else {
			x.dynamicParams = true
		}
	}
}

func fileFor(name string) string {
	switch name {
	case "Layout":
		return layoutFile
	case "NotFound":
		return notFoundFile
	}
	return errorFile
}

func funcSig(obj types.Object) (*types.Signature, bool) {
	fn, ok := obj.(*types.Func)
	if !ok {
		return nil, false
	}
	sig := fn.Type().(*types.Signature)
	return sig, sig.Recv() == nil && !sig.Variadic()
}

func returnsComponent(sig *types.Signature) bool {
	return sig.Results().Len() == 1 && isNamed(sig.Results().At(0).Type(), templPath, "Component")
}

func isNamed(t types.Type, pkgPath, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkgPath && n.Obj().Name() == name
}

func isPointerTo(t types.Type, pkgPath, name string) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && isNamed(p.Elem(), pkgPath, name)
}

func isSliceOf(t types.Type, pkgPath, name string) bool {
	s, ok := types.Unalias(t).(*types.Slice)
	return ok && isNamed(s.Elem(), pkgPath, name)
}

func isContext(t types.Type) bool { return isNamed(t, "context", "Context") }

func isError(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }

func isValue(obj types.Object) bool {
	switch obj.(type) {
	case *types.Const, *types.Var:
		return true
	}
	return false
}

// describe names what obj is, for "got ..." in messages.
func describe(obj types.Object) string {
	if !isValue(obj) {
		return typeString(obj.Type())
	}
	t := obj.Type()
	if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		return strings.TrimPrefix(b.Name(), "untyped ")
	}
	return typeString(t)
}

// typeString prints t with package names, not paths: templ.Component.
func typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// sortErrors orders errors by message, so runs report them alike.
func sortErrors(errs []error) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
}
