package cli_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// nginxBin returns the nginx binary, skipping the test without one (and
// failing it in CI, where .ci/test installs it).
func nginxBin(t *testing.T) string {
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

// startNginx serves root on addr as README.md tells a user to: /a/b from
// a/b.html, unknown paths with 404.html, precompressed .gz files.
func startNginx(t *testing.T, root, addr string) {
	t.Helper()
	prefix := t.TempDir()
	var temps strings.Builder
	for _, name := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&temps, "  %s_temp_path %s;\n", name, filepath.Join(prefix, name))
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %s/nginx.pid;
error_log stderr;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
%s  server {
    listen %s;
    root %s;
    gzip_static on;
    location / { try_files $uri $uri.html $uri/ =404; }
    error_page 404 /404.html;
  }
}
`, prefix, temps.String(), addr, root)
	confFile := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginxBin(t), "-p", prefix, "-e", "stderr", "-c", confFile)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopAtCleanup(t, cmd, "nginx")
}

// raw fetches url without compression: the bytes as stored.
var raw = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}

// fetch GETs url with the headers given as name, value pairs.
func fetch(t *testing.T, url string, header ...string) (*http.Response, []byte) {
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

// sameOriginLinks returns the href and src values of an HTML page at page
// that stay on its origin, resolved to paths.
func sameOriginLinks(t *testing.T, page *url.URL, body []byte) []string {
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
				if a.Key != "href" && a.Key != "src" {
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

// TestExportServedByNginx exports a new app, with a public file in a folder
// and a relative link, serves the export with nginx and crawls it from /:
// every link answers, and every page and file is byte for byte what
// framework start serves for the same URL.
func TestExportServedByNginx(t *testing.T) {
	nginxBin(t)
	dir := newApp(t)
	if err := os.MkdirAll(filepath.Join(dir, "public", "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public", "img", "dot.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`), 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "app", "page.templ")
	src, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("<h1>Welcome</h1>"), []byte(`<h1>Welcome</h1><p><img src="/img/dot.svg" alt=""/> <a href="blog/2">the second post</a></p>`), 1)
	if err := os.WriteFile(home, src, 0o644); err != nil {
		t.Fatal(err)
	}

	caches := t.TempDir()
	out, err := framework(t, dir, "export", "--cache-dir", caches, "--site-url", "https://myapp.example")
	if err != nil {
		t.Fatalf("framework export: %v\n%s", err, out)
	}
	for _, re := range []string{`◐ /blog/:id\s+ISR 1m\s+3\s`, `Not exported \(they need a server\):`, `/api/hello\s+is a route handler`, `Exported \d+ files`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("export output lacks %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "Broken links") {
		t.Errorf("export reports broken links:\n%s", out)
	}
	site := filepath.Join(dir, "out")
	if _, err := os.Stat(filepath.Join(site, "api")); err == nil {
		t.Errorf("the export holds the route handler /api/hello")
	}

	serverAddr, nginxAddr := freeAddr(t), freeAddr(t)
	background(t, dir, nil, "start", "--addr", serverAddr, "--cache-dir", caches, "--site-url", "https://myapp.example")
	startNginx(t, site, nginxAddr)
	poll(t, "server up", "http://"+serverAddr+"/", 30*time.Second, func(p page) bool { return p.status == 200 })
	poll(t, "nginx up", "http://"+nginxAddr+"/", 30*time.Second, func(p page) bool { return p.status == 200 })

	base := &url.URL{Scheme: "http", Host: nginxAddr}
	seen := map[string]string{"/": "/", "/sitemap.xml": "/"}
	queue := []string{"/", "/sitemap.xml"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		res, body := fetch(t, base.String()+p)
		if res.StatusCode != 200 {
			t.Errorf("%s links to %s: nginx answers %d", seen[p], p, res.StatusCode)
			continue
		}
		sres, served := fetch(t, "http://"+serverAddr+p)
		if sres.StatusCode != 200 || !bytes.Equal(body, served) {
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
	for _, want := range []string{"/", "/blog", "/blog/1", "/blog/2", "/blog/3", "/img/dot.svg"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("the crawl did not reach %s: %v", want, seen)
		}
	}
	// The template's stylesheet and script, bundled from assets/ under
	// fingerprinted names, are exported as the pages link them.
	for _, prefix := range []string{"/_framework/static/styles.", "/_framework/static/main."} {
		found := false
		for link := range seen {
			found = found || strings.HasPrefix(link, prefix)
		}
		if !found {
			t.Errorf("the crawl did not reach %s*: %v", prefix, seen)
		}
	}

	// Precompressed: nginx sends the .gz to a client that accepts gzip.
	res, gz := fetch(t, base.String()+"/blog/2", "Accept-Encoding", "gzip")
	_, plain := fetch(t, "http://"+serverAddr+"/blog/2")
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("/blog/2 with Accept-Encoding: gzip: %s, %v", res.Header.Get("Content-Encoding"), err)
	}
	if unzipped, err := io.ReadAll(zr); err != nil || !bytes.Equal(unzipped, plain) {
		t.Errorf("/blog/2's .gz does not hold the page: %v", err)
	}
	// An unknown path: 404.html, the server's not-found page.
	res, body := fetch(t, base.String()+"/no/such/page")
	sres, served := fetch(t, "http://"+serverAddr+"/no/such/page")
	if res.StatusCode != 404 || sres.StatusCode != 404 || !bytes.Equal(body, served) {
		t.Errorf("/no/such/page: nginx %d %.100q, the server %d %.100q", res.StatusCode, body, sres.StatusCode, served)
	}
}

