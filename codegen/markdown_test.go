package codegen

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// compareGolden compares got with dir's committed routes_gen.go; -update
// writes it.
func compareGolden(t *testing.T, dir string, got []byte) {
	t.Helper()
	golden := filepath.Join(dir, OutputFile)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("generated file differs from %s (-want +got; go test ./codegen -run Golden -update to accept):\n%s", golden, diff)
	}
}

// TestGoldenMarkdown generates the router of testdata/markdown, an app of
// page.md files, and compares it with the committed routes_gen.go, which
// TestServeMarkdown compiles and serves: the draft is left out, the page
// with revalidate: 60 gets its window, the others framework.Never.
func TestGoldenMarkdown(t *testing.T) {
	dir := filepath.Join("testdata", "markdown")
	res, got, err := routesFile(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, dir, got)
	goldenStatic(t, dir, res.static)
	want := []Page{
		{Pattern: "/", File: "app/page.md"},
		{Pattern: "/docs", File: "app/docs/page.md", Dynamic: true},
		{Pattern: "/docs/setup_guide", File: "app/docs/setup_guide/page.md"},
	}
	if diff := cmp.Diff(want, res.Pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	// framework dev keeps drafts.
	res, _, err = routesFile(context.Background(), dir, Drafts())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != 4 || res.Pages[3].Pattern != "/drafts" {
		t.Errorf("with Drafts: pages %+v, want /drafts among them", res.Pages)
	}
}

// TestMarkdownLink: relative links to a page.md become its route; any
// other link is left as written.
func TestMarkdownLink(t *testing.T) {
	for _, tc := range []struct{ dir, dest, want string }{
		{"app/docs", "setup/page.md", "/docs/setup"},
		{"app/docs", "./setup/page.md#install", "/docs/setup#install"},
		{"app/docs", "../page.md", "/"},
		{"app/docs/a", "../../blog/id_/page.md", "/blog/:id"},
		{"app/docs", "page.md?x=1", "/docs?x=1"},
		{"app", "../README.md", "../README.md"},
		{"app", "../page.md", "../page.md"}, // outside app/
		{"app", "notes.md", "notes.md"},
		{"app", "https://example.com/page.md", "https://example.com/page.md"},
		{"app", "/page.md", "/page.md"},
		{"app", "#top", "#top"},
	} {
		if got := markdownLink(tc.dir, tc.dest); got != tc.want {
			t.Errorf("markdownLink(%q, %q) = %q, want %q", tc.dir, tc.dest, got, tc.want)
		}
	}
}
