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

// generated reads the files framework build writes into the app.
func generated(t *testing.T) map[string][]byte {
	t.Helper()
	m := make(map[string][]byte)
	for _, name := range []string{"routes_gen.go", "static_gen.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = b
	}
	err := filepath.WalkDir("static_gen", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			m[p], err = os.ReadFile(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestExportStrictLinks runs the real framework command's export of the
// app with --strict and --strict-links: every page is exported (none
// needs a server) and no link is broken, every doc is a file of the
// export, and the generated files it writes are the committed ones. Then
// it serves the export with nginx and crawls it from /: every link
// answers, with the bytes framework start serves for the same URL.
func TestExportStrictLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the framework command and the app's server")
	}
	before := generated(t)
	// Bounds the build of the command and the export, so that neither can
	// hang the run.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "framework")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/isr-go/framework/cli/framework").CombinedOutput(); err != nil {
		t.Fatalf("go build the framework command: %v\n%s", err, out)
	}
	out, caches := filepath.Join(t.TempDir(), "out"), t.TempDir()
	cmd := exec.CommandContext(ctx, bin, "export", "--strict", "--strict-links", "--site-url", "https://docs.example", "--cache-dir", caches, out)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("framework export --strict --strict-links: %v\n%s", err, b)
	}
	if strings.Contains(string(b), "Broken links") || strings.Contains(string(b), "Not exported") {
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
	after := generated(t)
	for name, body := range after {
		if !bytes.Equal(before[name], body) {
			t.Errorf("%s differs from what framework build writes: run framework build examples/docs and commit it", name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			t.Errorf("%s is committed but framework build no longer writes it", name)
		}
	}

	server := startServer(t, bin, "--cache-dir", caches, "--site-url", "https://docs.example")
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

// startServer runs framework start (the command bin) on the app's last
// build with args, on a free loopback port until t ends, and returns its
// base URL once it answers /.
func startServer(t *testing.T, bin string, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, append([]string{"start", "--addr", addr}, args...)...)
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
