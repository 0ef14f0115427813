package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// nextBatch waits for the watcher's next batch, sorted, or fails.
func nextBatch(t *testing.T, changes <-chan []string) []string {
	t.Helper()
	select {
	case b := <-changes:
		slices.Sort(b)
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported within 5s")
		return nil
	}
}

// TestWatchApp: saves of sources are reported once per batch; generated
// files and dot folders are not; a folder created with files in it is
// watched and its files reported.
func TestWatchApp(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"app", ".framework", "public"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes, err := watchApp(ctx, dir, func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	write := func(rel string) string {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// Generated files and what dev itself writes are not changes.
	write("app/page_templ.go")
	write("routes_gen.go")
	write(".framework/dev-server-1")
	page := write("app/page.templ")
	write("app/page.templ") // the same save, twice
	css := write("public/site.css")
	if got, want := nextBatch(t, changes), []string{page, css}; !slices.Equal(got, want) {
		t.Errorf("batch %v, want %v", got, want)
	}

	// A new folder with a page written at once.
	if err := os.MkdirAll(filepath.Join(dir, "app", "about"), 0o755); err != nil {
		t.Fatal(err)
	}
	about := write("app/about/page.templ")
	got := nextBatch(t, changes)
	if !slices.Contains(got, about) {
		t.Errorf("batch %v lacks %s", got, about)
	}
	// And the new folder is watched.
	later := write("app/about/data.go")
	if got := nextBatch(t, changes); !slices.Equal(got, []string{later}) {
		t.Errorf("batch %v, want %s", got, later)
	}
}

// TestTemplTextUpdate: an edit of literal text and markup only is applied
// through the text file and the _templ.go file; an edit of a Go expression
// is refused (errGoChanged) and writes nothing.
func TestTemplTextUpdate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app", "page.templ")
	os.MkdirAll(filepath.Dir(file), 0o755)
	page := func(h1, expr string) {
		src := "package app\n\ntempl Page(name string) {\n\t" + h1 + "\n\t<p>{ " + expr + " }</p>\n}\n"
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page("<h1>Hello</h1>", "name")
	root := t.TempDir()
	tt, err := scanTempl(dir, root)
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := filepath.Glob(filepath.Join(root, "templ_*.txt"))
	if len(texts) != 1 {
		t.Fatalf("text files %v, want one", texts)
	}
	read := func() string { b, _ := os.ReadFile(texts[0]); return string(b) }
	if got := read(); !strings.Contains(got, "<h1>Hello</h1>") {
		t.Fatalf("text file %q", got)
	}

	page(`<h1 class="big">Bonjour</h1>`, "name")
	if err := tt.update(root, []string{file}); err != nil {
		t.Fatalf("text and markup edit: %v, want applied", err)
	}
	if got := read(); !strings.Contains(got, `<h1 class=\"big\">Bonjour</h1>`) {
		t.Errorf("text file after the edit: %q", got)
	}
	if goSrc, _ := os.ReadFile(filepath.Join(dir, "app", "page_templ.go")); !strings.Contains(string(goSrc), "Bonjour") {
		t.Errorf("page_templ.go not rewritten:\n%s", goSrc)
	}

	before := read()
	page(`<h1 class="big">Bonjour</h1>`, `name + "!"`)
	if err := tt.update(root, []string{file}); !errors.Is(err, errGoChanged) {
		t.Fatalf("Go edit: %v, want errGoChanged", err)
	}
	if read() != before {
		t.Errorf("a Go edit changed the text file")
	}
	// A .templ file the build did not have is new code.
	other := filepath.Join(dir, "app", "other.templ")
	os.WriteFile(other, []byte("package app\n\ntempl Other() {\n\t<p>x</p>\n}\n"), 0o644)
	if err := tt.update(root, []string{other}); !errors.Is(err, errGoChanged) {
		t.Fatalf("new file: %v, want errGoChanged", err)
	}
}
