package cli_test

import (
	"fmt"
	"os"
	"os/exec"
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

// BenchmarkDevEditMarkdown measures framework dev from a save of a page.md
// to the new page being served (no rebuild), as BenchmarkDevEdit does for
// a .templ file:
//
//	go test ./cli -run '^$' -bench BenchmarkDevEditMarkdown -benchtime 10x
func BenchmarkDevEditMarkdown(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "myapp")
	if out, err := exec.Command(frameworkBin(b), "new", dir).CombinedOutput(); err != nil {
		b.Fatalf("framework new: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "app", "about"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "about", "page.md"), []byte("# Welcome\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	d := &devApp{dir: dir, out: &syncBuffer{}, base: "http://" + freeAddr(b)}
	d.start(b)
	current := "# Welcome\n"
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		next := fmt.Sprintf("# Welcome %d\n", i+1)
		want := fmt.Sprintf("Welcome %d <a", i+1)
		start := time.Now()
		d.edit(b, "app/about/page.md", current, next)
		waitFor(b, "edit", d.base+"/about", 10*time.Second, 2*time.Millisecond, func(p page) bool { return strings.Contains(p.body, want) })
		times = append(times, time.Since(start))
		current = next
		b.StopTimer()
		time.Sleep(150 * time.Millisecond) // a person does not save faster
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "ms-max")
}
