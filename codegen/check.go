package codegen

import (
	"context"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Import paths of the types page exports are checked against.
const (
	frameworkPath = "github.com/isr-go/framework/framework"
	runtimePath   = "github.com/isr-go/framework/framework/runtime"
	templPath     = "github.com/a-h/templ"
	echoPath      = "github.com/labstack/echo/v4"
)

// methods are the route handler functions a route.go may export.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// exports is what one folder's package provides, after checking.
type exports struct {
	pkgPath string
	// Pages.
	load, metadata, staticParams, dynamicParams bool
	revalidate, expire                          Window
	// Route handlers: the methods exported, in methods order, and whether
	// other sites may send them unsafe requests.
	handlers         []string
	allowCrossOrigin bool
	// The root of app/: its sitemap.go and robots.go.
	root RootExports
}

// checker type-checks the packages of an app's folders and collects what
// is wrong with their exports.
type checker struct {
	dir  string // the app's directory, absolute
	pos  *SourcePositions
	errs ErrorList
	// assets are the entry points of assets/, which framework.Asset
	// calls may name.
	assets []string
}

// errorAt records an error at pos.
func (c *checker) errorAt(fset *token.FileSet, pos token.Pos, format string, args ...any) {
	c.errs.add(c.position(fset.Position(pos)), format, args...)
}

func (c *checker) position(p token.Position) token.Position { return c.pos.Position(p) }

// SourcePositions makes positions in an app's Go files into positions for
// messages: relative to the app's directory, and in the .templ file for Go
// that templ generated. framework build and framework vet both print
// through it, so that one problem has one position whoever finds it.
type SourcePositions struct {
	dir   string        // the app's directory, absolute
	templ *templSources // maps positions in templ's output to .templ files
}

// NewSourcePositions returns the SourcePositions of the app in dir, an
// absolute path.
func NewSourcePositions(dir string) *SourcePositions {
	return &SourcePositions{dir: dir, templ: newTemplSources(filepath.Join(dir, "app"))}
}

// Position maps p, absolute or relative to the app's directory.
func (s *SourcePositions) Position(p token.Position) token.Position {
	if p.Filename != "" && !filepath.IsAbs(p.Filename) {
		p.Filename = filepath.Join(s.dir, p.Filename)
	}
	p = s.templ.position(p)
	if p.Filename != "" {
		p.Filename = relative(s.dir, p.Filename)
	}
	return p
}

// load type-checks the packages of folders and checks their exports. Its
// error is a failure to run the go command at all; problems in the app go
// to c.errs.
func (c *checker) load(ctx context.Context, folders []*folder) (map[string]*exports, error) {
	if len(folders) == 0 {
		return nil, nil
	}
	cfg := &packages.Config{
		Context: ctx,
		Dir:     c.dir,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedTypes | packages.NeedSyntax | packages.NeedImports |
			packages.NeedTypesInfo,
	}
	var patterns []string
	for _, f := range folders {
		patterns = append(patterns, "./"+f.rel)
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("load packages: %w", err)
	}
	byDir := make(map[string]*packages.Package)
	for _, p := range pkgs {
		c.errs = append(c.errs, c.pos.PackageErrors(p)...)
		dir := p.Dir
		if dir == "" && len(p.GoFiles) > 0 {
			dir = filepath.Dir(p.GoFiles[0])
		}
		if dir != "" {
			byDir[relative(c.dir, dir)] = p
		}
	}
	result := make(map[string]*exports)
	for _, f := range folders {
		p := byDir[f.rel]
		if p == nil {
			c.errs.addIn(f.rel, "no Go package here")
			continue
		}
		if p.Types == nil || len(p.Errors) > 0 {
			// Already reported, and its exports' types cannot be trusted:
			// checking them would only add follow-on errors.
			continue
		}
		c.checkAssetCalls(p)
		result[f.rel] = c.check(f, p)
	}
	return result, nil
}

// PackageErrors returns the errors go/packages found in p (type errors,
// syntax errors, imports that cannot be resolved), each once, positioned
// like codegen's own.
func (s *SourcePositions) PackageErrors(p *packages.Package) ErrorList {
	var errs ErrorList
	for _, e := range p.Errors {
		if e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ") {
			// go list compiles each package for its export data too, and
			// reports the compiler's output as one more error, "# pkg"
			// and then the errors, at no position ("-"). With the type
			// errors at hand, those are the same again; without (a
			// package loaded for its export data only), its lines are
			// the errors, each at its place.
			if len(p.TypeErrors) == 0 {
				errs = append(errs, s.compilerErrors(e.Msg)...)
			}
			continue
		}
		msg := strings.ReplaceAll(e.Msg, s.dir+string(filepath.Separator), "")
		errs.add(s.Position(parsePos(e.Pos)), "%s", msg)
	}
	return errs
}

