package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/runtime"
	"github.com/isr-go/framework/framework/server"
)

// devCommand is `framework dev`.
type devCommand struct {
	env    Env
	server server.Config // --addr
}

const devUsage = `usage: framework dev [--addr ADDR] [DIR]

Dev serves the app with every page rendered on every request (no ISR
cache, like next dev). It watches every file of the app but those in
.framework, node_modules and other dot folders, and reloads the open
browser tabs after each change:

  - Go sources (.go files, and cgo's C and assembly files), go.mod,
    go.sum, vendor/, public/ and every file a //go:embed directive of the
    app embeds: dev regenerates the router, rebuilds and restarts the
    server. A compile or codegen error is shown in the terminal and in
    the browser, and the last good build keeps serving until the error
    is fixed.
  - .templ files: an edit of text or markup that leaves the Go
    expressions alone is served without a rebuild (templ's development
    mode); any other edit rebuilds.
  - app/**/page.md: an edit is served without a rebuild; a new or
    removed page.md rebuilds. Pages with draft: true are served.
  - any other file (data the app reads at run time, .env files): dev
    restarts the running build's server, which reads them afresh and
    starts with no Fetch or Cache data.

Left alone: what the build writes (*_templ.go, routes_gen.go), dot files
other than .env files, editors' backup and swap files (name~, #name#),
logs (*.log) and SQLite databases (*.db, *.sqlite, *.sqlite3 and their
-journal, -wal and -shm files), which a running app writes.

The data of framework.Fetch and framework.Cache lives in the memory of one
server: every rebuild or restart starts afresh, and nothing is written to
.framework/cache. FRAMEWORK_DEBUG_DEV=1 logs the internal address of each
build's server.

Example:

	framework dev --addr :3000

`

func (c *devCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("framework dev", flag.ContinueOnError)
	c.server.Bind(fs, c.env.Getenv, server.FlagAddr)
	return fs
}

// Usage prints the command's help.
func (c *devCommand) Usage() { printUsage(c.env.Stderr, devUsage, c.flags()) }

// devEvents is the path of the dev server's reload stream.
const devEvents = "/_framework/dev/events"

// reloadScript is added to every HTML page in development. It sets
// window.__frameworkDevConnected once the stream is open, so that a test
// (or a curious user) can tell that the page listens.
const reloadScript = `<script>(function(){var es=new EventSource("` + devEvents + `");` +
	`es.addEventListener("open",function(){window.__frameworkDevConnected=true});` +
	`es.addEventListener("reload",function(){location.reload()});` + cssSwap + `})();</script>`

// Run serves the app in args[0], or in the working directory, until ctx
// ends, rebuilding it on every change.
func (c *devCommand) Run(ctx context.Context, args []string) error {
	// The app's servers get the environment as it was before the .env
	// files were loaded, and load them themselves: so that a server
	// restarted after an edit of one sees its new values.
	environ := os.Environ()
	dir, _, err := parseAppArgs(c.flags, args, "development")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "app")); err != nil {
		return fmt.Errorf("%s has no app/ folder: is it an app? (framework new creates one)", dir)
	}
	env := c.env
	removeStaleDev(dir)
	// The text files of templ's development mode, one folder per build,
	// private to this process and removed with it.
	tmp, err := os.MkdirTemp("", "framework-dev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	d := &devServer{dir: dir, env: env, environ: environ, tmp: tmp, debug: env.Getenv("FRAMEWORK_DEBUG_DEV") == "1", clients: make(map[chan string]bool)}
	defer d.stopApp()

	l, err := net.Listen("tcp", c.server.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	defer srv.Close()
	fmt.Fprintf(env.Stdout, "framework dev: http://%s (press Ctrl-C to stop)\n", displayAddr(l.Addr()))

	// Watching starts before the first build, so that a save during it
	// is not missed.
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	changes, err := watchApp(watchCtx, dir, func(err error) {
		fmt.Fprintf(env.Stderr, "framework dev: watch: %v\n", err)
	})
	if err != nil {
		return err
	}
	d.rebuild(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case files := <-changes:
			d.change(ctx, files)
		}
	}
}

