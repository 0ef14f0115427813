package cli_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDevEditsMarkdownWithoutRebuild runs framework dev on a new app with a
// page.md, a draft (which dev serves): an edit of its body and its front
// matter is served by the same binary, without a rebuild.
func TestDevEditsMarkdownWithoutRebuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "myapp")
	if out, err := framework(t, ".", "new", dir); err != nil {
		t.Fatalf("framework new: %v\n%s", err, out)
	}
	md := "---\ntitle: About us\ndraft: true\n---\n\n# About\n\nWe write Go.\n"
	if err := os.MkdirAll(filepath.Join(dir, "app", "about"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "about", "page.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &devApp{dir: dir, out: &syncBuffer{}, base: "http://" + freeAddr(t)}
	d.start(t)
	waitFor(t, "about", d.base+"/about", 10*time.Second, 50*time.Millisecond, func(p page) bool {
		return strings.Contains(p.body, `<h1 id="about">About`) && strings.Contains(p.body, "We write Go.")
	})
	bins := d.binaries()

	d.edit(t, "app/about/page.md", "We write Go.", "We write Go and *Markdown*.")
	waitFor(t, "body edit", d.base+"/about", 10*time.Second, 10*time.Millisecond, func(p page) bool {
		return strings.Contains(p.body, "We write Go and <em>Markdown</em>.")
	})
	d.edit(t, "app/about/page.md", "title: About us", "title: Who we are")
	d.edit(t, "app/about/page.md", "# About", "# Who we are")
	waitFor(t, "front matter edit", d.base+"/about", 10*time.Second, 10*time.Millisecond, func(p page) bool {
		return strings.Contains(p.body, "<title>Who we are") && strings.Contains(p.body, `<h1 id="who-we-are">`)
	})
	if strings.Contains(d.out.String(), "rebuilding") {
		t.Errorf("a page.md edit rebuilt the app:\n%s", d.out)
	}
	if got := d.binaries(); !slices.Equal(got, bins) {
		t.Errorf("binaries after page.md edits: %v, want %v (no rebuild)", got, bins)
	}
	if !strings.Contains(d.out.String(), "app/about/page.md: text updated") {
		t.Errorf("dev did not say the page was updated:\n%s", d.out)
	}
}
