package main_test

import (
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blog is the example built by the real framework command and served on a
// free loopback port, with its database in a temp dir. It is built in a
// copy of the example, so that a test run writes nothing into the source
// tree (the build writes routes_gen.go and a 38 MB .framework/server).
type blog struct {
	t      *testing.T
	dir    string // the copy of examples/blog
	bin    string // the framework command
	env    []string
	base   string
	server *exec.Cmd
}

const password = "correct horse"

// Bounds on every wait of these tests, so that none can hang.
const (
	buildTimeout = 10 * time.Minute // building the command or the app
	waitTimeout  = 30 * time.Second // a server starting, stopping or answering
)

// client is the tests' HTTP client: it does not follow redirects, and a
// server that never answers fails the test.
var client = &http.Client{
	Timeout:       waitTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// buildBlog builds the example, seeded with its 100 posts.
func buildBlog(t *testing.T) *blog {
	t.Helper()
	b := newBlog(t)
	out := b.framework("build", ".")
	if !regexp.MustCompile(`◐ /blog/:id\s+ISR 1m\s+100\s`).MatchString(out) {
		t.Fatalf("build did not prerender the 100 posts:\n%s", out)
	}
	return b
}

// newBlog copies the example and builds the framework command, with env
// added to the environment of both.
func newBlog(t *testing.T, env ...string) *blog {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and serves the example")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(wd, "..", "..")
	b := &blog{t: t, dir: copyExample(t, wd, root), bin: filepath.Join(t.TempDir(), "framework")}
	b.run(root, "go", "build", "-o", b.bin, "./cli/framework")
	b.env = append(os.Environ(), "BLOG_DB="+filepath.Join(t.TempDir(), "blog.db"), "BLOG_ADMIN_PASSWORD="+password)
	b.env = append(b.env, env...)
	t.Cleanup(b.stop)
	return b
}

// copyExample copies the example at src into a temp dir, without build
// output or data, and points its go.mod's replace of the framework back at
// the checkout at root, as ../.. does in place.
func copyExample(t *testing.T, src, root string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "blog")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && (rel == ".framework" || rel == "data"):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular() || strings.HasSuffix(rel, ".test"):
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy the example: %v", err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	(&blog{t: t}).run(dst, "go", "mod", "edit", "-replace", "github.com/isr-go/framework="+abs)
	return dst
}

// run runs a command in dir, bounded by buildTimeout, and returns its
// combined output; a failure fails the test.
func (b *blog) run(dir string, name string, args ...string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, b.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func (b *blog) framework(args ...string) string {
	b.t.Helper()
	return b.run(b.dir, b.bin, args...)
}

// start serves the last build on a free port.
func (b *blog) start() {
	b.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	b.base = "http://" + addr
	b.server = exec.Command(b.bin, "start", "--addr", addr, ".")
	b.server.Dir, b.server.Env = b.dir, b.env
	b.server.Stderr = os.Stderr
	if err := b.server.Start(); err != nil {
		b.t.Fatal(err)
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		if res, err := client.Get(b.base + "/"); err == nil {
			res.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatal("the blog did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the server gracefully, or kills it and fails the test if it
// has not stopped within waitTimeout.
func (b *blog) stop() {
	if b.server == nil {
		return
	}
	srv := b.server
	b.server = nil
	srv.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		srv.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		srv.Process.Kill()
		b.t.Errorf("the blog did not stop on SIGTERM within %v", waitTimeout)
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *blog) do(c *http.Client, req *http.Request) response {
	b.t.Helper()
	if c == nil {
		c = client
	}
	res, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(body)}
}

func (b *blog) get(path string, header ...string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(nil, req)
}

func TestBlogOverHTTP(t *testing.T) {
	b := buildBlog(t)
	b.start()

	r := b.get("/blog/42")
	if r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" || !strings.Contains(r.body, "Notes on") {
		t.Fatalf("prerendered post: %d %s", r.status, r.header.Get("X-Framework-Cache"))
	}
	if cc := r.header.Get("Cache-Control"); cc != "s-maxage=60, stale-while-revalidate=31536000" {
		t.Errorf("post Cache-Control %q", cc)
	}
	if cc := b.get("/blog").header.Get("Cache-Control"); cc != "s-maxage=3600, stale-while-revalidate=31536000" {
		t.Errorf("list Cache-Control %q", cc)
	}
	etag := r.header.Get("Etag")
	if r := b.get("/blog/42", "If-None-Match", etag); r.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", r.status)
	}
	if r := b.get("/blog/42", "Accept-Encoding", "gzip"); r.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip not served")
	}

	// The favicon a browser asks for on its first visit, linked from <head>.
	if r := b.get("/favicon.ico"); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "image/") || !strings.HasPrefix(r.body, "\x00\x00\x01\x00") {
		t.Errorf("/favicon.ico: %d %q, want an icon", r.status, r.header.Get("Content-Type"))
	}
	if r := b.get("/"); !strings.Contains(r.body, `<link rel="icon" href="/favicon.ico">`) {
		t.Errorf("/ does not link the favicon: %.400q", r.body)
	}

	// Unknown ids are 404s with the app's page, and nothing persists.
	for _, p := range []string{"/blog/99999", "/blog/not-a-number"} {
		if r := b.get(p); r.status != 404 || !strings.Contains(r.body, "There is no such page") {
			t.Errorf("%s: %d", p, r.status)
		}
	}

	// One URL per post: other spellings are redirected and never rendered,
	// and aliases of a post's number are permanent redirects from Load,
	// cached like pages.
	for spelling, location := range map[string]string{
		"/blog/42/": "/blog/42", "/blog/./42": "/blog/42", "/blog//42": "/blog/42", "/blog/%34%32": "/blog/42",
		"/blog/42/?ref=x": "/blog/42?ref=x", "/styles.css/": "/styles.css", "/admin/": "/admin",
		"/blog/01": "/blog/1", "/blog/+1": "/blog/1", "/blog/0001": "/blog/1",
	} {
		if r := b.get(spelling); r.status != http.StatusPermanentRedirect || r.header.Get("Location") != location {
			t.Errorf("%s: %d %q, want 308 %q", spelling, r.status, r.header.Get("Location"), location)
		}
	}
	if r := b.get("/blog/01"); r.header.Get("X-Framework-Cache") != "HIT" {
		t.Errorf("the alias redirect is not cached: %s", r.header.Get("X-Framework-Cache"))
	}
	if r := b.get("/blog/42"); r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" || !strings.Contains(r.body, "Notes on") {
		t.Errorf("/blog/42 after its other spellings: %d %s", r.status, r.header.Get("X-Framework-Cache"))
	}

	// The admin is behind a password and CSRF protection.
	for _, p := range []string{"/admin", "/admin/no-such-page"} {
		if r := b.get(p); r.status != http.StatusUnauthorized {
			t.Errorf("%s without a password: %d", p, r.status)
		}
	}
	if r := b.do(&http.Client{Timeout: waitTimeout}, mustRequest(http.MethodPost, b.base+"/admin/posts", "title=Anonymous&body=x")); r.status != http.StatusUnauthorized {
		t.Errorf("POST /admin/posts without a password: %d", r.status)
	}
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar, Timeout: waitTimeout, CheckRedirect: client.CheckRedirect}
	req, _ := http.NewRequest(http.MethodGet, b.base+"/admin", nil)
	req.SetBasicAuth("admin", password)
	page := b.do(admin, req)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.body)
	if page.status != 200 || m == nil {
		t.Fatalf("/admin: %d, token found %v", page.status, m != nil)
	}
	if cc := page.header.Get("Cache-Control"); cc != "private, no-cache, no-store, max-age=0, must-revalidate" {
		t.Errorf("admin Cache-Control %q", cc)
	}
	post := func(form url.Values) response {
		req, _ := http.NewRequest(http.MethodPost, b.base+"/admin/posts", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("admin", password)
		return b.do(admin, req)
	}
	if r := post(url.Values{"title": {"Forged"}, "body": {"x"}}); r.status != http.StatusBadRequest && r.status != http.StatusForbidden {
		t.Errorf("POST without the CSRF token: %d", r.status)
	}
	if r := post(url.Values{"_csrf": {m[1]}, "title": {""}, "body": {"x"}}); r.status != http.StatusBadRequest {
		t.Errorf("POST without a title: %d", r.status)
	}
	r = post(url.Values{"_csrf": {m[1]}, "title": {"Hello from the admin"}, "body": {"Fresh content."}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/blog/") {
		t.Fatalf("POST: %d %q", r.status, r.header.Get("Location"))
	}
	if r := b.get("/blog"); !strings.Contains(r.body, "Hello from the admin") {
		t.Errorf("the new post is not on /blog on the next request (%s)", r.header.Get("X-Framework-Cache"))
	}
	if r := b.get(r.header.Get("Location")); r.status != 200 || !strings.Contains(r.body, "Fresh content.") {
		t.Errorf("the new post's page: %d", r.status)
	}

	// A restart keeps the cache warm.
	b.stop()
	b.start()
	if r := b.get("/blog/7"); r.header.Get("X-Framework-Cache") != "HIT" {
		t.Errorf("after a restart: %s, want HIT", r.header.Get("X-Framework-Cache"))
	}
	if r := b.get("/blog/99999"); r.status != 404 || r.header.Get("X-Framework-Cache") == "HIT" {
		t.Errorf("a 404 persisted across the restart: %d %s", r.status, r.header.Get("X-Framework-Cache"))
	}

	// /hello is prerendered with a hole greeting each visitor by the name
	// the form keeps in a cookie: the shell comes from the cache (from the
	// store, after the restart), the greeting is theirs.
	for cookie, want := range map[string]string{
		"": "Hello, stranger!", "name=Ada%20L": "Hello, Ada L!", "name=%3Cb%3E": "Hello, &lt;b&gt;!",
	} {
		r := b.get("/hello", "Cookie", cookie)
		if r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" || !strings.Contains(r.body, `<p class="hello">`+want) {
			t.Errorf("/hello with %q: %d %s, want HIT with %q", cookie, r.status, r.header.Get("X-Framework-Cache"), want)
		}
		if cc := r.header.Get("Cache-Control"); cc != "private, no-store" || r.header.Get("Etag") != "" {
			t.Errorf("/hello with %q: Cache-Control %q, Etag %q", cookie, cc, r.header.Get("Etag"))
		}
	}
	// The home page has no hole: the same for everybody, cached publicly.
	if r := b.get("/", "Cookie", "name=Ada"); r.status != 200 || strings.Contains(r.body, "Ada") || r.header.Get("Etag") == "" || strings.Contains(r.header.Get("Cache-Control"), "private") {
		t.Errorf("home with a name: %d, Cache-Control %q, Etag %q", r.status, r.header.Get("Cache-Control"), r.header.Get("Etag"))
	}
	r = b.do(nil, mustRequest(http.MethodPost, b.base+"/greeting", "name=Grace"))
	if c := r.header.Get("Set-Cookie"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/hello" || !strings.HasPrefix(c, "name=Grace;") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("POST /greeting: %d %q to %q", r.status, c, r.header.Get("Location"))
	}
	if r := b.do(nil, mustRequest(http.MethodPost, b.base+"/greeting", "name="+strings.Repeat("x", 41))); r.status != http.StatusBadRequest {
		t.Errorf("POST /greeting with a long name: %d, want 400", r.status)
	}
}