// change handles a batch of changed files: text-only edits of .templ files
// reach the running server through templ's text files; files compiled
// into the server are rebuilt; files it reads at run time restart it (the
// same build, with its data dropped). The open tabs reload.
func (d *devServer) change(ctx context.Context, files []string) {
	start := time.Now()
	root, _ := filepath.Abs(d.dir) // files are absolute
	var texts, data, assets []string
	build := false
	for _, f := range files {
		switch classify(root, f, d.embeds) {
		case changeText:
			texts = append(texts, f)
		case changeBuild:
			build = true
		case changeData:
			data = append(data, f)
		case changeAsset:
			assets = append(assets, f)
		}
	}
	if !build && len(texts) > 0 {
		if err := d.updateText(texts); err != nil {
			if d.debug && !errors.Is(err, errGoChanged) {
				fmt.Fprintf(d.env.Stderr, "framework dev: text update: %v\n", err)
			}
			build = true
		}
	}
	if build {
		d.assets.reset() // the new build bundles assets/ itself
	} else if len(assets) > 0 {
		d.changeAssets(relNamesList(root, assets))
	}
	switch {
	case build:
		fmt.Fprintln(d.env.Stdout, "framework dev: change detected, rebuilding...")
		d.rebuild(ctx)
		if d.debug {
			fmt.Fprintf(d.env.Stdout, "framework dev: rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
		}
		return
	case len(texts) > 0:
		took := time.Since(start)
		// templ's runtime trusts its copy of a text file for 100 ms
		// after the file's mtime; a reload sooner after the previous
		// text edit could get the previous text. A page.md is read
		// afresh on every render.
		if slices.ContainsFunc(texts, func(f string) bool { return strings.HasSuffix(f, ".templ") }) {
			if wait := d.lastText.Add(templRecheck).Sub(time.Now()); wait > 0 {
				time.Sleep(wait)
			}
			d.lastText = time.Now()
		}
		fmt.Fprintf(d.env.Stdout, "framework dev: %s: text updated in %s, no rebuild needed\n", relNames(root, texts), took.Round(time.Millisecond))
	}
	if len(data) > 0 {
		fmt.Fprintf(d.env.Stdout, "framework dev: %s changed: restarting the server (its Fetch and Cache data start afresh)\n", relNames(root, data))
		d.restartData(ctx)
	}
	if len(texts) > 0 || len(data) > 0 {
		d.reloadClients()
	}
}

// relNames lists files by their paths relative to root, for the terminal.
func relNames(root string, files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f
		if rel, ok := appRel(root, f); ok {
			names[i] = rel
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// restartData starts the running build's binary afresh, so that the
// server reads what it reads at run time anew and its Fetch and Cache data
// (in its memory only) start empty. A server that fails to start is shown
// as a build error is, and the running one keeps serving.
func (d *devServer) restartData(ctx context.Context) {
	d.mu.Lock()
	p := d.app
	d.mu.Unlock()
	if p == nil {
		return // no good build yet: the next one starts a server
	}
	err := d.restart(ctx, p.bin, p.textRoot)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.buildErr = "restart: " + err.Error()
		d.restartFailed = true
		fmt.Fprintf(d.env.Stderr, "framework dev: restart failed: %v\n", err)
	} else if d.restartFailed {
		d.buildErr, d.restartFailed = "", false
	}
}

// updateText applies files to the running server without a rebuild if
// they are all .templ files whose edits changed text only, and returns an
// error if they are not (or there is no good build to update).
func (d *devServer) updateText(files []string) error {
	d.mu.Lock()
	app, buildErr := d.app, d.buildErr
	d.mu.Unlock()
	if app == nil || buildErr != "" || d.text == nil {
		return errGoChanged
	}
	var templs, mds []string
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, ".templ"):
			templs = append(templs, f)
		case strings.HasSuffix(f, "page.md"):
			mds = append(mds, f)
		default:
			return errGoChanged
		}
	}
	if err := d.updateMarkdown(app.textRoot, mds); err != nil {
		return err
	}
	return d.text.update(app.textRoot, templs)
}

