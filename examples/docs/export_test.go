package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/isr-go/framework/internal/testnginx"
)

// generated reads the files framework build writes into the app in dir.
func generated(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := make(map[string][]byte)
	for _, name := range []string{"routes_gen.go", "static_gen.go"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		m[name] = b
	}
	err := filepath.WalkDir(filepath.Join(dir, "static_gen"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			m[filepath.ToSlash(rel)], err = os.ReadFile(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// copyApp copies the app (the working directory) into a temp dir, without
// build output, so that a build writes nothing into the source tree (the
// server binary, routes_gen.go), and points its go.mod's replace of the
// framework back at the checkout, as ../.. does in place.
func copyApp(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "docs")
	err = filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (p == ".framework" || p == "out"):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, p), 0o755)
		case !d.Type().IsRegular() || strings.HasSuffix(p, ".test"):
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, p), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy the app: %v", err)
	}
	cmd := exec.Command("go", "mod", "edit", "-replace", "github.com/isr-go/framework="+root)
	cmd.Dir = dst
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod edit: %v\n%s", err, out)
	}
	return dst
}

// TestExportStrictLinks runs the real framework command's export of a
// copy of the app with --strict and --strict-links: every page is exported
// (none needs a server) and no link is broken, every doc is a file of the
// export, and the generated files it writes are the committed ones. Then
// it serves the export with nginx and crawls it from /: every link
// answers, with the bytes framework start serves for the same URL.
func TestExportStrictLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the framework command and the app's server")
	}
	dir := copyApp(t)
	// Bounds the build of the command and the export, so that neither can
	// hang the run.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "framework")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cli/framework")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the framework command: %v\n%s", err, out)
	}
	out, caches := filepath.Join(t.TempDir(), "out"), t.TempDir()
	cmd := exec.CommandContext(ctx, bin, "export", "--strict", "--strict-links", "--site-url", "https://docs.example", "--cache-dir", caches, out)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("framework export --strict --strict-links: %v\n%s", err, b)
	}
	if strings.Contains(string(b), "Broken links") || strings.Contains(string(b), "need a server (") || strings.Contains(string(b), "Not exported") {
		t.Errorf("framework export reports broken links or pages left out:\n%s", b)
	}
	for _, d := range repoDocs(t) {
		if _, err := os.Stat(filepath.Join(out, "docs", d.slug+".html")); err != nil {
			t.Errorf("the export lacks /docs/%s: %v", d.slug, err)
		}
	}
	for _, name := range []string{"index.html", "search.html", "sitemap.xml"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("the export lacks %s: %v", name, err)
		}
	}
	before, after := generated(t, "."), generated(t, dir)
	for name, body := range after {
		if !bytes.Equal(before[name], body) {
			t.Errorf("%s differs from what framework build writes: run framework build in examples/docs and commit it", name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			t.Errorf("%s is committed but framework build no longer writes it", name)
		}
	}

	server := startServer(t, dir, bin, "--cache-dir", caches, "--site-url", "https://docs.example")
	seen := testnginx.Crawl(t, testnginx.Start(t, out), server, "/")
	want := []string{"/", "/search"}
	for _, d := range repoDocs(t) {
		want = append(want, "/docs/"+d.slug)
	}
	for _, p := range want {
		if _, ok := seen[p]; !ok {
			t.Errorf("the crawl from / did not reach %s", p)
		}
	}
}

// startServer runs framework start (the command bin) on the last build of
// the app in dir with args, on a free loopback port until t ends, and
// returns its base URL once it answers /.
func startServer(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, append([]string{"start", "--addr", addr}, args...)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Errorf("framework start did not stop on SIGTERM")
		}
	})
	base := "http://" + addr
	client := &http.Client{Timeout: 10 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("framework start exited: %v", cmd.ProcessState)
		default:
		}
		if res, err := client.Get(base + "/"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("framework start does not answer / on %s", addr)
		}
	}
}