// TestExportStrictAndBrokenLinks: a broken link is a warning of build and
// export and an error with --strict-links; a dynamic page is left out of
// an export, and a link to it broken there only; --strict fails on it.
func TestExportStrictAndBrokenLinks(t *testing.T) {
	dir := newApp(t)
	admin := filepath.Join(dir, "app", "admin")
	if err := os.MkdirAll(admin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"page.templ": "package admin\n\ntempl Page() {\n\t<h1>Admin</h1>\n}\n",
		"page.go":    "// Package admin is rendered per request.\npackage admin\n\n// Revalidate 0: a dynamic page.\nconst Revalidate = 0\n",
	} {
		if err := os.WriteFile(filepath.Join(admin, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	home := filepath.Join(dir, "app", "page.templ")
	src, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("<h1>Welcome</h1>"), []byte(`<h1>Welcome</h1><p><a href="/blgo/3?x=1#top">typo</a> <a href="/admin">admin</a> <a href="/blog/99">later</a></p>`), 1)
	if err := os.WriteFile(home, src, 0o644); err != nil {
		t.Fatal(err)
	}

	caches := t.TempDir()
	out, err := framework(t, dir, "build", "--cache-dir", caches)
	if err != nil || !strings.Contains(out, "  / links to /blgo/3: no such page\n") || !strings.Contains(out, "warning: --strict-links makes them an error") || strings.Contains(out, "/admin:") || strings.Contains(out, "/blog/99:") {
		t.Errorf("build: %v, want a warning of /blgo/3 alone:\n%s", err, out)
	}
	out, err = framework(t, dir, "build", "--cache-dir", caches, "--strict-links")
	if code := exitCode(t, err); code != 1 || !strings.Contains(out, "  / links to /blgo/3: no such page\n") || !strings.Contains(out, "framework build: 1 broken links (--strict-links)") {
		t.Errorf("build --strict-links: exit %d, want 1 naming the link:\n%s", code, out)
	}

	out, err = framework(t, dir, "export", "--cache-dir", caches)
	for _, re := range []string{`(?m)^  /admin\s+is rendered per request \(Revalidate 0\)$`, `(?m)^  / links to /admin: not exported: /admin is rendered per request \(Revalidate 0\)$`, `(?m)^  / links to /blgo/3: no such page$`, `(?m)^  /sitemap.xml\s+needs the site's URL`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("export output lacks %s", re)
		}
	}
	if err != nil {
		t.Errorf("export: %v, want 0 (warnings only):\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "admin.html")); err == nil {
		t.Errorf("the export holds the dynamic page /admin")
	}
	out, err = framework(t, dir, "export", "--cache-dir", caches, "--strict")
	if code := exitCode(t, err); code != 1 || !regexp.MustCompile(`framework export: \d+ routes or pages need a server and were not exported \(--strict\)`).MatchString(out) {
		t.Errorf("export --strict: exit %d, want 1:\n%s", code, out)
	}
	// An export replaces its folder: never the app's.
	out, err = framework(t, dir, "export", "--cache-dir", caches, ".")
	if code := exitCode(t, err); code != 1 || !strings.Contains(out, "it holds the app") {
		t.Errorf("export to the app's folder: exit %d:\n%s", code, out)
	}
}
