package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests run the real framework binary on a new app.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// frameworkBin builds the framework command once per test run.
func frameworkBin(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "framework-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "framework")
		out, err := exec.Command("go", "build", "-o", binPath, "./framework").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("build framework: %v\n%s", binErr, binPath)
	}
	return binPath
}

// framework runs the binary in dir and returns its combined output.
func framework(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(frameworkBin(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// newApp scaffolds an app into a temp dir.
func newApp(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "myapp")
	if out, err := framework(t, ".", "new", dir); err != nil {
		t.Fatalf("framework new: %v\n%s", err, out)
	}
	return dir
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// background starts the binary in dir and stops it with SIGTERM at the end
// of the test.
func background(t *testing.T, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd, _ := backgroundLogged(t, dir, env, args...)
	return cmd
}

// backgroundLogged is background that also keeps what the binary writes on
// stderr.
func backgroundLogged(t *testing.T, dir string, env []string, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(frameworkBin(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stderr := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = os.Stderr, io.MultiWriter(os.Stderr, stderr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopAtCleanup(t, cmd, "server")
	return cmd, stderr
}

// stopAtCleanup stops cmd with SIGTERM when the test ends, and kills it,
// failing the test, if it has not exited 30 s later.
func stopAtCleanup(t testing.TB, cmd *exec.Cmd, what string) {
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%s did not stop on SIGTERM", what)
		}
	})
}

// syncBuffer is a bytes.Buffer that a process's output and a test can use
// at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// client bounds every request of these tests: a server that accepts and
// never answers fails the poll instead of hanging it.
var client = &http.Client{Timeout: 30 * time.Second}

type page struct {
	status int
	cache  string
	body   string
}

func get(t *testing.T, url string) page {
	t.Helper()
	return fetchPage(url)
}

// poll waits until cond holds for the page at url, for changes that take a
// rebuild or a background regeneration.
func poll(t *testing.T, what, url string, timeout time.Duration, cond func(page) bool) page {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p := get(t, url)
		if cond(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: last answer %d %s %.300q", what, p.status, p.cache, p.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestNewBuildStartRevalidate(t *testing.T) {
	dir := newApp(t)
	for _, args := range [][]string{{"vet", "./..."}, {"test", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v in the new app: %v\n%s", args, err, out)
		}
	}

	caches := t.TempDir() // --cache-dir: the caches outside the app, as on a mounted volume
	out, err := framework(t, dir, "build", "--cache-dir", caches)
	if err != nil {
		t.Fatalf("framework build: %v\n%s", err, out)
	}
	for _, want := range []string{"○ /   ", "◐ /blog ", "ISR 10m", "◐ /blog/:id ", "ISR 1m", "Prerendering: 6/6 pages", "Built in"} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`◐ /blog/:id\s+ISR 1m\s+3\s`).MatchString(out) {
		t.Errorf("route table does not show 3 prerendered posts:\n%s", out)
	}
	// The automatic sitemap: its rows, rendered on the first request.
	if !regexp.MustCompile(`○ /sitemap\.xml\s+static\s+-\s+-\n`).MatchString(out) || !strings.Contains(out, "○ /sitemap-:part ") {
		t.Errorf("route table lacks the sitemap:\n%s", out)
	}
	// app/api/hello/route.go: a row of its own, among the pages.
	if !regexp.MustCompile(`○ /\s.*\n+λ /api/hello\s+GET\s+-\s+-\n+◐ /blog\s`).MatchString(out) {
		t.Errorf("route table lacks the row λ /api/hello GET between / and /blog:\n%s", out)
	}
	// The binary is the one source of the build ID: it agrees with the
	// build's output and names the build's cache.
	id, err := exec.Command(filepath.Join(dir, ".framework", "server"), "build-id").Output()
	buildID := strings.TrimSpace(string(id))
	if err != nil || !strings.Contains(out, "Compiling (build "+buildID+")") {
		t.Fatalf("server build-id: %q, %v; build output:\n%s", id, err, out)
	}
	if _, err := os.Stat(filepath.Join(caches, buildID)); err != nil {
		t.Fatalf("no cache for the build in --cache-dir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".framework", "BUILD_ID")); err == nil {
		t.Errorf("build wrote a second copy of the build ID in .framework/BUILD_ID")
	}
	if _, err := os.Stat(filepath.Join(dir, ".framework", "cache")); err == nil {
		t.Errorf("build wrote .framework/cache despite --cache-dir")
	}

	addr := freeAddr(t)
	base := "http://" + addr
	_, stderr := backgroundLogged(t, dir, []string{"FRAMEWORK_REVALIDATE_SECRET=test-secret-0123456789abcdef0123456789abcdef", "FRAMEWORK_LOG_REQUESTS=1"}, "start", "--addr", addr, "--cache-dir", caches, "--metrics", "--site-url", "https://myapp.example")
	poll(t, "server up", base+"/", 30*time.Second, func(p page) bool { return p.status == 200 })
	// A second server on the same build, on another port, is refused: the
	// build's cache is the first one's.
	second := exec.Command(frameworkBin(t), "start", "--addr", freeAddr(t), "--cache-dir", caches)
	second.Dir = dir
	secondOut, err := runBounded(t, second, 30*time.Second)
	if code := second.ProcessState.ExitCode(); code != 1 || !regexp.MustCompile(`another server is using this build's cache: .*\(pid [1-9]\d*\)`).MatchString(secondOut) {
		t.Errorf("second framework start on the build: %v, exit %d, want 1 with the pid of the server using the cache:\n%s", err, code, secondOut)
	}
	// With a cache of its own, on the first one's port: the port is in use.
	_, port, _ := net.SplitHostPort(addr)
	third := exec.Command(frameworkBin(t), "start", "--addr", addr, "--cache-dir", t.TempDir())
	third.Dir = dir
	thirdOut, err := runBounded(t, third, 30*time.Second)
	if code := third.ProcessState.ExitCode(); code != 1 || !strings.Contains(thirdOut, "port "+port+" on 127.0.0.1 is in use: another server? stop it or pass --addr (FRAMEWORK_ADDR)\n") || strings.Contains(thirdOut, "address already in use") {
		t.Errorf("framework start on the first server's port: %v, exit %d, want 1 saying the port is in use:\n%s", err, code, thirdOut)
	}
	for _, path := range []string{"/", "/blog", "/blog/2"} {
		if p := get(t, base+path); p.status != 200 || p.cache != "HIT" {
			t.Errorf("%s: %d %s, want a prerendered HIT", path, p.status, p.cache)
		}
	}
	// FRAMEWORK_LOG_REQUESTS=1, through start: a line per request, written
	// once the response is.
	logged := regexp.MustCompile(`msg="framework: request" method=GET path=/blog/2 status=200 cache=HIT bytes=[1-9]\d* duration=`)
	for deadline := time.Now().Add(5 * time.Second); !logged.MatchString(stderr.String()); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no request line for /blog/2 in the server's stderr:\n%s", stderr)
		}
	}
	// The health check, and the binary's own client of it (a distroless
	// image's HEALTHCHECK).
	var health map[string]string
	if p := get(t, base+"/_framework/health"); p.status != 200 || json.Unmarshal([]byte(p.body), &health) != nil || health["status"] != "ok" || health["build"] != buildID || health["store"] != "up" {
		t.Errorf("health: %d %q, want 200 ok, build %s, store up", p.status, p.body, buildID)
	}
	if out, err := exec.Command(filepath.Join(dir, ".framework", "server"), "health", "--addr", addr).Output(); err != nil || !strings.Contains(string(out), `"status":"ok"`) {
		t.Errorf("server health --addr %s: %v, %q", addr, err, out)
	}
	if p := get(t, base+"/blog/99"); p.status != 404 || !strings.Contains(p.body, "Not found") {
		t.Errorf("/blog/99: %d %.200q", p.status, p.body)
	}
	// The automatic sitemap, with start's --site-url, cached.
	for _, cache := range []string{"MISS", "HIT"} {
		if p := get(t, base+"/sitemap.xml"); p.status != 200 || p.cache != cache || !strings.Contains(p.body, "<loc>https://myapp.example/blog/2</loc>") {
			t.Errorf("/sitemap.xml: %d %s, want %s listing https://myapp.example/blog/2:\n%.500s", p.status, p.cache, cache, p.body)
		}
	}

	if out, err := framework(t, dir, "revalidate", "--url", base, "--secret", "wrong", "--tag", "posts"); err == nil || !strings.Contains(out, "401") {
		t.Fatalf("revalidate with a wrong secret: %v %s", err, out)
	}
	if p := get(t, base+"/blog/2"); p.cache != "HIT" {
		t.Fatalf("after a refused revalidation: %s", p.cache)
	}
	if out, err := framework(t, dir, "revalidate", "--url", base, "--secret", "test-secret-0123456789abcdef0123456789abcdef", "--tag", "posts"); err != nil {
		t.Fatalf("revalidate: %v\n%s", err, out)
	}
	if p := get(t, base+"/blog/2"); p.status != 200 || p.cache != "STALE" {
		t.Fatalf("after revalidate --tag posts: %d %s, want STALE", p.status, p.cache)
	}
	poll(t, "regenerated page", base+"/blog/2", 10*time.Second, func(p page) bool { return p.cache == "HIT" })
	if p := get(t, base+"/"); p.cache != "HIT" {
		t.Errorf("/ does not use posts but is %s", p.cache)
	}

	// start --metrics: Prometheus metrics of what happened above. (The
	// poll above may meet the page STALE more than once while it
	// regenerates.)
	m := get(t, base+"/metrics")
	for _, re := range []string{`(?m)^framework_page_responses_total\{cache="HIT"\} [1-9]`, `(?m)^framework_page_responses_total\{cache="STALE"\} [1-9]`, `(?m)^framework_regenerations_total [1-9]`, `(?m)^framework_build_info\{build_id="` + regexp.QuoteMeta(buildID) + `"\} 1$`} {
		if m.status != 200 || !regexp.MustCompile(re).MatchString(m.body) {
			t.Errorf("/metrics: %d, no match for %s in:\n%s", m.status, re, m.body)
		}
	}
}

func TestDevReloadsOnSave(t *testing.T) {
	dir := newApp(t)
	addr := freeAddr(t)
	base := "http://" + addr
	background(t, dir, nil, "dev", "--addr", addr)
	p := poll(t, "dev server up", base+"/", 60*time.Second, func(p page) bool { return p.status == 200 })
	if !strings.Contains(p.body, "Welcome") || !strings.Contains(p.body, "/_framework/dev/events") {
		t.Fatalf("dev page lacks content or reload script: %.500q", p.body)
	}

	events, err := http.Get(base + "/_framework/dev/events")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	reloads := make(chan struct{}, 10)
	go func() {
		sc := bufio.NewScanner(events.Body)
		for sc.Scan() {
			if sc.Text() == "event: reload" {
				select {
				case reloads <- struct{}{}:
				default: // one waiting is enough; never block the reader
				}
			}
		}
	}()

	pageFile := filepath.Join(dir, "app", "page.templ")
	src, err := os.ReadFile(pageFile)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(content string) {
		// A later mtime even on coarse file systems.
		if err := os.WriteFile(pageFile, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		future := time.Now().Add(2 * time.Second)
		os.Chtimes(pageFile, future, future)
	}
	edit(strings.Replace(string(src), "Welcome", "Hello from an edit", 1))
	poll(t, "edited page", base+"/", 60*time.Second, func(p page) bool { return strings.Contains(p.body, "Hello from an edit") })
	select {
	case <-reloads:
	case <-time.After(10 * time.Second):
		t.Fatal("no reload event after the rebuild")
	}

	edit(strings.Replace(string(src), "templ Page() {", "templ Page() {\n\t{ undefinedThing }", 1))
	p = poll(t, "build error page", base+"/", 60*time.Second, func(p page) bool { return strings.Contains(p.body, "build error") })
	if !strings.Contains(p.body, "undefinedThing") {
		t.Errorf("error page does not show the error: %.500q", p.body)
	}
	// The last good build still serves other requests.
	if res, err := client.Get(base + "/api/hello"); err != nil || res.StatusCode != 200 {
		t.Errorf("/api/hello during a build error: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	edit(string(src))
	poll(t, "fixed page", base+"/", 60*time.Second, func(p page) bool { return strings.Contains(p.body, "Welcome") })
}