// removeStaleDev deletes what earlier dev servers left in the app: their
// binaries (a dev server killed before it could clean up) and the caches
// of the versions that kept data on disk (.framework/cache/dev-0, dev-1).
func removeStaleDev(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, outDir, devBinPrefix+"*"))
	caches, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(server.DefaultCacheDir), "dev-*"))
	for _, f := range append(old, caches...) {
		os.RemoveAll(f)
	}
}

// templRecheck is how long templ's runtime (v0.3.960, runtime/watchmode.go)
// keeps serving its cached copy of a text file written that recently,
// without looking at the file again.
const templRecheck = 110 * time.Millisecond

// devBinPrefix starts the names of dev server binaries in .framework.
const devBinPrefix = "dev-server-"

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// devServer proxies to the app's current server, injects the reload script
// into pages, and shows the last build error.
type devServer struct {
	dir     string
	env     Env
	environ []string // the app servers' environment
	tmp     string   // this process's temporary folder
	debug   bool     // FRAMEWORK_DEBUG_DEV=1: log the servers' own lines too

	// Used by the Run loop only.
	seq      int             // numbers the builds
	text     *templText      // the .templ files the running server was built from
	embeds   []embedDir      // the //go:embed patterns of the last build
	markdown map[string]bool // the page.md files of the running build
	lastText time.Time       // when text files were last written

	mu            sync.Mutex
	app           *appProcess // the running server, or nil
	target        *url.URL
	buildErr      string
	restartFailed bool // buildErr says a restart failed, not a build
	clients       map[chan string]bool
	assets        devAssets // assets/ bundled after an edit, served from memory
	assetsFailed  bool      // buildErr says bundling assets/ failed
}

// appProcess is a running dev server. A new build starts beside the
// running one and replaces it only once it answers; each has its own
// binary and text root, removed when it stops.
type appProcess struct {
	cmd      *exec.Cmd
	bin      string // the binary, relative to the app's directory
	dir      string // the app's directory
	textRoot string // its TEMPL_DEV_MODE_ROOT
	exited   chan error
}

// rebuild generates, compiles and restarts the app. On failure the running
// server stays and the error is shown.
func (d *devServer) rebuild(ctx context.Context) {
	err := d.build(ctx)
	d.mu.Lock()
	if err != nil {
		d.buildErr = err.Error()
		fmt.Fprintf(d.env.Stderr, "framework dev: build failed:\n%s\n", err)
	} else {
		d.buildErr = ""
	}
	d.restartFailed = false
	d.mu.Unlock()
	d.reloadClients()
}

func (d *devServer) build(ctx context.Context) error {
	gen, err := codegen.Generate(ctx, d.dir, codegen.Drafts()) // dev serves drafts
	if err != nil {
		return err
	}
	d.seq++
	textRoot := filepath.Join(d.tmp, "text-"+strconv.Itoa(d.seq))
	if err := os.MkdirAll(textRoot, 0o755); err != nil {
		return err
	}
	// Which files are embedded is read beside the compilation: what go
	// list reads, go build does not write.
	type loaded struct {
		embeds []embedDir
		err    error
	}
	embeds := make(chan loaded, 1)
	go func() {
		e, err := loadEmbeds(ctx, d.dir)
		embeds <- loaded{e, err}
	}()
	text, err := scanTempl(d.dir, textRoot)
	if err == nil {
		bin := filepath.Join(outDir, devBinPrefix+strconv.Itoa(d.seq))
		var out bytes.Buffer
		if err = compileServer(ctx, d.dir, bin, server.DevelopmentBuildID, &out); err != nil {
			err = fmt.Errorf("%v\n%s", err, out.String())
		} else if err = d.restart(ctx, bin, textRoot); err != nil {
			os.Remove(filepath.Join(d.dir, bin))
		}
	}
	// A failed load keeps the previous patterns: the build's own error
	// (go.mod, say) says what is wrong.
	if e := <-embeds; e.err == nil {
		d.embeds = e.embeds
	} else if d.debug {
		fmt.Fprintf(d.env.Stderr, "framework dev: go:embed patterns: %v\n", e.err)
	}
	if err != nil {
		os.RemoveAll(textRoot)
		return err
	}
	d.text = text
	d.markdown = markdownFiles(d.dir, gen)
	return nil
}

