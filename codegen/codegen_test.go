package codegen

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGolden generates the router of testdata/full in memory and compares
// it with the committed routes_gen.go, which TestServe compiles and
// serves. Only -update writes it.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "full")
	res, got, err := routesFile(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, dir, got)

	goldenStatic(t, dir, res.static)

	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantRes := &Result{
		Output: filepath.Join(abs, OutputFile),
		Pages: []Page{
			{Pattern: "/", File: "app/page.templ"},
			{Pattern: "/blog", File: "app/blog/page.templ", Dynamic: true},
			{Pattern: "/blog/:id", File: "app/blog/id_/page.templ", Dynamic: true, StaticParams: true},
			{Pattern: "/docs/*", File: "app/docs/slug__/page.templ"},
		},
		Handlers: []Handler{{Pattern: "/api/ping", File: "app/api/ping/route.go", Methods: []string{"GET", "POST"}}, {Pattern: "/hook", File: "app/hook/route.go", Methods: []string{"POST"}}},
		Sitemap:  "automatic",
		Robots:   "app/robots.go",
	}
	if diff := cmp.Diff(wantRes, res, cmpopts.IgnoreUnexported(Result{})); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestWriteIfChanged: a run with nothing new leaves the file alone, so
// that go build and file watchers see no change.
func TestWriteIfChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), OutputFile)
	for _, step := range []struct {
		src         string
		wantChanged bool
	}{
		{"package a\n", true},  // no file yet
		{"package a\n", false}, // the same bytes
		{"package b\n", true},  // new bytes
	} {
		changed, err := writeIfChanged(path, []byte(step.src))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if changed != step.wantChanged || string(got) != step.src {
			t.Errorf("writeIfChanged(%q) = %v, file %q; want %v", step.src, changed, got, step.wantChanged)
		}
	}
}

// TestErrors checks every fixture under testdata/errors and compares the
// errors with its want.txt, one file:line:col: message per line. It runs
// templ generate on the fixtures first (their _templ.go files are not
// committed).
func TestErrors(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "errors", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatal("no error fixtures", err)
	}
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			app := copyFixture(t, dir)
			if err := templGenerate(context.Background(), app, filepath.Join(app, "app")); err != nil {
				t.Fatal(err)
			}
			_, _, err := routesFile(context.Background(), app)
			if err == nil {
				t.Fatal("routesFile succeeded")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is a %T, want a codegen.ErrorList: %v", err, err)
			}
			got := err.Error() + "\n"
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for _, e := range list {
				if e.Pos.Line > 0 && e.Pos.Column == 0 {
					t.Errorf("%v: a line but no column", e)
				}
				if strings.HasSuffix(e.Pos.Filename, "_templ.go") {
					t.Errorf("%v: in templ's output, not the .templ file", e)
				}
			}
		})
	}
}

// goldenStatic compares what the build makes of testdata/full's public/
// and assets/ (static_gen.go and static_gen/) with the committed files,
// which TestServe compiles and serves. Only -update writes them.
func goldenStatic(t *testing.T, dir string, got map[string][]byte) {
	t.Helper()
	if *update {
		if err := writeStatic(dir, got); err != nil {
			t.Fatal(err)
		}
	}
	want := make(map[string]string)
	for _, rel := range []string{StaticFile, StaticDir} {
		filepath.WalkDir(filepath.Join(dir, rel), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				body, _ := os.ReadFile(p)
				r, _ := filepath.Rel(dir, p)
				want[filepath.ToSlash(r)] = string(body)
			}
			return nil
		})
	}
	gotText := make(map[string]string)
	for rel, body := range got {
		gotText[rel] = string(body)
	}
	if diff := cmp.Diff(want, gotText); diff != "" {
		t.Errorf("static files differ from %s (-want +got; go test ./codegen -run Golden -update to accept):\n%s", dir, diff)
	}
}

// copyFixture copies the app in dir (its app/ folder) to a temp dir, so that
// templ generate writes its _templ.go files there rather than in the tree,
// as a module that requires this one from the working copy. It returns the
// copy's directory.
func copyFixture(t *testing.T, dir string) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..")) // the repository's module
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's module takes the repository's requirements (templ,
	// Echo), the repository itself from the working copy.
	_, requires, _ := strings.Cut(string(gomod), "\n")
	mod := "module fixture\n" + requires + "\nrequire github.com/isr-go/framework v0.0.0\n\nreplace github.com/isr-go/framework => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}
