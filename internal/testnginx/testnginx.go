// Package testnginx serves a static export with a real nginx for the
// repository's export tests, configured as docs/export.md tells a user to,
// and crawls it against the server that exported it.
package testnginx

import (
	"bytes"
	"fmt"
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

	"golang.org/x/net/html"
)

// waitTimeout bounds nginx starting and stopping, and every request.
const waitTimeout = 30 * time.Second

// Bin returns the nginx binary, skipping t without one (and failing it on
// CI, CI set, where .ci/test installs it).
func Bin(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("nginx is not installed (.ci/test installs nginx-light)")
	}
	t.Skip("nginx is not installed")
	return ""
}

// conf is the nginx configuration: /a/b from a/b.html, unknown paths with
// 404.html, precompressed .gz files; the temp paths in the test's prefix,
// as a user without root runs it.
const conf = `daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path %[1]s/client_body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen %[2]s;
    root %[3]s;
    gzip_static on;
    location / { try_files $uri $uri.html $uri/ =404; }
    error_page 404 /404.html;
  }
}
`

// Start serves the export in root with nginx on a free loopback port until
// t ends, and returns its base URL ("http://127.0.0.1:port") once it
// answers.
func Start(t testing.TB, root string) string {
	t.Helper()
	bin := Bin(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	prefix := t.TempDir()
	confFile := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confFile, fmt.Appendf(nil, conf, prefix, addr, root), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", prefix, "-e", "stderr", "-c", confFile)
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
		case <-time.After(waitTimeout):
			cmd.Process.Kill()
			t.Errorf("nginx did not stop on SIGTERM")
		}
	})
	deadline := time.Now().Add(waitTimeout)
	for {
		select {
		case <-exited:
			t.Fatalf("nginx exited: %v", cmd.ProcessState)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not listen on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// raw fetches without compression: the bytes as stored.
var raw = &http.Client{Timeout: waitTimeout, Transport: &http.Transport{DisableCompression: true}}

// Fetch GETs url with the headers given as name, value pairs and returns
// the response and its whole body.
func Fetch(t testing.TB, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// Crawl follows every same-origin href, src and GET form action of the
// HTML pages that
// static (nginx's base URL) serves, from the paths in from: each must
// answer 200 with the bytes that server (the running server's base URL)
// answers for the same path. It returns the paths reached, each with the
// page that first linked it.
func Crawl(t testing.TB, static, server string, from ...string) map[string]string {
	t.Helper()
	base, err := url.Parse(static)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	var queue []string
	for _, p := range from {
		seen[p] = p
		queue = append(queue, p)
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		res, body := Fetch(t, static+p)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s links to %s: nginx answers %d", seen[p], p, res.StatusCode)
			continue
		}
		sres, served := Fetch(t, server+p)
		if sres.StatusCode != http.StatusOK || !bytes.Equal(body, served) {
			t.Errorf("%s: nginx sends %.100q, the server %d %.100q", p, body, sres.StatusCode, served)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, link := range sameOriginLinks(t, base.JoinPath(p), body) {
			if _, ok := seen[link]; !ok {
				seen[link] = p
				queue = append(queue, link)
			}
		}
	}
	return seen
}

// sameOriginLinks returns the href and src values and the GET forms'
// actions of an HTML page at page that stay on its origin, resolved to
// paths.
func sameOriginLinks(t testing.TB, page *url.URL, body []byte) []string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	var links []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key != "href" && a.Key != "src" && !(a.Key == "action" && n.Data == "form" && getForm(n)) {
					continue
				}
				u, err := page.Parse(a.Val)
				if err == nil && u.Host == page.Host && (u.Scheme == "http" || u.Scheme == "https") {
					links = append(links, u.EscapedPath())
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return links
}

// getForm reports whether the form element n submits with GET, which a
// static host can answer.
func getForm(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "method" {
			return strings.EqualFold(a.Val, "get")
		}
	}
	return true
}
