package cli_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// devApp is `framework dev` running on a new app.
type devApp struct {
	dir  string
	base string
	out  *syncBuffer // stdout and stderr
}

// startDev scaffolds an app, starts framework dev on it (with env added to
// the environment) and waits for its first page. The process is stopped
// with SIGTERM at the end of the test.
func startDev(t testing.TB, env ...string) *devApp {
	dir := filepath.Join(t.TempDir(), "myapp")
	cmd := exec.Command(frameworkBin(t), "new", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("framework new: %v\n%s", err, out)
	}
	d := &devApp{dir: dir, out: &syncBuffer{}}
	d.base = "http://" + freeAddr(t)
	d.start(t, env...)
	return d
}

func (d *devApp) start(t testing.TB, env ...string) {
	cmd := exec.Command(frameworkBin(t), "dev", "--addr", strings.TrimPrefix(d.base, "http://"))
	cmd.Dir = d.dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the output is logged after dev stopped.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("framework dev output:\n%s", d.out)
		}
	})
	stopAtCleanup(t, cmd, "framework dev")
	waitFor(t, "dev server up", d.base+"/", 90*time.Second, 50*time.Millisecond, func(p page) bool { return p.status == 200 })
}

// edit replaces old with new in the app's file rel, failing if old is not
// there.
func (d *devApp) edit(t testing.TB, rel, old, new string) {
	t.Helper()
	path := filepath.Join(d.dir, filepath.FromSlash(rel))
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), old) {
		t.Fatalf("%s lacks %q", rel, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(src), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// binaries lists the dev server binaries in the app's .framework.
func (d *devApp) binaries() []string {
	found, _ := filepath.Glob(filepath.Join(d.dir, ".framework", "dev-server-*"))
	for i, f := range found {
		found[i] = filepath.Base(f)
	}
	slices.Sort(found)
	return found
}

// waitFor polls url every interval until cond holds, for at most timeout.
func waitFor(t testing.TB, what, url string, timeout, interval time.Duration, cond func(page) bool) page {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p := fetchPage(url)
		if cond(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: last answer %d %.300q", what, p.status, p.body)
		}
		time.Sleep(interval)
	}
}

// TestDevEditsTextDataAndCode runs framework dev on a new app and edits it
// three ways: the text of a page (served without a rebuild, through templ's
// development mode), the data behind framework.Cache (rebuilt, and not
// served from a cache of the previous build), and the Go of a page
// (rebuilt). Dev cleans up the binaries of earlier builds and runs, and
// never logs a build's internal address.
func TestDevEditsTextDataAndCode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "myapp")
	if out, err := framework(t, ".", "new", dir); err != nil {
		t.Fatalf("framework new: %v\n%s", err, out)
	}
	// What an earlier run left: a binary, and a cache of the versions
	// that kept dev data on disk.
	stale := []string{filepath.Join(dir, ".framework", "dev-server-0"), filepath.Join(dir, ".framework", "cache", "dev-1", "000001.vlog")}
	for _, f := range stale {
		os.MkdirAll(filepath.Dir(f), 0o755)
		os.WriteFile(f, []byte("stale"), 0o644)
	}
	d := &devApp{dir: dir, out: &syncBuffer{}, base: "http://" + freeAddr(t)}
	d.start(t)
	for _, f := range stale {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s left from an earlier run was not removed", f)
		}
	}
	if got := d.binaries(); len(got) != 1 {
		t.Fatalf("dev server binaries after the first build: %v, want one", got)
	}
	first := d.binaries()[0]
	// The newest post's data, read through framework.Cache, is cached.
	waitFor(t, "blog", d.base+"/blog", 10*time.Second, 50*time.Millisecond, func(p page) bool { return strings.Contains(p.body, ">Post 3<") })

	// 1. Text: served without a rebuild, by the same binary.
	d.edit(t, "app/page.templ", "<h1>Welcome</h1>", "<h1>Hello from a text edit</h1>")
	waitFor(t, "text edit", d.base+"/", 10*time.Second, 10*time.Millisecond, func(p page) bool { return strings.Contains(p.body, "Hello from a text edit") })
	if strings.Contains(d.out.String(), "rebuilding") {
		t.Errorf("a text edit was rebuilt:\n%s", d.out)
	}
	if got := d.binaries(); !slices.Equal(got, []string{first}) {
		t.Errorf("binaries after a text edit: %v, want %v (no rebuild)", got, first)
	}
	// The _templ.go file follows, so that the next build keeps the text.
	if goSrc, _ := os.ReadFile(filepath.Join(dir, "app", "page_templ.go")); !strings.Contains(string(goSrc), "Hello from a text edit") {
		t.Errorf("page_templ.go was not regenerated")
	}

	// 2. Go in a .templ file: rebuilt; the text edit survives the build.
	d.edit(t, "app/page.templ", "<h1>Hello from a text edit</h1>", `<h1>Hello from a text edit</h1><p>{ "go" + " edit" }</p>`)
	p := waitFor(t, "Go edit", d.base+"/", 90*time.Second, 50*time.Millisecond, func(p page) bool { return strings.Contains(p.body, "go edit") })
	if !strings.Contains(p.body, "Hello from a text edit") {
		t.Errorf("the text edit was lost in the rebuild: %.300q", p.body)
	}
	// 3. Data: the function behind framework.Cache changes; the rebuilt
	// server must not serve the titles an earlier one cached. (Dev used
	// to keep them in one of two Badger caches it alternated between:
	// this third build would have read the first build's.)
	d.edit(t, "app/blog/posts.go", `Title: fmt.Sprintf("Post %d", i)`, `Title: fmt.Sprintf("Edited post %d", i)`)
	waitFor(t, "edited data", d.base+"/blog", 90*time.Second, 50*time.Millisecond, func(p page) bool { return strings.Contains(p.body, ">Edited post 3<") })
	if entries, _ := os.ReadDir(filepath.Join(dir, ".framework", "cache")); len(entries) > 0 {
		t.Errorf("dev wrote a cache to disk: %v", entries)
	}

	// The previous binary goes once the new one serves.
	var got []string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if got = d.binaries(); len(got) == 1 && got[0] != first || time.Now().After(deadline) {
			break
		}
	}
	if len(got) != 1 || got[0] == first {
		t.Errorf("binaries after two rebuilds: %v, want only the newest", got)
	}
	// A text edit after a rebuild works against the new build.
	d.edit(t, "app/page.templ", "Hello from a text edit", "Hello again")
	waitFor(t, "text edit after a rebuild", d.base+"/", 10*time.Second, 10*time.Millisecond, func(p page) bool {
		return strings.Contains(p.body, "Hello again") && strings.Contains(p.body, "go edit")
	})

	out := d.out.String()
	for _, addr := range regexp.MustCompile(`127\.0\.0\.1:\d+`).FindAllString(out, -1) {
		if "http://"+addr != d.base {
			t.Errorf("dev logged a build's internal address %s:\n%s", addr, out)
			break
		}
	}
	if strings.Contains(out, "framework: serving") {
		t.Errorf("dev passed on a build's start line:\n%s", out)
	}
	if n := strings.Count(d.out.String(), "rebuilding"); n != 2 {
		t.Errorf("%d rebuilds, want 2 (data and Go edits):\n%s", n, d.out)
	}
}

