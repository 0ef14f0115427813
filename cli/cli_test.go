package cli

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/isr-go/framework/framework/server"
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
		{[]string{"start", ".", "--addr"}, 2, "flag needs an argument: -addr"},
		{[]string{"new"}, 2, "want one directory"},
		{[]string{"new", "a", "b"}, 2, "want one directory"},
		{[]string{"new", "a", "--module", "x", "b"}, 2, "want one directory, got 2"},
		{[]string{"new", "--", "a", "--module", "x"}, 2, "want one directory, got 3"},
		{[]string{"build", "a", "b"}, 2, "at most one app directory"},
		{[]string{"revalidate"}, 2, "nothing to revalidate"},
		{[]string{"revalidate", "--tag", "posts"}, 2, "no secret"},
		{[]string{"revalidate", "--tag", "posts", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"start", t.TempDir()}, 1, "no build in"},
		{[]string{"build", t.TempDir()}, 1, "has no app/ folder"},
		{[]string{"dev", t.TempDir()}, 1, "has no app/ folder"},
		{[]string{"dev", t.TempDir(), "--addr", "127.0.0.1:0"}, 1, "has no app/ folder"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("framework %v: exit %d, stderr %q; want exit %d with %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// TestUsageErrorIsOneLine checks that a usage error is its line and a
// pointer to --help, not buried under the whole help.
func TestUsageErrorIsOneLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, "framework: unknown command \"bogus\"\nrun 'framework --help' for usage\n"},
		{[]string{"build", "--nope"}, "framework build: flag provided but not defined: -nope\nrun 'framework build --help' for usage\n"},
		{[]string{"new", "a", "b"}, "framework new: want one directory, got 2 arguments\nrun 'framework new --help' for usage\n"},
		{[]string{"revalidate"}, "framework revalidate: nothing to revalidate: give --path, --layout or --tag\nrun 'framework revalidate --help' for usage\n"},
		{[]string{"start", "a", "b"}, "framework start: want at most one app directory, got [\"a\" \"b\"]\nrun 'framework start --help' for usage\n"},
	} {
		code, stdout, stderr := run(t, tc.args...)
		if code != 2 || stderr != tc.want || stdout != "" {
			t.Errorf("framework %q: exit %d, stdout %q, stderr\n%s\nwant exit 2 and\n%s", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, c := range commands {
		for _, help := range []string{"--help", "-h"} {
			code, _, stderr := run(t, c.name, help)
			if code != 0 || !strings.Contains(stderr, "Example:") || !strings.Contains(stderr, "usage: framework "+c.name) {
				t.Errorf("framework %s %s: exit %d\n%s", c.name, help, code, stderr)
			}
		}
	}
}

// TestServerFlagsHaveOneDefinition checks that start, build, export and
// dev show the server binary's own help for the flags they share with it
// (all but the link and export checks, which are the command's own).
func TestServerFlagsHaveOneDefinition(t *testing.T) {
	var cfg server.Config
	want := flag.NewFlagSet("server", flag.ContinueOnError)
	cfg.Bind(want, func(string) string { return "" })
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	for name, fs := range map[string]*flag.FlagSet{
		"start":  (&startCommand{env: env}).flags(),
		"build":  (&buildCommand{env: env}).flags(),
		"dev":    (&devCommand{env: env}).flags(),
		"export": (&exportCommand{env: env}).flags(),
	} {
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "strict" || f.Name == "strict-links" {
				return
			}
			w := want.Lookup(f.Name)
			if w == nil || w.Usage != f.Usage || w.DefValue != f.DefValue {
				t.Errorf("framework %s --%s: %q (default %q), the server has %+v", name, f.Name, f.Usage, f.DefValue, w)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		positional []string
		module     string
		force      bool
	}{
		{[]string{"dir"}, []string{"dir"}, "", false},
		{[]string{"--module", "m", "dir"}, []string{"dir"}, "m", false},
		{[]string{"dir", "--module", "m"}, []string{"dir"}, "m", false},
		{[]string{"dir", "--module=m", "--force"}, []string{"dir"}, "m", true},
		{[]string{"a", "--force", "b", "--module", "m", "c"}, []string{"a", "b", "c"}, "m", true},
		{[]string{"a", "--", "--module", "m"}, []string{"a", "--module", "m"}, "", false},
		{[]string{"--", "-dir"}, []string{"-dir"}, "", false},
		{nil, nil, "", false},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		module := fs.String("module", "", "")
		force := fs.Bool("force", false, "")
		positional, err := parseArgs(fs, tc.args)
		if err != nil || !slices.Equal(positional, tc.positional) || *module != tc.module || *force != tc.force {
			t.Errorf("parseArgs(%q) = %q, %v, --module %q, --force %v; want %q, --module %q, --force %v",
				tc.args, positional, err, *module, *force, tc.positional, tc.module, tc.force)
		}
	}
}

// TestNewWithFlagsAfterDir runs framework new in process with its flags
// after the directory, as people type it.
func TestNewWithFlagsAfterDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "myapp")
	code, stdout, stderr := run(t, "new", dir, "--module", "example.com/x", "--framework", "..")
	if code != 0 || !strings.Contains(stdout, "module example.com/x") {
		t.Fatalf("framework new DIR --module example.com/x: exit %d\n%s%s", code, stdout, stderr)
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.HasPrefix(string(goMod), "module example.com/x\n") {
		t.Fatalf("go.mod: %v\n%s", err, goMod)
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
