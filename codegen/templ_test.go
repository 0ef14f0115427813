package codegen

import (
	"bytes"
	"go/format"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	templgen "github.com/a-h/templ/generator"
	templparser "github.com/a-h/templ/parser/v2"
)

// TestMatchTokens: gofmt changes the whitespace and semicolons of templ's
// output and sorts its import blocks; the tokens still match.
func TestMatchTokens(t *testing.T) {
	for _, tc := range []struct {
		name, code, written string
		want                []int
	}{
		{"same", "package a\nvar x = 1\n", "package a\n\nvar x = 1\n", []int{0, 1, 2, 3, 4, 5}},
		{"semicolons", "package a\nfunc f() { return }\n", "package a\n\nfunc f() {\n\treturn\n}\n", []int{0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{
			"sorted imports",
			"package a\nimport (\n\"b\"\n\"a\"\n)\nvar x = 1\n",
			"package a\n\nimport (\n\t\"a\"\n\t\"b\"\n)\n\nvar x = 1\n",
			[]int{0, 1, 2, 3, 5, 4, 6, 7, 8, 9, 10},
		},
		{"different", "package a\nvar x = 1\n", "package a\nconst y = 2\n", []int{0, 1, -1, -1, -1, -1}},
	} {
		fset := token.NewFileSet()
		_, code := scanTokens(fset, []byte(tc.code))
		_, written := scanTokens(fset, []byte(tc.written))
		got := matchTokens(written, code)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: matchTokens = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestTemplPosition maps positions in a _templ.go file, written as templ
// generate writes it (gofmt'ed), to the .templ file.
func TestTemplPosition(t *testing.T) {
	const source = "package app\n\ntempl Page(title string) {\n\t<h1>{ title }</h1>\n}\n"
	appDir := t.TempDir()
	templFile := filepath.Join(appDir, "page.templ")
	goFile := filepath.Join(appDir, "page_templ.go")
	handWritten := filepath.Join(appDir, "other_templ.go") // no other.templ
	for file, content := range map[string]string{templFile: source, handWritten: "package app\n"} {
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	written := templGenerated(t, source)
	if err := os.WriteFile(goFile, written, 0o644); err != nil {
		t.Fatal(err)
	}
	// at returns the position of the n-th (from 1) occurrence of s in the
	// written file.
	at := func(s string, n int) token.Position {
		offset := -1
		for range n {
			offset += 1 + bytes.Index(written[offset+1:], []byte(s))
		}
		before := written[:offset]
		return token.Position{
			Filename: goFile,
			Line:     bytes.Count(before, []byte("\n")) + 1,
			Column:   offset - bytes.LastIndexByte(before, '\n'),
		}
	}
	inTempl := func(line, col int) token.Position {
		return token.Position{Filename: templFile, Line: line, Column: col}
	}
	for _, tc := range []struct {
		name string
		in   token.Position
		want token.Position
	}{
		{"template name", at("Page(", 1), inTempl(3, 7)},
		{"param", at("title string", 1), inTempl(3, 12)},
		{"expression", at("title)", 1), inTempl(4, 8)},
		{"left of an expression", at("(title)", 1), inTempl(4, 8)}, // JoinStringErrs's "(": the expression's start
		{"templ's own code", at("templ_7745c5c3_Buffer", 1), inTempl(0, 0)},
		{"no line", token.Position{Filename: goFile}, inTempl(0, 0)},
		{"not templ's", token.Position{Filename: filepath.Join(appDir, "page.go"), Line: 3, Column: 7}, token.Position{Filename: filepath.Join(appDir, "page.go"), Line: 3, Column: 7}},
		{"no .templ file", token.Position{Filename: handWritten, Line: 1, Column: 1}, token.Position{Filename: handWritten, Line: 1, Column: 1}},
	} {
		got := newTemplSources(appDir).position(tc.in)
		got.Offset = 0
		if got != tc.want {
			t.Errorf("%s: position(%v) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}

	// A written file out of date with the .templ file: what no longer
	// matches maps to the file alone, not to a wrong line.
	stale := templGenerated(t, strings.Replace(source, "<h1>{ title }</h1>", "<h1>{ strings.ToUpper(title) }</h1>", 1))
	if err := os.WriteFile(goFile, stale, 0o644); err != nil {
		t.Fatal(err)
	}
	offset := bytes.Index(stale, []byte("ToUpper"))
	in := token.Position{Filename: goFile, Line: bytes.Count(stale[:offset], []byte("\n")) + 1, Column: offset - bytes.LastIndexByte(stale[:offset], '\n')}
	if got := newTemplSources(appDir).position(in); got != inTempl(0, 0) {
		t.Errorf("stale file: position(%v) = %v, want %v", in, got, inTempl(0, 0))
	}
}

// templGenerated returns what templ generate writes for source.
func templGenerated(t *testing.T, source string) []byte {
	t.Helper()
	tf, err := templparser.ParseString(source)
	if err != nil {
		t.Fatal(err)
	}
	var code bytes.Buffer
	if _, err := templgen.Generate(tf, &code, templgen.WithFileName("page.templ")); err != nil {
		t.Fatal(err)
	}
	src, err := format.Source(code.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return src
}
