package codegen

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// CheckParams reports each call of (*framework.Request).Param in files
// whose argument is a constant string that names no param of the page's
// route: pattern ("/products/:slug") with params, the names of its params
// in URL order (["slug"]; a catch-all's name too). Such a call returns ""
// on every request, and the page is a 404 or worse for every URL.
//
// Only constants are checked (literals, and named constants through their
// go/types values); a string computed at run time is not. Test files are
// skipped: framework build never sees them, and a test may ask for a
// param that is not there on purpose. info must hold Types, Uses and
// Selections.
//
// Like CheckPage, it is the one implementation of this check, which
// framework build and framework vet share.
func CheckParams(fset *token.FileSet, files []*ast.File, info *types.Info, pattern string, params []string, report Reporter) {
	for _, file := range files {
		if strings.HasSuffix(fset.File(file.Pos()).Name(), "_test.go") {
			continue
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			arg := paramArg(call, info)
			if arg == nil {
				return true
			}
			tv, ok := info.Types[arg]
			if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
				return true
			}
			name := constant.StringVal(tv.Value)
			if slices.Contains(params, name) {
				return true
			}
			if len(params) == 0 {
				report(arg.Pos(), fmt.Sprintf("Param(%q): route %s has no params", name, pattern))
			} else {
				report(arg.Pos(), fmt.Sprintf("Param(%q): route %s has no param %q (its params: %s)", name, pattern, name, strings.Join(params, ", ")))
			}
			return true
		})
	}
}

// paramArg returns the name argument of call if it calls
// (*framework.Request).Param, as r.Param(name) or as the method expression
// (*framework.Request).Param(r, name); else nil.
func paramArg(call *ast.CallExpr, info *types.Info) ast.Expr {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok || fn.Name() != "Param" || fn.Pkg() == nil || fn.Pkg().Path() != frameworkPath {
		return nil
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil || !isPointerTo(recv.Type(), frameworkPath, "Request") {
		return nil
	}
	i := 0
	if s, ok := info.Selections[sel]; ok && s.Kind() == types.MethodExpr {
		i = 1
	}
	if len(call.Args) <= i {
		return nil
	}
	return call.Args[i]
}