// compilerErrors parses the Go compiler's output: "# pkg" lines, and
// errors "file:line:col: msg" with files relative to the app (or to the
// working directory, "./main.go"), some with indented lines that go on.
func (s *SourcePositions) compilerErrors(out string) ErrorList {
	var errs ErrorList
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "" || strings.HasPrefix(line, "# "):
		case (strings.HasPrefix(line, "\t") || strings.HasPrefix(line, " ")) && len(errs) > 0:
			errs[len(errs)-1].Msg += "\n" + line
		default:
			pos, msg, ok := splitCompilerError(line)
			if !ok {
				errs.add(token.Position{}, "%s", line)
				continue
			}
			errs.add(s.Position(pos), "%s", msg)
		}
	}
	return errs
}

// CompilerErrors parses the output of go build run in the app's
// directory into errors positioned like codegen's: relative to the app, in
// the .templ file for Go templ generated, without the "# pkg" headers.
func (s *SourcePositions) CompilerErrors(out string) ErrorList { return s.compilerErrors(out) }

// splitCompilerError splits "file:line:col: msg" (or "file:line: msg").
func splitCompilerError(line string) (token.Position, string, bool) {
	// The file may hold colons (C:\ on Windows): find ": " after a
	// number.
	for i := 0; ; {
		j := strings.Index(line[i:], ": ")
		if j < 0 {
			return token.Position{}, "", false
		}
		j += i
		p := parsePos(line[:j])
		if p.Line > 0 {
			p.Filename = strings.TrimPrefix(p.Filename, "./")
			return p, line[j+2:], true
		}
		i = j + 2
	}
}

// parsePos parses the position of a packages.Error: "file:line:col",
// "file:line", "file", or "" or "-" for none. The file name may itself
// hold colons (C:\ on Windows), so the numbers are taken from the right.
func parsePos(s string) token.Position {
	var p token.Position
	if s == "" || s == "-" {
		return p
	}
	var nums []int
	for range 2 {
		i := strings.LastIndexByte(s, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(s[i+1:])
		if err != nil {
			break
		}
		nums = append(nums, n)
		s = s[:i]
	}
	p.Filename = s
	switch len(nums) {
	case 2:
		p.Line, p.Column = nums[1], nums[0]
	case 1:
		p.Line = nums[0]
	}
	return p
}

// check checks one folder's exports.
func (c *checker) check(f *folder, p *packages.Package) *exports {
	x := &exports{pkgPath: p.PkgPath}
	scope := p.Types.Scope()
	fset := p.Fset
	component := func(name string) {
		obj := scope.Lookup(name)
		if obj == nil {
			c.errs.addIn(f.file(fileFor(name)), "want templ %s()", name)
			return
		}
		sig, ok := funcSig(obj)
		if !ok || sig.Params().Len() != 0 || !returnsComponent(sig) {
			c.errorAt(fset, obj.Pos(), "%s must be templ %s() (a func() templ.Component), got %s", name, name, typeString(obj.Type()))
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
				c.errorAt(fset, obj.Pos(), "%s must be func(c echo.Context) error, got %s", m, typeString(obj.Type()))
				continue
			}
			x.handlers = append(x.handlers, m)
		}
		if !declared {
			c.errs.addIn(f.file(routeFile), "a route handler exports at least one of %s", strings.Join(methods, ", "))
		}
		x.allowCrossOrigin = c.checkAllowCrossOrigin(scope, fset)
	}
	if f.middleware {
		if obj := scope.Lookup("Middleware"); obj == nil {
			c.errs.addIn(f.file(middlewareFile), "want Middleware, a func(next echo.HandlerFunc) echo.HandlerFunc")
		} else if !isMiddleware(obj) {
			c.errorAt(fset, obj.Pos(), "Middleware must be a func(next echo.HandlerFunc) echo.HandlerFunc (an echo.MiddlewareFunc), got %s", describe(obj))
		}
	}
	if f.page {
		c.checkPage(f, p, x)
	}
	c.checkRoot(f, p.Types, fset, x)
	return x
}