// restart starts bin (relative to the app) on a free port, waits until it
// answers, points the proxy at it and stops the previous server, deleting
// the previous server's files unless bin is the same binary. If it fails,
// it leaves bin and textRoot to the caller.
func (d *devServer) restart(ctx context.Context, bin, textRoot string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	// No --cache-dir: a dev server keeps its data in memory (Options.Dev).
	cfg := server.Config{Addr: addr, Dev: true}
	cmd := exec.Command("./"+filepath.ToSlash(bin), append([]string{"serve"}, cfg.Args(server.FlagDev, server.FlagAddr)...)...)
	cmd.Dir = d.dir
	// templ's development mode: literal text is read from textRoot, so
	// that a text edit needs no rebuild (see devtext.go).
	cmd.Env = append(slices.Clip(d.environ), "TEMPL_DEV_MODE=true", "TEMPL_DEV_MODE_ROOT="+textRoot, runtime.DevMarkdownEnv+"="+textRoot)
	// The server's own start and stop lines name its internal address,
	// which is no use to the user and changes with every build.
	stdout, stderr := d.env.Stdout, d.env.Stderr
	if !d.debug {
		stdout, stderr = newLineFilter(stdout, internalLine), newLineFilter(stderr, internalLine)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &appProcess{cmd: cmd, bin: bin, dir: d.dir, textRoot: textRoot, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-p.exited:
			return fmt.Errorf("the app exited at start: %v", err)
		case <-ctx.Done():
			p.halt()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.halt()
			return errors.New("the app did not start listening within 30s")
		}
	}
	if d.debug {
		fmt.Fprintf(d.env.Stdout, "framework dev: build %d serving at http://%s\n", d.seq, addr)
	}
	d.mu.Lock()
	old := d.app
	d.app, d.target = p, &url.URL{Scheme: "http", Host: addr}
	d.mu.Unlock()
	switch {
	case old == nil:
	case old.bin == bin:
		old.halt() // the same build, restarted: its files are p's
	default:
		old.stop()
	}
	return nil
}

// internalLine matches the lines of a dev server's own log that dev does
// not pass on: those naming its internal address.
func internalLine(line []byte) bool {
	return bytes.Contains(line, []byte("framework: serving")) || bytes.Contains(line, []byte("framework: shutting down"))
}

// lineFilter writes the lines written to it to w, but for those drop
// reports. It is a process's output, so lines arrive whole or in order.
type lineFilter struct {
	w    io.Writer
	drop func([]byte) bool
	mu   sync.Mutex
	buf  []byte
}

func newLineFilter(w io.Writer, drop func([]byte) bool) *lineFilter {
	return &lineFilter{w: w, drop: drop}
}

func (f *lineFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buf = append(f.buf, p...)
	for {
		i := bytes.IndexByte(f.buf, '\n')
		if i < 0 {
			break
		}
		line := f.buf[:i+1]
		if !f.drop(line) {
			if _, err := f.w.Write(line); err != nil {
				return len(p), err
			}
		}
		f.buf = f.buf[i+1:]
	}
	// Copy what is left to the front, so that buf does not grow forever.
	f.buf = append(f.buf[:0:0], f.buf...)
	return len(p), nil
}

