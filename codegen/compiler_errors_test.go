package codegen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCompilerErrors parses go build's output as the framework prints it:
// one error each, relative to the app, without "# pkg" or "./", with the
// indented lines that go on an error kept with it.
func TestCompilerErrors(t *testing.T) {
	dir := t.TempDir()
	out := "# example.com/app\n" +
		"./main.go:3:29: cannot use \"s\" (untyped string constant) as int value in variable declaration\n" +
		"# example.com/app/app/blog\n" +
		"app/blog/posts.go:12:2: undefined: x\n" +
		"app/blog/posts.go:9:5: too many arguments in call to f\n" +
		"\thave (int, int)\n" +
		"\twant (int)\n" +
		"go: something without a position\n"
	got := NewSourcePositions(dir).CompilerErrors(out)
	got.Sort()
	want := []string{
		"go: something without a position",
		"app/blog/posts.go:9:5: too many arguments in call to f\n\thave (int, int)\n\twant (int)",
		"app/blog/posts.go:12:2: undefined: x",
		"main.go:3:29: cannot use \"s\" (untyped string constant) as int value in variable declaration",
	}
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Error())
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("CompilerErrors (-want +got):\n%s", diff)
	}
}

// TestTemplParseErrors checks that a .templ file templ cannot parse is
// reported at file:line:col, 1-based, relative to the app, once, and that
// the files beside it that parse are not reported.
func TestTemplParseErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/app\n\ngo 1.26\n")
	write("app/page.templ", "package app\n\ntempl Page() {\n\t<p>ok</p>\n}\n")
	write("app/blog/page.templ", "package blog\n\ntempl Page() {\n\t<div>\n\t{ \n}\n")
	err := GenerateTempl(t.Context(), dir)
	if err == nil {
		t.Fatal("GenerateTempl: no error")
	}
	// templ reports the end of the file, where it looked for </div>:
	// "line 7, col 0" in its words.
	if got, want := err.Error(), "app/blog/page.templ:7:1: <div>: close tag not found"; got != want {
		t.Errorf("GenerateTempl:\n%s\nwant\n%s", got, want)
	}
}
