package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
	return code, out.String(), errOut.String()
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Commands:"},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
		{[]string{"build", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"new"}, 2, "want one directory"},
		{[]string{"new", "a", "b"}, 2, "want one directory"},
		{[]string{"build", "a", "b"}, 2, "at most one app directory"},
		{[]string{"revalidate"}, 2, "nothing to revalidate"},
		{[]string{"revalidate", "--tag", "posts"}, 2, "no secret"},
		{[]string{"start", t.TempDir()}, 1, "no build in"},
		{[]string{"build", t.TempDir()}, 1, "has no app/ folder"},
		{[]string{"dev", t.TempDir()}, 1, "has no app/ folder"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("framework %v: exit %d, stderr %q; want exit %d with %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, c := range commands {
		code, _, stderr := run(t, c.name, "--help")
		if code != 0 || !strings.Contains(stderr, "Example:") || !strings.Contains(stderr, "usage: framework "+c.name) {
			t.Errorf("framework %s --help: exit %d\n%s", c.name, code, stderr)
		}
	}
}

func TestNewRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "new", "--framework", "..", dir)
	if code != 1 || !strings.Contains(stderr, "is not empty") {
		t.Fatalf("new into a non-empty dir: exit %d, %q", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Fatal("new changed the existing file")
	}
}

func TestRemoveOldCachesKeepsWhatIsNotABuild(t *testing.T) {
	caches := t.TempDir()
	current, old := newBuildID(), "20260101T000000-abcdef"
	for _, d := range []string{current, old, "dev-0", "photos"} {
		if err := os.MkdirAll(filepath.Join(caches, d, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(caches, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := removeOldCaches(caches, current); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(caches)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{current, "dev-0", "notes.txt", "photos"}
	if !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
}
