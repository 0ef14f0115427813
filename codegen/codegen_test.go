package codegen

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGolden generates the router of testdata/full and compares it with the
// committed routes_gen.go, which TestServe compiles and serves.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "full")
	golden := filepath.Join(dir, OutputFile)
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Generate(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		if !*update {
			os.WriteFile(golden, want, 0o644) // leave the golden file as it was
			t.Fatalf("generated file differs from %s (go test ./codegen -run Golden -update to accept):\n%s", golden, lineDiff(string(want), string(got)))
		}
		t.Logf("updated %s", golden)
	}
	var patterns []string
	for _, p := range res.Pages {
		patterns = append(patterns, p.Pattern)
	}
	if strings.Join(patterns, " ") != "/ /blog /blog/:id /docs/*" {
		t.Errorf("pages in registration order: %v", patterns)
	}
	if len(res.Handlers) != 1 || strings.Join(res.Handlers[0].Methods, ",") != "GET,POST" {
		t.Errorf("handlers: %+v", res.Handlers)
	}

	// Again, with nothing changed: the same bytes, not even rewritten.
	info, _ := os.Stat(golden)
	res, err = Generate(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := os.Stat(golden)
	if res.Changed || !again.ModTime().Equal(info.ModTime()) {
		t.Fatal("a second run with no change rewrote the file")
	}
}

// TestErrors runs every fixture under testdata/errors and compares the
// error with its want.txt.
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
			_, err := Generate(context.Background(), dir)
			if err == nil {
				t.Fatal("Generate succeeded")
			}
			if _, statErr := os.Stat(filepath.Join(dir, OutputFile)); statErr == nil {
				t.Error("a failed Generate wrote " + OutputFile)
			}
			got := err.Error() + "\n"
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				os.WriteFile(wantFile, []byte(got), 0o644)
				return
			}
			want, _ := os.ReadFile(wantFile)
			if got != string(want) {
				t.Errorf("error:\n%s\nwant:\n%s", got, want)
			}
			var list Errors
			if !errors.As(err, &list) && !strings.HasPrefix(got, "templ generate") {
				t.Errorf("error is a %T, want codegen.Errors", err)
			}
		})
	}
}

// lineDiff shows the first differing lines of two texts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n- " + wl + "\n+ " + gl + "\n")
			shown++
		}
	}
	return b.String()
}
