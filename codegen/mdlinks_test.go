package codegen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMarkdownBrokenLinks: a relative link of a page.md or of a content
// file to a .md file that does not exist is reported at its file, line
// (counted from the top, front matter included) and column; links to
// files that exist, to the page.md of a folder with a page.templ (its
// page), absolute and remote links are not.
func TestMarkdownBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"app/docs/page.md":       "---\ntitle: Docs\n---\n# Docs\n\nRead [setup](setup/page.md), [the guide](gide/page.md#a)\nand [notes](notes.md), [home](../page.md), [x](https://example.com/a.md), [y](/a.md).\n",
		"app/docs/setup/page.md": "# Setup\n",
		"app/page.templ":         "package app\n",
		"content/posts/a.md":     "---\ntitle: A\n---\nSee [b](b.md) and [c](c.md).\n",
		"content/posts/c.md":     "---\ntitle: C\n---\nBack to [a](a.md).\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := MarkdownPage(dir, filepath.Join(dir, "app", "docs", "page.md"))
	if err != nil {
		t.Fatal(err)
	}
	content, err := contentBrokenLinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := append(out.BrokenLinks, content...)
	sortBrokenLinks(got)
	var lines []string
	for _, l := range got {
		lines = append(lines, l.Pos.String()+" "+l.Dest+" "+l.Target)
	}
	want := []string{
		"app/docs/page.md:6:30 gide/page.md#a app/docs/gide/page.md",
		"app/docs/page.md:7:5 notes.md app/docs/notes.md",
		"content/posts/a.md:4:5 b.md content/posts/b.md",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("broken links (-want +got):\n%s", diff)
	}
}

// TestPublicImageTagUnoptimized: under FRAMEWORK_UNOPTIMIZED_IMAGES=1 a
// Markdown image from public/ links the file, as framework.Image does
// then, with its size.
func TestPublicImageTagUnoptimized(t *testing.T) {
	t.Setenv("FRAMEWORK_UNOPTIMIZED_IMAGES", "1")
	tag, ok := publicImageTag(filepath.Join("testdata", "markdown"), "/cat.png", "A cat")
	if want := `<img alt="A cat" width="3" height="2" loading="lazy" decoding="async" src="/cat.png">`; !ok || tag != want {
		t.Errorf("publicImageTag: %v %s, want %s", ok, tag, want)
	}
}