// checkAllowCrossOrigin reads a route.go's AllowCrossOrigin, a bool
// constant: true lets other sites' pages send it POST, PUT, PATCH and
// DELETE (runtime.CrossOriginHandler). A constant, so that the route table
// says which routes are open.
func (c *checker) checkAllowCrossOrigin(scope *types.Scope, fset *token.FileSet) bool {
	obj := scope.Lookup("AllowCrossOrigin")
	if obj == nil {
		return false
	}
	k, ok := obj.(*types.Const)
	if !ok || k.Val().Kind() != constant.Bool {
		c.errorAt(fset, obj.Pos(), "AllowCrossOrigin must be a bool constant (const AllowCrossOrigin = true), got %s", describe(obj))
		return false
	}
	return constant.BoolVal(k.Val())
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

// A Reporter receives a problem a check found: where, and what is wrong.
// pos is token.NoPos for a missing export, which has no place in the code.
type Reporter func(pos token.Pos, msg string)

// PageExports is what a page's package exports, as CheckPage found them:
// each is true (or declared) only when declared with the right type.
type PageExports struct {
	Load, Metadata, StaticParams, DynamicParams bool
	Revalidate, Expire                          Window
}

// CheckPage checks the exports of a page's package (templ Page, Load,
// Metadata, StaticParams, Revalidate, Expire, DynamicParams) against the
// conventions and reports what is wrong to report. pattern is the page's
// route ("/blog/:id"): StaticParams is for routes with params.
//
// It is the one implementation of these checks: codegen runs it on the
// packages it loads, and the framework vet analyzer on the package a
// go/analysis driver hands it, so that framework build and framework vet
// say the same thing about the same code.
func CheckPage(pkg *types.Package, pattern string, report Reporter) PageExports {
	var x PageExports
	scope := pkg.Scope()
	reportf := func(pos token.Pos, format string, args ...any) { report(pos, fmt.Sprintf(format, args...)) }
	load := checkLoad(scope, reportf)
	x.Load = load.data != nil
	checkPageComponent(scope, load, reportf)
	x.Metadata = checkMetadata(scope, load, reportf)
	if obj := scope.Lookup("StaticParams"); obj != nil {
		sig, ok := funcSig(obj)
		if !ok || sig.Params().Len() != 1 || !isContext(sig.Params().At(0).Type()) || sig.Results().Len() != 2 ||
			!isSliceOf(sig.Results().At(0).Type(), frameworkPath, "Params") || !isError(sig.Results().At(1).Type()) {
			reportf(obj.Pos(), "StaticParams must be func(ctx context.Context) ([]framework.Params, error), got %s", typeString(obj.Type()))
		} else if !strings.ContainsAny(pattern, ":*") {
			reportf(obj.Pos(), "StaticParams is for pages with params, and %s has none", pattern)
		} else {
			x.StaticParams = true
		}
	}
	if obj := scope.Lookup("Revalidate"); obj != nil {
		x.Revalidate = checkWindow(obj, "Revalidate", reportf)
	}
	if obj := scope.Lookup("Expire"); obj != nil {
		x.Expire = checkWindow(obj, "Expire", reportf)
	}
	if obj := scope.Lookup("DynamicParams"); obj != nil {
		if b, ok := obj.Type().Underlying().(*types.Basic); !isValue(obj) || !ok || b.Info()&types.IsBoolean == 0 {
			reportf(obj.Pos(), "DynamicParams must be a bool, got %s", describe(obj))
		} else {
			x.DynamicParams = true
		}
	}
	return x
}

// reportFunc is a Reporter that formats.
type reportFunc func(pos token.Pos, format string, args ...any)

// loadResult is what a page's Load tells the checks of Page and Metadata,
// whose types depend on it.
type loadResult struct {
	declared bool       // the page has a Load
	data     types.Type // its T, or nil if Load is wrong (already reported)
}

// known reports whether the types that depend on Load can be checked: it
// is absent, or right. A wrong Load makes any Page or Metadata look wrong,
// and those follow-on errors would hide the one to fix.
func (l loadResult) known() bool { return !l.declared || l.data != nil }

// checkPage checks a page's exports and records which it has.
func (c *checker) checkPage(f *folder, p *packages.Package, x *exports) {
	report := func(pos token.Pos, msg string) {
		if !pos.IsValid() {
			// Only Page can be missing: the others are optional.
			c.errs.addIn(f.file(pageFile), "%s", msg)
			return
		}
		c.errorAt(p.Fset, pos, "%s", msg)
	}
	pe := CheckPage(p.Types, f.pattern(), report)
	CheckParams(p.Fset, p.Syntax, p.TypesInfo, f.pattern(), f.params(), report)
	x.load, x.metadata, x.staticParams = pe.Load, pe.Metadata, pe.StaticParams
	x.revalidate, x.expire, x.dynamicParams = pe.Revalidate, pe.Expire, pe.DynamicParams
}

// checkLoad checks a page's Load, if it has one.
func checkLoad(scope *types.Scope, reportf reportFunc) loadResult {
	obj := scope.Lookup("Load")
	if obj == nil {
		return loadResult{}
	}
	sig, ok := funcSig(obj)
	if !ok || sig.Params().Len() != 2 || !isContext(sig.Params().At(0).Type()) ||
		!isPointerTo(sig.Params().At(1).Type(), frameworkPath, "Request") ||
		sig.Results().Len() != 2 || !isError(sig.Results().At(1).Type()) {
		reportf(obj.Pos(), "Load must be func(ctx context.Context, r *framework.Request) (T, error), got %s", typeString(obj.Type()))
		return loadResult{declared: true}
	}
	return loadResult{declared: true, data: sig.Results().At(0).Type()}
}

// checkPageComponent checks templ Page: a component, taking Load's result
// or, without Load, nothing.
func checkPageComponent(scope *types.Scope, load loadResult, reportf reportFunc) {
	obj := scope.Lookup("Page")
	if obj == nil {
		reportf(token.NoPos, "want templ Page()")
		return
	}
	sig, ok := funcSig(obj)
	switch {
	case !ok || !returnsComponent(sig):
		reportf(obj.Pos(), "Page must be a templ component, got %s", typeString(obj.Type()))
	case !load.known():
		// What Page takes depends on Load, which is wrong.
	case load.data == nil && sig.Params().Len() != 0:
		reportf(obj.Pos(), "Page takes %s but the page has no Load to provide it", typeString(sig.Params()))
	case load.data != nil && (sig.Params().Len() != 1 || !types.Identical(sig.Params().At(0).Type(), load.data)):
		reportf(obj.Pos(), "Page must take Load's result (%s), got %s", typeString(load.data), typeString(sig.Params()))
	}
}

// checkMetadata checks Metadata, if the page has one, and reports whether
// it is right: func(ctx) framework.Metadata without Load, func(ctx, data
// T) framework.Metadata with it.
func checkMetadata(scope *types.Scope, load loadResult, reportf reportFunc) bool {
	obj := scope.Lookup("Metadata")
	if obj == nil {
		return false
	}
	wantParams, want := 1, "func(ctx context.Context) framework.Metadata"
	if load.declared {
		data := "T"
		if load.data != nil {
			data = typeString(load.data)
		}
		wantParams, want = 2, "func(ctx context.Context, data "+data+") framework.Metadata"
	}
	sig, ok := funcSig(obj)
	// With a wrong Load, T is unknown: check all of Metadata but its data.
	if !ok || sig.Params().Len() != wantParams || !isContext(sig.Params().At(0).Type()) ||
		(load.data != nil && !types.Identical(sig.Params().At(1).Type(), load.data)) ||
		sig.Results().Len() != 1 || !isNamed(sig.Results().At(0).Type(), frameworkPath, "Metadata") {
		reportf(obj.Pos(), "Metadata must be %s, got %s", want, typeString(obj.Type()))
		return false
	}
	return load.known()
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
