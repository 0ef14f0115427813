package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe builds the example, starts it on a free loopback port and walks
// through what the README promises: cached posts, and a new post showing up
// on /blog after its POST revalidates the "posts" tag.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "blog")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--addr", addr, "--cache-dir", filepath.Join(dir, "cache"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	base := "http://" + addr
	waitUp(t, base+"/")

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string, string) {
		t.Helper()
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("X-Framework-Cache"), string(b)
	}

	if status, cache, body := get("/blog/3"); status != 200 || cache != "MISS" || !strings.Contains(body, "<title>Post 3</title>") {
		t.Fatalf("/blog/3: %d %s %q", status, cache, body)
	}
	if _, cache, _ := get("/blog/3"); cache != "HIT" {
		t.Fatalf("/blog/3 again: %s, want HIT", cache)
	}
	if status, _, body := get("/blog/999"); status != 404 || !strings.Contains(body, "Post not found") {
		t.Fatalf("/blog/999: %d %q", status, body)
	}
	get("/blog")
	res, err := client.PostForm(base+"/api/posts", url.Values{"title": {"Fresh news"}, "body": {"hello"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /api/posts: %d", res.StatusCode)
	}
	// The first request after the revalidation gets the stale list and
	// regenerates it; poll until the new post is listed.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, _, body := get("/blog"); strings.Contains(body, "Fresh news") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new post never appeared on /blog")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitUp(t *testing.T, u string) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(u)
		if err == nil {
			res.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
