package cli_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// exitCode returns the exit status in err, from running the binary: 0 for
// nil.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("run: %v", err)
	return -1
}

// edit replaces old with new in the app's file name, which must hold it.
func edit(t *testing.T, dir, name, old, new string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not hold %q", name, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lineOf returns the 1-based line of the first line of name that starts
// with prefix.
func lineOf(t *testing.T, dir, name, prefix string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line starting with %q", name, prefix)
	return 0
}

// TestVetParamAndSeconds: in a new app, const Revalidate = 60 is a minute
// (seconds, as Next.js's revalidate) and passes, while r.Param("idd") on
// /blog/:id, which would answer 404 for every post, is reported by
// framework vet and framework build at its place, with the same message,
// exit 1; vet exits 0 on the app as framework new makes it and once it is
// fixed.
func TestVetParamAndSeconds(t *testing.T) {
	dir := newApp(t)
	out, err := framework(t, dir, "vet")
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("framework vet on a new app: exit %d\n%s", code, out)
	}

	const page = "app/blog/id_/page.go"
	// Expire keeps the time import used.
	edit(t, dir, page, "const Revalidate = time.Minute", "const Revalidate = 60\n\nconst Expire = time.Hour")
	edit(t, dir, page, `id := r.Param("id")`, `id := r.Param("idd")`)
	line := lineOf(t, dir, page, "\tid := r.Param(\"idd\")")
	col := len("\tid := r.Param(") + 1
	want := page + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + `: Param("idd"): route /blog/:id has no param "idd" (its params: id)`

	out, err = framework(t, dir, "vet")
	if code := exitCode(t, err); code != 1 {
		t.Errorf("framework vet: exit %d, want 1", code)
	}
	if got, wantOut := out, want+"\n"; got != wantOut {
		t.Errorf("framework vet printed\n%s\nwant\n%s", got, wantOut)
	}

	out, err = framework(t, dir, "build")
	if code := exitCode(t, err); code != 1 {
		t.Errorf("framework build: exit %d, want 1", code)
	}
	if got, wantOut := out, "Generating routes...\n"+want+"\n"; got != wantOut {
		t.Errorf("framework build printed\n%s\nwant\n%s", got, wantOut)
	}

	edit(t, dir, page, `r.Param("idd")`, `r.Param("id")`)
	out, err = framework(t, dir, "vet")
	if code := exitCode(t, err); code != 0 {
		t.Errorf("framework vet after the fix: exit %d\n%s", code, out)
	}
}

// TestBuildErrorsOnce checks that a Go compile error (in main.go, which
// only go build compiles) and a templ syntax error are each printed once,
// at file:line:col relative to the app, and nothing else: no "# pkg"
// header, no "./", no "exit status 1", templ's 0-based column made 1-based.
func TestBuildErrorsOnce(t *testing.T) {
	dir := newApp(t)
	if err := os.WriteFile(filepath.Join(dir, "broken.go"), []byte("package main\n\nfunc broken() { var x int = \"s\"; _ = x }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := framework(t, dir, "build")
	if code := exitCode(t, err); code != 1 {
		t.Errorf("framework build: exit %d, want 1", code)
	}
	// After "Compiling (build ID)...": the ID is new every run.
	if !strings.HasPrefix(out, "Generating routes...\nCompiling (build ") {
		t.Errorf("framework build printed\n%s", out)
	}
	_, got, _ := strings.Cut(out, ")...\n")
	if want := "broken.go:3:29: cannot use \"s\" (untyped string constant) as int value in variable declaration\n"; got != want {
		t.Errorf("framework build printed after compiling\n%s\nwant\n%s", got, want)
	}
	if err := os.Remove(filepath.Join(dir, "broken.go")); err != nil {
		t.Fatal(err)
	}

	// templ reports the end of the file, where it looked for the close
	// tag of the <div>: line 7, col 0 in its words.
	if err := os.WriteFile(filepath.Join(dir, "app", "page.templ"), []byte("package app\n\ntempl Page() {\n\t<div>\n\t{ \n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "app/page.templ:7:1: <div>: close tag not found\n"
	for _, cmd := range []string{"build", "vet"} {
		out, err := framework(t, dir, cmd)
		if code := exitCode(t, err); code != 1 {
			t.Errorf("framework %s: exit %d, want 1", cmd, code)
		}
		got := strings.TrimPrefix(out, "Generating routes...\n")
		if wantOut := want; got != wantOut {
			t.Errorf("framework %s printed\n%s\nwant\n%s", cmd, got, wantOut)
		}
	}
}
