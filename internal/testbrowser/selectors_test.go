package testbrowser

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// selectorActions are chromedp's actions that take a selector and query it
// BySearch unless told otherwise.
var selectorActions = map[string]bool{
	"WaitReady": true, "WaitVisible": true, "WaitNotVisible": true, "WaitEnabled": true,
	"WaitSelected": true, "WaitNotPresent": true, "Click": true, "DoubleClick": true,
	"SendKeys": true, "SetValue": true, "Value": true, "Text": true, "TextContent": true,
	"InnerHTML": true, "OuterHTML": true, "Attributes": true, "AttributesAll": true,
	"AttributeValue": true, "SetAttributes": true, "SetAttributeValue": true,
	"RemoveAttribute": true, "JavascriptAttribute": true, "SetJavascriptAttribute": true,
	"Submit": true, "Reset": true, "Clear": true, "Focus": true, "Blur": true,
	"ScrollIntoView": true, "Screenshot": true, "ScreenshotScale": true, "Dimensions": true,
	"ComputedStyle": true, "MatchedStyle": true, "Nodes": true, "NodeIDs": true,
	"Query": true, "QueryAfter": true, "SetUploadFiles": true,
}

// TestSelectorsQueryTheDOM: every chromedp action with a selector in the
// repository's tests says how to query it, so that none searches the
// page's text by default and stalls on an inline <style> (see the package
// comment). BySearch is let through for XPath, which only it takes.
func TestSelectorsQueryTheDOM(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		for _, bad := range unqueriedSelectors(t, path) {
			t.Errorf("%s: chromedp.%s without chromedp.ByQuery (BySearch also matches page text)", bad.pos, bad.action)
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatalf("no test files found under %s", root)
	}
}

type unqueried struct {
	pos    token.Position
	action string
}

// unqueriedSelectors returns the calls of selectorActions in the file at
// path that pass no By option, or BySearch with a selector not XPath.
func unqueriedSelectors(t *testing.T, path string) []unqueried {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var bad []unqueried
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		action := chromedpName(call.Fun)
		if !selectorActions[action] {
			return true
		}
		by := ""
		for _, arg := range call.Args[1:] {
			if name := chromedpName(arg); strings.HasPrefix(name, "By") {
				by = name
			}
		}
		if by == "" || by == "BySearch" && !isXPath(call.Args[0]) {
			bad = append(bad, unqueried{fset.Position(call.Pos()), action})
		}
		return true
	})
	return bad
}

// chromedpName returns Name for the expression chromedp.Name, and "" for
// any other.
func chromedpName(e ast.Expr) string {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "chromedp" {
		return ""
	}
	return sel.Sel.Name
}

// isXPath reports whether e is a string literal of an XPath expression.
func isXPath(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	s, err := strconv.Unquote(lit.Value)
	return err == nil && strings.HasPrefix(s, "/")
}