// mustRequest makes a form request.
func mustRequest(method, url, form string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(form))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// admin is a client of the blog's admin: basic auth on every request, and
// a cookie jar for its CSRF and draft-mode cookies.
type adminClient struct {
	b     *blog
	c     *http.Client
	token string
}

func newAdmin(b *blog) *adminClient {
	jar, _ := cookiejar.New(nil)
	return &adminClient{b: b, c: &http.Client{Jar: jar, Timeout: waitTimeout, CheckRedirect: client.CheckRedirect}}
}

func (a *adminClient) get(path string) response {
	a.b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.b.base+path, nil)
	req.SetBasicAuth("admin", password)
	r := a.b.do(a.c, req)
	if m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(r.body); m != nil {
		a.token = m[1]
	}
	return r
}

func (a *adminClient) post(form url.Values) response {
	a.b.t.Helper()
	form.Set("_csrf", a.token)
	req, _ := http.NewRequest(http.MethodPost, a.b.base+"/admin/posts", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("admin", password)
	return a.b.do(a.c, req)
}

// latestRendered returns when the admin's cached "Latest posts" box was
// rendered, and its text.
func latestRendered(t *testing.T, body string) (string, string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<aside class="latest" data-rendered="([^"]+)">(.*?)</aside>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no Latest posts box in the admin page")
	}
	return m[1], m[2]
}