// fetchPage GETs url as a browser would, for tests and benchmarks; an
// error is status -1.
func fetchPage(url string) page {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/html")
	res, err := client.Do(req)
	if err != nil {
		return page{status: -1, body: err.Error()}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, cache: res.Header.Get("X-Framework-Cache"), body: string(b)}
}

// reloadEvents connects to the dev server's reload stream and returns a
// channel that receives each reload event, once the stream is open.
func reloadEvents(t *testing.T, base string) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_framework/dev/events", nil)
	res, err := http.DefaultClient.Do(req) // no timeout: a stream
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	sc := bufio.NewScanner(res.Body)
	// The server registers the stream before it writes this line.
	if !sc.Scan() || sc.Text() != ": connected" {
		t.Fatalf("reload stream: %q, %v", sc.Text(), sc.Err())
	}
	reloads := make(chan struct{}, 10)
	go func() {
		for sc.Scan() {
			if sc.Text() == "event: reload" {
				select {
				case reloads <- struct{}{}:
				default:
				}
			}
		}
	}()
	return reloads
}

// reloadShows waits for reload events until, right after one, url shows
// want: what the reloaded tab would see.
func reloadShows(t *testing.T, reloads <-chan struct{}, url, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	var p page
	for {
		select {
		case <-reloads:
			if p = fetchPage(url); strings.Contains(p.body, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no reload event after which %s shows %q within %s; last answer %d %.300q", url, want, timeout, p.status, p.body)
		}
	}
}

// TestDevWatchesDataAndEmbeddedFiles: framework dev restarts the server,
// without a rebuild, when a file the app reads at run time changes (a JSON
// file read through framework.Cache, whose entry must go; an .env file),
// and reloads the tab; it rebuilds when a file embedded with go:embed
// changes; files in .framework and node_modules change nothing.
func TestDevWatchesDataAndEmbeddedFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if out, err := framework(t, ".", "new", dir); err != nil {
		t.Fatalf("framework new: %v\n%s", err, out)
	}
	files := map[string]string{
		"app/shop/page.go": `package shop

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"

	"github.com/isr-go/framework/framework"
)

//go:embed intro.md
var intro string

// greeting is read at run time, and kept until the server restarts.
var greeting = framework.Cache(func(ctx context.Context) (string, error) {
	b, err := os.ReadFile("data/greeting.json")
	if err != nil {
		return "", err
	}
	var v struct{ Greeting string }
	err = json.Unmarshal(b, &v)
	return v.Greeting, err
}, framework.CacheOptions{Revalidate: framework.Never})

// Data is what the page shows.
type Data struct{ Intro, Greeting, Banner string }

// Load reads the page's data.
func Load(ctx context.Context, r *framework.Request) (Data, error) {
	g, err := greeting(ctx)
	return Data{Intro: intro, Greeting: g, Banner: os.Getenv("SHOP_BANNER")}, err
}
`,
		"app/shop/page.templ": `package shop

templ Page(d Data) {
	<p>intro={ d.Intro }</p>
	<p>greeting={ d.Greeting }</p>
	<p>banner={ d.Banner }</p>
}
`,
		"app/shop/intro.md":     "Intro one",
		"data/greeting.json":    `{"greeting": "Hello one"}`,
		".env.development":      "SHOP_BANNER=Banner one\n",
		"node_modules/pkg/x.js": "x",
	}
	for rel, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := &devApp{dir: dir, out: &syncBuffer{}, base: "http://" + freeAddr(t)}
	d.start(t)
	url := d.base + "/shop"
	waitFor(t, "shop", url, 10*time.Second, 50*time.Millisecond, func(p page) bool {
		return strings.Contains(p.body, "intro=Intro one") && strings.Contains(p.body, "greeting=Hello one") && strings.Contains(p.body, "banner=Banner one")
	})
	bins := d.binaries()
	reloads := reloadEvents(t, d.base)

	// Dev's own folder and node_modules: nothing. They are written before
	// the data edit, so a batch of theirs would come first, or with it.
	for _, rel := range []string{".framework/greeting.json", "node_modules/pkg/x.js", "node_modules/pkg2/y.json"} {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte("changed"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// 1. A data file: the server restarts (the Cache entry goes), the tab
	// reloads, and the page it reloads shows the new value.
	d.edit(t, "data/greeting.json", "Hello one", "Hello two")
	reloadShows(t, reloads, url, "greeting=Hello two", 30*time.Second)
	// 2. An .env file: the restarted server reads it afresh.
	d.edit(t, ".env.development", "Banner one", "Banner two")
	reloadShows(t, reloads, url, "banner=Banner two", 30*time.Second)
	out := d.out.String()
	if strings.Contains(out, "rebuilding") {
		t.Errorf("a data edit was rebuilt:\n%s", out)
	}
	if got := d.binaries(); !slices.Equal(got, bins) {
		t.Errorf("binaries after data edits: %v, want %v (no rebuild)", got, bins)
	}
	restarts := regexp.MustCompile(`framework dev: (.*) changed: restarting`).FindAllStringSubmatch(out, -1)
	if len(restarts) == 0 {
		t.Errorf("no restart logged:\n%s", out)
	}
	for _, m := range restarts {
		if m[1] != "data/greeting.json" && m[1] != ".env.development" {
			t.Errorf("restarted for %s, want data/greeting.json or .env.development only", m[1])
		}
	}

	// 3. An embedded file: rebuilt; the data read at run time stays new.
	d.edit(t, "app/shop/intro.md", "Intro one", "Intro two")
	p := waitFor(t, "embedded edit", url, 90*time.Second, 50*time.Millisecond, func(p page) bool { return strings.Contains(p.body, "intro=Intro two") })
	if !strings.Contains(p.body, "greeting=Hello two") || !strings.Contains(p.body, "banner=Banner two") {
		t.Errorf("after the rebuild: %.300q", p.body)
	}
	if n := strings.Count(d.out.String(), "rebuilding"); n != 1 {
		t.Errorf("%d rebuilds, want 1 (the embedded file):\n%s", n, d.out)
	}
}
