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

// TestWatchApp: saves of the app's files are reported once per batch;
// generated files, dot folders, node_modules and editors' swap files are
// not; a folder created with files in it is watched and its files
// reported, the folder itself not.
func TestWatchApp(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"app", ".framework", "public", "data", "node_modules/pkg"} {
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
	write("node_modules/pkg/index.js")
	write("app/.page.templ.swp")
	page := write("app/page.templ")
	write("app/page.templ") // the same save, twice
	css := write("public/site.css")
	data := write("data/products.json")
	if got, want := nextBatch(t, changes), []string{page, data, css}; !slices.Equal(got, want) {
		t.Errorf("batch %v, want %v", got, want)
	}

	// A new folder with a page written at once.
	if err := os.MkdirAll(filepath.Join(dir, "app", "about"), 0o755); err != nil {
		t.Fatal(err)
	}
	about := write("app/about/page.templ")
	if got := nextBatch(t, changes); !slices.Equal(got, []string{about}) {
		t.Errorf("batch %v, want %s", got, about)
	}
	// And the new folder is watched.
	later := write("app/about/data.go")
	if got := nextBatch(t, changes); !slices.Equal(got, []string{later}) {
		t.Errorf("batch %v, want %s", got, later)
	}
}

// TestClassify: what each changed file asks of dev.
func TestClassify(t *testing.T) {
	root := filepath.FromSlash("/work/shop")
	embeds := []embedDir{
		{dir: "", patterns: []string{"all:public"}},
		{dir: "content", patterns: []string{"intro.md", "posts", "img/*.png"}},
		{dir: "app/docs", patterns: []string{"all:guides"}},
	}
	for _, tc := range []struct {
		rel  string
		want changeKind
	}{
		{"app/page.templ", changeText},
		{"app/blog/posts.go", changeBuild},
		{"main.go", changeBuild},
		{"go.mod", changeBuild},
		{"go.sum", changeBuild},
		{"internal/fast/sum_amd64.s", changeBuild},
		{"vendor/modules.txt", changeBuild},
		{"public/styles.css", changeBuild},
		// Embedded: by name, by a folder (new files too), by a glob.
		{"content/intro.md", changeBuild},
		{"content/posts/hello.md", changeBuild},
		{"content/posts/2026/new.md", changeBuild},
		{"content/img/logo.png", changeBuild},
		{"app/docs/guides/_draft.md", changeBuild}, // all: keeps _ and . names
		// Not embedded, so read at run time (or not at all).
		{"content/posts/_draft.md", changeData}, // a folder leaves out _ names
		{"content/posts/_old/x.md", changeData}, // and _ folders
		{"content/img/logo.svg", changeData},
		{"content/outro.md", changeData},
		{"intro.md", changeData}, // the pattern is content's own
		{"data/products.json", changeData},
		{".env", changeData},
		{".env.development.local", changeData},
		{"README.md", changeData},
		{"Dockerfile", changeData},
		// Written by the build, by dev, by editors or by the running app.
		{"app/page_templ.go", changeNone},
		{"app/page_templ.txt", changeNone},
		{"routes_gen.go", changeNone},
		{".framework/dev-server-3", changeNone},
		{".framework", changeNone},
		{"node_modules/esbuild/package.json", changeNone},
		{"node_modules", changeNone},
		{"app/node_modules/x.js", changeNone},
		{".git/index", changeNone},
		{"content/.cache/x", changeNone},
		{".gitignore", changeNone},
		{"app/.page.templ.swp", changeNone},
		{"app/page.templ~", changeNone},
		{"app/#page.templ#", changeNone},
		{"app/4913", changeNone},
		{"app/page.templ___jb_tmp___", changeNone},
		{"data/blog.db", changeNone},
		{"data/blog.db-wal", changeNone},
		{"data/blog.db-shm", changeNone},
		{"data/blog.sqlite3-journal", changeNone},
		{"server.log", changeNone},
	} {
		path := filepath.Join(root, filepath.FromSlash(tc.rel))
		if got := classify(root, path, embeds); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.rel, got, tc.want)
		}
	}
	// The app's folder itself, and what is outside it.
	for _, path := range []string{root, filepath.Dir(root), filepath.Join(filepath.Dir(root), "other", "x.json")} {
		if got := classify(root, path, embeds); got != changeNone {
			t.Errorf("%s: %v, want changeNone", path, got)
		}
	}
	// Without the app's embeds, an embedded file is data.
	if got := classify(root, filepath.Join(root, "content", "intro.md"), nil); got != changeData {
		t.Errorf("content/intro.md without embeds: %v, want changeData", got)
	}
}

// TestLoadEmbeds reads the //go:embed patterns of every package of an app
// with the go command, build constraints applied.
func TestLoadEmbeds(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                "module example.com/shop\n\ngo 1.22\n",
		"main.go":               "package main\n\nimport \"embed\"\n\n//go:embed all:public\nvar public embed.FS\n\nfunc main() {}\n",
		"public/a.css":          "a",
		"content/content.go":    "package content\n\nimport _ \"embed\"\n\n//go:embed intro.md\nvar Intro string\n",
		"content/intro.md":      "# Hi",
		"content/other_wasm.go": "package content\n\nimport _ \"embed\"\n\n//go:embed wasm.md\nvar Wasm string\n",
		"plain/plain.go":        "package plain\n",
	}
	for rel, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	embeds, err := loadEmbeds(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(embeds, func(a, b embedDir) int { return strings.Compare(a.dir, b.dir) })
	want := []embedDir{{dir: "", patterns: []string{"all:public"}}, {dir: "content", patterns: []string{"intro.md"}}}
	if !slices.EqualFunc(embeds, want, func(a, b embedDir) bool { return a.dir == b.dir && slices.Equal(a.patterns, b.patterns) }) {
		t.Errorf("embeds %+v, want %+v", embeds, want)
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