// TestBlogDrafts: the admin saves a draft, which is a 404 for everyone and
// off the list; its preview (draft mode) shows it fresh under a banner,
// bypassing the cache; leaving the preview makes it a 404 again; publishing
// it shows it to everyone. The admin's Latest posts box is rendered once
// and again only when a post is saved.
func TestBlogDrafts(t *testing.T) {
	b := buildBlog(t)
	b.start()
	admin := newAdmin(b)

	page := admin.get("/admin")
	if page.status != 200 || admin.token == "" {
		t.Fatalf("/admin: %d", page.status)
	}
	rendered, box := latestRendered(t, page.body)
	if !strings.Contains(box, "Notes on") {
		t.Errorf("Latest posts box lists no post:\n%s", box)
	}
	if again, _ := latestRendered(t, admin.get("/admin").body); again != rendered {
		t.Errorf("Latest posts box rendered again (%s, then %s): not cached", rendered, again)
	}

	r := admin.post(url.Values{"title": {"A secret draft"}, "body": {"Not for your eyes yet."}, "action": {"draft"}})
	m := regexp.MustCompile(`^/admin\?edit=(\d+)$`).FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("save as draft: %d %q", r.status, r.header.Get("Location"))
	}
	post := "/blog/" + m[1]
	for _, p := range []string{post, post} { // the 404, then its cached copy
		if r := b.get(p); r.status != 404 || strings.Contains(r.body, "secret draft") {
			t.Errorf("draft %s for a visitor: %d", p, r.status)
		}
	}
	if r := b.get("/blog"); strings.Contains(r.body, "A secret draft") {
		t.Errorf("the draft is on /blog")
	}
	page = admin.get("/admin?edit=" + m[1])
	if !strings.Contains(page.body, `href="/admin/preview?path=%2Fblog%2F`+m[1]+`"`) {
		t.Errorf("no preview link in the draft's form")
	}
	// Saving revalidated the posts tag: the box is rendered again, still
	// without the draft.
	if again, box := latestRendered(t, page.body); again == rendered || strings.Contains(box, "A secret draft") {
		t.Errorf("Latest posts box after a save: rendered %s (was %s), draft listed %v", again, rendered, strings.Contains(box, "A secret draft"))
	}

	// The preview link: only for the admin, only to local paths.
	if r := b.get("/admin/preview?path=" + url.QueryEscape(post)); r.status != http.StatusUnauthorized {
		t.Errorf("preview without the password: %d", r.status)
	}
	for _, bad := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/blog/../admin", ""} {
		if r := admin.get("/admin/preview?path=" + url.QueryEscape(bad)); r.status != http.StatusBadRequest {
			t.Errorf("preview of %q: %d, want 400", bad, r.status)
		}
	}
	r = admin.get("/admin/preview?path=" + url.QueryEscape(post))
	if r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != post {
		t.Fatalf("preview: %d %q", r.status, r.header.Get("Location"))
	}
	for _, p := range []string{post, "/blog"} {
		r := admin.get(p)
		if r.status != 200 || !strings.Contains(r.body, "A secret draft") || !strings.Contains(r.body, "Preview: you are seeing drafts") {
			t.Errorf("%s in preview: %d, draft shown %v, banner %v", p, r.status, strings.Contains(r.body, "A secret draft"), strings.Contains(r.body, "Preview: you are seeing drafts"))
		}
		if r.header.Get("X-Framework-Cache") != "BYPASS" || r.header.Get("Cache-Control") != "private, no-store" || r.header.Get("Etag") != "" {
			t.Errorf("%s in preview: cache %q, Cache-Control %q, ETag %q", p, r.header.Get("X-Framework-Cache"), r.header.Get("Cache-Control"), r.header.Get("Etag"))
		}
	}
	// Visitors, meanwhile, and a forged cookie, get the cached pages.
	for _, cookie := range []string{"", "__framework_draft=9999999999.AAAA"} {
		if r := b.get(post, "Cookie", cookie); r.status != 404 || r.header.Get("X-Framework-Cache") != "HIT" {
			t.Errorf("draft for a visitor (cookie %q) during the preview: %d %s", cookie, r.status, r.header.Get("X-Framework-Cache"))
		}
		if r := b.get("/blog", "Cookie", cookie); strings.Contains(r.body, "A secret draft") || strings.Contains(r.body, "Preview:") {
			t.Errorf("/blog for a visitor (cookie %q) shows the preview", cookie)
		}
	}

	// Leaving the preview.
	if r := admin.get("/preview/exit?path=" + url.QueryEscape("//evil.example")); r.status != http.StatusBadRequest {
		t.Errorf("exit to another site: %d", r.status)
	}
	r = admin.get("/preview/exit?path=" + url.QueryEscape(post))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != post {
		t.Fatalf("exit preview: %d %q", r.status, r.header.Get("Location"))
	}
	if r := admin.get(post); r.status != 404 || strings.Contains(r.body, "Preview:") {
		t.Errorf("the draft after the preview: %d", r.status)
	}

	// Published, it is everyone's.
	r = admin.post(url.Values{"id": {m[1]}, "title": {"A secret draft"}, "body": {"Out now."}, "action": {"publish"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != post {
		t.Fatalf("publish: %d %q", r.status, r.header.Get("Location"))
	}
	if r := b.get(post); r.status != 200 || !strings.Contains(r.body, "Out now.") {
		t.Errorf("published post: %d", r.status)
	}
	if r := b.get("/blog"); !strings.Contains(r.body, "A secret draft") {
		t.Errorf("the published post is not on /blog")
	}
	if _, box := latestRendered(t, admin.get("/admin").body); !strings.Contains(box, "A secret draft") {
		t.Errorf("the published post is not in the Latest posts box:\n%s", box)
	}
}
