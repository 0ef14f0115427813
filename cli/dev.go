package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/isr-go/framework/framework/server"
)

// devCommand is `framework dev`.
type devCommand struct {
	env    Env
	server server.Config // --addr
}

const devUsage = `usage: framework dev [--addr ADDR] [DIR]

Dev serves the app with every page rendered on every request (no ISR
cache, like next dev). It watches app/, public/ and every .go and .templ
file; on a change it regenerates the router, rebuilds and restarts the
server, and reloads the open browser tabs. A compile or codegen error is
shown in the terminal and in the browser, and the last good build keeps
serving until the error is fixed.

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

// reloadScript is added to every HTML page in development.
const reloadScript = `<script>(function(){var es=new EventSource("` + devEvents + `");` +
	`es.addEventListener("reload",function(){location.reload()});})();</script>`

// pollInterval is how often dev looks for changed files.
const pollInterval = 250 * time.Millisecond

// Run serves the app in args[0], or in the working directory, until ctx
// ends, rebuilding it on every change.
func (c *devCommand) Run(ctx context.Context, args []string) error {
	dir, _, err := parseAppArgs(c.flags, args, "development")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "app")); err != nil {
		return fmt.Errorf("%s has no app/ folder: is it an app? (framework new creates one)", dir)
	}
	env := c.env
	d := &devServer{dir: dir, env: env, clients: make(map[chan struct{}]bool)}
	defer d.stopApp()

	l, err := net.Listen("tcp", c.server.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	defer srv.Close()
	fmt.Fprintf(env.Stdout, "framework dev: http://%s (press Ctrl-C to stop)\n", displayAddr(l.Addr()))

	stamp := snapshot(dir)
	d.rebuild(ctx)
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if now := snapshot(dir); now != stamp {
				stamp = now
				fmt.Fprintln(env.Stdout, "framework dev: change detected, rebuilding...")
				d.rebuild(ctx)
			}
		}
	}
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// snapshot returns a fingerprint of the app's sources: the names, sizes and
// modification times of its .go, .templ and public files. Generated files
// are left out, or regenerating them would trigger another build.
func snapshot(dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		watched := strings.HasSuffix(name, ".templ") ||
			strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_templ.go") && name != "routes_gen.go" ||
			strings.HasPrefix(rel, "public"+string(filepath.Separator)) || name == "go.mod"
		if !watched {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", rel, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// devServer proxies to the app's current server, injects the reload script
// into pages, and shows the last build error.
type devServer struct {
	dir string
	env Env

	mu       sync.Mutex
	app      *appProcess // the running server, or nil
	target   *url.URL
	buildErr string
	clients  map[chan struct{}]bool
}

// appProcess is a running dev server. Two slots alternate, each with its
// own binary and cache, so that a new build starts beside the running one
// and replaces it only once it answers.
type appProcess struct {
	cmd    *exec.Cmd
	slot   int
	exited chan error
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
	d.mu.Unlock()
	d.reloadClients()
}

func (d *devServer) build(ctx context.Context) error {
	if _, err := generate(ctx, d.dir); err != nil {
		return err
	}
	slot := 0
	d.mu.Lock()
	if d.app != nil {
		slot = 1 - d.app.slot
	}
	d.mu.Unlock()
	bin := filepath.Join(outDir, "dev-server-"+strconv.Itoa(slot))
	var out bytes.Buffer
	if err := compileServer(ctx, d.dir, bin, server.DevelopmentBuildID, &out); err != nil {
		return fmt.Errorf("%v\n%s", err, out.String())
	}
	return d.restart(ctx, bin, slot)
}

// restart starts bin on a free port, waits until it answers, points the
// proxy at it and stops the previous server.
func (d *devServer) restart(ctx context.Context, bin string, slot int) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	cfg := server.Config{Addr: addr, Dev: true, CacheDir: filepath.Join(filepath.FromSlash(server.DefaultCacheDir), "dev-"+strconv.Itoa(slot))}
	cmd := exec.Command("./"+filepath.ToSlash(bin), append([]string{"serve"}, cfg.Args(server.FlagDev, server.FlagAddr, server.FlagCacheDir)...)...)
	cmd.Dir = d.dir
	cmd.Stdout, cmd.Stderr = d.env.Stdout, d.env.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &appProcess{cmd: cmd, slot: slot, exited: make(chan error, 1)}
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
			p.stop()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return errors.New("the app did not start listening within 30s")
		}
	}
	d.mu.Lock()
	old := d.app
	d.app, d.target = p, &url.URL{Scheme: "http", Host: addr}
	d.mu.Unlock()
	if old != nil {
		old.stop()
	}
	return nil
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

// stop asks the server to shut down gracefully, and kills it after 10 s.
func (p *appProcess) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func (d *devServer) reloadClients() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for c := range d.clients {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

func (d *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == devEvents {
		d.serveEvents(w, r)
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
	return nil
}

// serveEvents streams a "reload" event after every build.
func (d *devServer) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan struct{}, 1)
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
		case <-c:
			fmt.Fprint(w, "event: reload\ndata: {}\n\n")
			flusher.Flush()
		}
	}
}