// stopApp stops the running server.
func (d *devServer) stopApp() {
	d.mu.Lock()
	p := d.app
	d.app, d.target = nil, nil
	d.mu.Unlock()
	if p != nil {
		p.stop()
	}
}

// stop halts the server, then deletes its binary and text files, so that
// they do not pile up.
func (p *appProcess) stop() {
	p.halt()
	os.Remove(filepath.Join(p.dir, p.bin))
	os.RemoveAll(p.textRoot)
}

// halt asks the server to shut down gracefully, and kills it after 10 s.
func (p *appProcess) halt() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func (d *devServer) reloadClients() { d.notifyClients("reload") }

// notifyClients sends event to the open tabs: "reload", or "css" to swap
// their stylesheets in place.
func (d *devServer) notifyClients(event string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for c := range d.clients {
		select {
		case c <- event:
		default:
		}
	}
}

func (d *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == devEvents {
		d.serveEvents(w, r)
		return
	}
	if d.assets.serve(w, r) {
		return
	}
	d.mu.Lock()
	target, buildErr := d.target, d.buildErr
	d.mu.Unlock()
	if buildErr != "" && r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") || target == nil {
		msg := buildErr
		if msg == "" {
			msg = "The app is starting..."
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Build error</title></head><body style="font:15px system-ui;margin:2rem">`+
			`<h1 style="color:#cf222e">framework dev: build error</h1><pre style="white-space:pre-wrap;background:#fff0f0;padding:1rem">%s</pre>`+
			`<p>Fix it and save: this page reloads.</p>%s</body></html>`, html.EscapeString(msg), reloadScript)
		return
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			// Plain bodies, so that the reload script can be added.
			pr.Out.Header.Del("Accept-Encoding")
		},
		ModifyResponse: injectReload,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "framework dev: the app is restarting, reload in a moment", http.StatusBadGateway)
		},
	}
	proxy.ServeHTTP(w, r)
}

// injectReload adds the reload script to HTML responses.
func injectReload(res *http.Response) error {
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || res.Header.Get("Content-Encoding") != "" {
		return nil
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if i := bytes.LastIndex(body, []byte("</body>")); i >= 0 {
		body = append(body[:i:i], append([]byte(reloadScript), body[i:]...)...)
	} else {
		body = append(body, reloadScript...)
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Set("Content-Length", strconv.Itoa(len(body)))
	res.Header.Del("Etag")
	if p := res.Header.Get("Content-Security-Policy"); p != "" {
		res.Header.Set("Content-Security-Policy", allowReloadScript(p))
	}
	return nil
}

// reloadScriptHash is the CSP source that allows reloadScript.
var reloadScriptHash = func() string {
	sum := sha256.Sum256([]byte(strings.TrimSuffix(strings.TrimPrefix(reloadScript, "<script>"), "</script>")))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// allowReloadScript adds reloadScriptHash to the script-src of policy, the
// app's Content-Security-Policy, so that the page reloads in development
// under the policy it has in production. The app adds a script-src to any
// policy that restricts scripts.
func allowReloadScript(policy string) string {
	directives := strings.Split(policy, ";")
	for i, d := range directives {
		if f := strings.Fields(d); len(f) > 0 && strings.EqualFold(f[0], "script-src") {
			d = strings.Replace(d, " 'none'", "", 1)
			directives[i] = d + " " + reloadScriptHash
		}
	}
	return strings.Join(directives, ";")
}

// serveEvents streams a "reload" event after every build.
func (d *devServer) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan string, 1)
	d.mu.Lock()
	d.clients[c] = true
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.clients, c)
		d.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fmt.Fprint(w, ": connected\n\n")
	flusher.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case event := <-c:
			fmt.Fprintf(w, "event: %s\ndata: {}\n\n", event)
			flusher.Flush()
		}
	}
}
