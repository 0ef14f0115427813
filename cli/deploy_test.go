package cli_test

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The deployment recipes: the app template's Dockerfile, and the
// Kubernetes manifest and systemd unit in examples/deploy. There is no
// Docker engine where these tests run, so TestDockerfile does what docker
// build would: it reads the Dockerfile of a new app and carries out its
// instructions itself, each stage's "/" a temp dir, then runs the image's
// command from the final stage's files as docker run and the Kubernetes
// manifest would.

// shutdownBound is the longest a server takes to stop after SIGTERM (serve
// and App.Close in package server): 30 s for requests in flight, 30 s for
// a regeneration running (the render timeout), 10 s to close the store.
// The grace periods of the recipes must exceed it.
const shutdownBound = 70 * time.Second

const (
	manifestFile = "../examples/deploy/kubernetes.yaml"
	unitFile     = "../examples/deploy/myapp.service"
	dockerfile   = "../app-template/_files/Dockerfile"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line  int
	cmd   string              // upper case: FROM, RUN, COPY, ...
	flags map[string][]string // the --name=value options before the arguments
	args  string              // the rest, as written
}

// parseDockerfile splits a Dockerfile into instructions: comment lines
// dropped (inside a continuation too, as Docker does), lines ending in a
// backslash joined with the next.
func parseDockerfile(t *testing.T, src string) []instruction {
	t.Helper()
	var out []instruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if rest, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		in := instruction{line: start, cmd: strings.ToUpper(cmd), flags: map[string][]string{}}
		args = strings.TrimSpace(args)
		for strings.HasPrefix(args, "--") {
			opt, rest, _ := strings.Cut(args, " ")
			name, value, _ := strings.Cut(strings.TrimPrefix(opt, "--"), "=")
			in.flags[name] = append(in.flags[name], value)
			args = strings.TrimSpace(rest)
		}
		in.args = args
		out = append(out, in)
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Fatalf("Dockerfile ends in a continuation line")
	}
	return out
}

// execForm parses the JSON form of CMD, ENTRYPOINT, VOLUME and HEALTHCHECK
// CMD. The shell form would need a shell, which the final image lacks.
func execForm(t *testing.T, in instruction, args string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		t.Fatalf("Dockerfile:%d: %s %s: want the JSON (exec) form: %v", in.line, in.cmd, args, err)
	}
	return v
}

// ignoreMatcher is the part of .dockerignore matching that the template
// needs: patterns matched with path.Match against a path relative to the
// context, a match on a directory excluding what is below it, "!"
// re-including, the last matching pattern winning. COPY --exclude patterns
// work alike, relative to the source. A pattern it does not understand
// fails the test rather than being misread.
type ignoreMatcher []string

func newIgnoreMatcher(t *testing.T, patterns []string) ignoreMatcher {
	t.Helper()
	var m ignoreMatcher
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if strings.Contains(p, "**") {
			t.Fatalf("ignore pattern %q: this test's matcher has no **", p)
		}
		m = append(m, p)
	}
	return m
}

func (m ignoreMatcher) excludes(rel string) bool {
	excluded := false
	for _, p := range m {
		negate := strings.HasPrefix(p, "!")
		p = path.Clean(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/"))
		for prefix := rel; prefix != "." && prefix != "/"; prefix = path.Dir(prefix) {
			if ok, _ := path.Match(p, prefix); ok {
				excluded = !negate
				break
			}
		}
	}
	return excluded
}

// copyTree copies what is in src into dst, as COPY does with a directory
// (its content, not the directory itself), leaving out what skip excludes.
func copyTree(t *testing.T, src, dst string, skip ignoreMatcher) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel != "." && skip.excludes(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		default:
			return copyFile(p, target)
		}
	})
	if err != nil {
		t.Fatalf("copy %s to %s: %v", src, dst, err)
	}
}

func copyFile(src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, info.Mode().Perm())
}

// stage is one FROM of a Dockerfile as this test runs it, and for the last
// one, the image's configuration.
type stage struct {
	name, image string
	root        string            // the directory that is the stage's "/"
	workdir     string            // WORKDIR, in the image's terms
	env         map[string]string // set by ENV
	user        string
	expose      []string
	volumes     []string
	healthcheck []string
	entrypoint  []string
	cmd         []string
	stopSignal  string
}

// at returns where the image's path p (absolute, or relative to WORKDIR)
// is on this machine.
func (s *stage) at(p string) string {
	if !path.IsAbs(p) {
		p = path.Join(s.workdir, p)
	}
	return filepath.Join(s.root, filepath.FromSlash(p))
}

// runDockerfile carries out the Dockerfile of the app in dir as docker
// build with the named contexts would, each stage's files under root, and
// returns the stages. RUN runs `sh -ec` in the stage's WORKDIR with the
// machine's Go, module and build caches (what the cache mounts give the
// real build) and the stage's ENV.
func runDockerfile(t *testing.T, dir string, contexts map[string]string, root string) []*stage {
	t.Helper()
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatalf("the app has no Dockerfile: %v", err)
	}
	ignore, err := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		t.Fatalf("the app has no .dockerignore: %v", err)
	}
	contextIgnore := newIgnoreMatcher(t, strings.Split(string(ignore), "\n"))
	modGo := goDirective(t, filepath.Join(dir, "go.mod"))

	var stages []*stage
	var s *stage
	named := map[string]*stage{}
	for _, in := range parseDockerfile(t, string(df)) {
		if in.cmd != "FROM" && s == nil {
			t.Fatalf("Dockerfile:%d: %s before FROM", in.line, in.cmd)
		}
		switch in.cmd {
		case "FROM":
			f := strings.Fields(in.args)
			s = &stage{image: f[0], env: map[string]string{}, workdir: "/"}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			s.root = filepath.Join(root, fmt.Sprintf("stage%d", len(stages)))
			if ctx, ok := contexts[s.name]; ok {
				s.root = ctx // --build-context NAME=DIR replaces the stage
			} else if err := os.MkdirAll(s.root, 0o755); err != nil {
				t.Fatal(err)
			}
			if tag, ok := strings.CutPrefix(s.image, "golang:"); ok {
				// The golang images set GOTOOLCHAIN=local: their own Go
				// must satisfy go.mod's go directive.
				s.env["GOTOOLCHAIN"] = "local"
				if !strings.HasPrefix(modGo+".", tag+".") {
					t.Errorf("Dockerfile:%d: FROM %s, but go.mod says go %s", in.line, s.image, modGo)
				}
			}
			stages = append(stages, s)
			if s.name != "" {
				named[s.name] = s
			}
		case "ENV":
			for _, kv := range strings.Fields(in.args) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("Dockerfile:%d: ENV %s: want KEY=VALUE", in.line, in.args)
				}
				s.env[k] = v
			}
		case "ARG":
			// Build arguments are in the image's history.
			if strings.Contains(strings.ToUpper(in.args), "SECRET") {
				t.Errorf("Dockerfile:%d: ARG %s bakes a secret into the image", in.line, in.args)
			}
		case "WORKDIR":
			s.workdir = path.Join(s.workdir, in.args)
			if err := os.MkdirAll(s.at("."), 0o755); err != nil {
				t.Fatal(err)
			}
		case "COPY":
			f := strings.Fields(in.args)
			srcs, dest := f[:len(f)-1], f[len(f)-1]
			from, skip := dir, contextIgnore
			if names := in.flags["from"]; len(names) > 0 {
				st := named[names[0]]
				if st == nil {
					t.Fatalf("Dockerfile:%d: COPY --from=%s: no such stage", in.line, names[0])
				}
				from, skip = st.root, nil
			}
			skip = append(skip, newIgnoreMatcher(t, in.flags["exclude"])...)
			target := s.at(dest)
			for _, src := range srcs {
				srcPath := filepath.Join(from, filepath.FromSlash(src))
				info, err := os.Stat(srcPath)
				if err != nil {
					t.Fatalf("Dockerfile:%d: COPY %s: %v", in.line, src, err)
				}
				if info.IsDir() {
					copyTree(t, srcPath, target, skip)
					continue
				}
				to := target
				if strings.HasSuffix(dest, "/") {
					to = filepath.Join(target, filepath.Base(srcPath))
				}
				if err := copyFile(srcPath, to); err != nil {
					t.Fatal(err)
				}
			}
			if owner := in.flags["chown"]; len(owner) > 0 && os.Geteuid() == 0 {
				uid, gid := numericUser(t, in, owner[0])
				err := filepath.WalkDir(target, func(p string, _ fs.DirEntry, err error) error {
					if err != nil {
						return err
					}
					return os.Lchown(p, uid, gid)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			// Docker discards what a step writes under a volume declared
			// before it.
			to := path.Join(s.workdir, dest)
			for _, v := range s.volumes {
				if to == v || strings.HasPrefix(to, v+"/") || strings.HasPrefix(v, to+"/") {
					t.Errorf("Dockerfile:%d: COPY to %s after VOLUME %s: Docker discards it", in.line, to, v)
				}
			}
		case "RUN":
			cmd := exec.Command("sh", "-ec", in.args)
			cmd.Dir = s.at(".")
			cmd.Env = buildEnv(s.env)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("Dockerfile:%d: RUN %s: %v\n%s", in.line, in.args, err, out)
			}
			t.Logf("Dockerfile:%d: RUN took %.1fs:\n%s", in.line, time.Since(start).Seconds(), out)
		case "USER":
			s.user = in.args
		case "EXPOSE":
			s.expose = append(s.expose, strings.Fields(in.args)...)
		case "VOLUME":
			s.volumes = append(s.volumes, execForm(t, in, in.args)...)
		case "HEALTHCHECK":
			hc, ok := strings.CutPrefix(in.args, "CMD ")
			if !ok {
				t.Fatalf("Dockerfile:%d: HEALTHCHECK %s: want CMD", in.line, in.args)
			}
			s.healthcheck = execForm(t, in, hc)
		case "ENTRYPOINT":
			s.entrypoint = execForm(t, in, in.args)
		case "CMD":
			s.cmd = execForm(t, in, in.args)
		case "STOPSIGNAL":
			s.stopSignal = in.args
		case "LABEL":
		default:
			t.Fatalf("Dockerfile:%d: this test does not know %s", in.line, in.cmd)
		}
	}
	if len(stages) == 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	return stages
}

// buildEnv is the environment of a RUN: the machine's, for its Go caches
// and proxy settings, without FRAMEWORK_ variables, which the image would
// not have, and with the stage's ENV.
func buildEnv(stageEnv map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FRAMEWORK_") {
			env = append(env, kv)
		}
	}
	for k, v := range stageEnv {
		env = append(env, k+"="+v)
	}
	return env
}

// container runs commands of an image as a container would: in WORKDIR,
// with the image's ENV (paths in it moved under the image's root) and
// env on top, and as the image's USER when this test runs as root.
func (img *stage) container(t *testing.T, args []string, env map[string]string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(img.at(args[0]), args[1:]...)
	cmd.Dir = img.at(".")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	for k, v := range img.env {
		if path.IsAbs(v) {
			v = img.at(v)
		}
		if _, ok := env[k]; !ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	uid, gid := numericUser(t, instruction{cmd: "USER"}, img.user)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	return cmd
}

// start starts a server command, stopping it at the end of the test; stop
// sends SIGTERM and returns how it exited.
func start(t *testing.T, cmd *exec.Cmd) (stop func() error) {
	t.Helper()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once bool
	var result error
	stop = func() error {
		if once {
			return result
		}
		once = true
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case result = <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			result = errors.New("did not stop within 30 s of SIGTERM")
		}
		return result
	}
	t.Cleanup(func() { stop() })
	return stop
}

// productsRoute is a route handler that reads data/ at run time, as an app
// with its content in a JSON file does: in the image, it must find the file
// where it is beside the app's sources.
const productsRoute = `// Package products serves data/products.json, read per request.
package products

import (
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
)

// GET answers the products.
func GET(c echo.Context) error {
	b, err := os.ReadFile("data/products.json")
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, b)
}
`

func TestDockerfile(t *testing.T) {
	dir := newApp(t)
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Fatalf("the new app has no data/ folder: %v", err)
	}
	for name, content := range map[string]string{
		"data/products.json":        `[{"id":"1","name":"Teapot"}]`,
		"app/api/products/route.go": productsRoute,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ignore, err := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		t.Fatalf("the new app has no .dockerignore: %v", err)
	}
	contextIgnore := newIgnoreMatcher(t, strings.Split(string(ignore), "\n"))
	for _, p := range []string{".framework", ".framework/cache/x", ".git", ".env.local", ".env.production.local"} {
		if !contextIgnore.excludes(p) {
			t.Errorf(".dockerignore sends %s to the builder", p)
		}
	}
	for _, p := range []string{"app/page.templ", "go.mod", "go.sum", "main.go", "public/styles.css", "data/products.json", ".env", ".env.production"} {
		if contextIgnore.excludes(p) {
			t.Errorf(".dockerignore keeps %s from the build", p)
		}
	}

	// The named context, found as the Dockerfile's comment says: go list
	// -m prints the directory go.mod's replace names.
	list := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/isr-go/framework")
	list.Dir = dir
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	contexts := map[string]string{"framework": strings.TrimSpace(string(out))}
	root := t.TempDir()
	// The image's user must reach its files, under dirs made 0700.
	for _, d := range []string{root, filepath.Dir(root)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	stages := runDockerfile(t, dir, contexts, root)

	// The image is the last stage.
	img := stages[len(stages)-1]
	if !strings.HasPrefix(img.image, "gcr.io/distroless/static") && img.image != "scratch" {
		t.Errorf("final stage FROM %s: want distroless/static or scratch", img.image)
	}
	for k := range img.env {
		if strings.Contains(k, "SECRET") {
			t.Errorf("ENV %s bakes a secret into the image", k)
		}
	}
	if img.env["FRAMEWORK_ADDR"] != ":3000" || !slices.Equal(img.expose, []string{"3000"}) {
		t.Errorf("FRAMEWORK_ADDR=%q, EXPOSE %v: want :3000 and 3000", img.env["FRAMEWORK_ADDR"], img.expose)
	}
	if uid, _ := numericUser(t, instruction{cmd: "USER"}, img.user); uid == 0 {
		t.Errorf("USER %q: the server runs as root", img.user)
	}
	serve := append(slices.Clone(img.entrypoint), img.cmd...)
	if !slices.Equal(serve, []string{"/app/server", "serve"}) {
		t.Errorf("ENTRYPOINT+CMD = %q, want /app/server serve", serve)
	}
	if !slices.Equal(img.healthcheck, []string{"/app/server", "health"}) {
		t.Errorf("HEALTHCHECK CMD %q, want /app/server health", img.healthcheck)
	}
	if img.stopSignal != "" && img.stopSignal != "SIGTERM" {
		t.Errorf("STOPSIGNAL %s: the server stops gracefully on SIGTERM", img.stopSignal)
	}
	cacheDir := img.env["FRAMEWORK_CACHE_DIR"]
	if cacheDir == "" {
		cacheDir = path.Join(img.workdir, ".framework/cache")
	}
	if cacheDir != "/app/.framework/cache" || !slices.Equal(img.volumes, []string{cacheDir}) {
		t.Errorf("cache dir %s, VOLUME %v: want /app/.framework/cache, the one volume", cacheDir, img.volumes)
	}

	// The image holds the server, its build's cache and data/, nothing
	// else: no sources, no Go, no .env file.
	id, err := exec.Command(img.at("/app/server"), "build-id").Output()
	if err != nil {
		t.Fatalf("/app/server build-id: %v", err)
	}
	buildID := strings.TrimSpace(string(id))
	if buildID == "" || buildID == "development" {
		t.Fatalf("/app/server has build ID %q: framework build did not stamp it", buildID)
	}
	var files []string
	filepath.WalkDir(img.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(img.root, p)
			files = append(files, "/"+filepath.ToSlash(rel))
		}
		return err
	})
	cache := path.Join(cacheDir, buildID) + "/"
	for _, f := range files {
		if f != "/app/server" && !strings.HasPrefix(f, cache) && !strings.HasPrefix(f, "/app/data/") {
			t.Errorf("the image holds %s: only /app/server, /app/data/ and %s are shipped", f, cache)
		}
	}
	for _, f := range []string{"/app/data/products.json", "/app/data/README.md"} {
		if !slices.Contains(files, f) {
			t.Errorf("the image lacks %s: the app's data/ is not shipped", f)
		}
	}
	if len(files) < 2 {
		t.Errorf("the image holds %v: no prerendered cache", files)
	}
	checkStatic(t, img.at("/app/server"))
	if os.Geteuid() != 0 {
		t.Logf("not root: the server runs as uid %d, not as the image's USER %s", os.Geteuid(), img.user)
	}

	// docker run -e FRAMEWORK_REVALIDATE_SECRET -p PORT:3000 IMAGE. The
	// listen address is the one change: a free port on loopback, since the
	// test shares the machine.
	t.Run("docker run", func(t *testing.T) {
		addr := freeAddr(t)
		env := map[string]string{"FRAMEWORK_ADDR": addr, "FRAMEWORK_REVALIDATE_SECRET": "test-secret-0123456789abcdef0123456789abcdef"}
		stop := start(t, img.container(t, serve, env))
		base := "http://" + addr
		// Prerendered in the build stage, moved into the image's layout,
		// read by another user: still the build's cache. The first answer
		// counts: a MISS would be cached in memory and be a HIT next time.
		if p := poll(t, "server up", base+"/", 30*time.Second, func(p page) bool { return p.status > 0 }); p.status != 200 || p.cache != "HIT" {
			t.Errorf("/: %d %s, want a prerendered HIT", p.status, p.cache)
		}
		for _, p := range []string{"/blog", "/blog/2"} {
			if got := get(t, base+p); got.status != 200 || got.cache != "HIT" {
				t.Errorf("%s: %d %s, want a prerendered HIT", p, got.status, got.cache)
			}
		}
		// A route handler reads data/ at run time, relative to the
		// server's working directory, as on the developer's machine.
		if got := get(t, base+"/api/products"); got.status != 200 || !strings.Contains(got.body, "Teapot") {
			t.Errorf("/api/products: %d %.200q, want the products read from /app/data", got.status, got.body)
		}
		if got := get(t, base+"/favicon.ico"); got.status != 200 || !strings.HasPrefix(got.body, "\x00\x00\x01\x00") {
			t.Errorf("/favicon.ico: %d, want the template's icon", got.status)
		}
		out, err := img.container(t, img.healthcheck, env).CombinedOutput()
		if err != nil {
			t.Errorf("HEALTHCHECK %q: %v\n%s", img.healthcheck, err, out)
		}
		if err := stop(); err != nil {
			t.Errorf("docker stop: %v", err)
		}
		// And with the server gone, the health check says so.
		if out, err := img.container(t, img.healthcheck, env).CombinedOutput(); err == nil {
			t.Errorf("HEALTHCHECK with no server: exit 0\n%s", out)
		}
	})

	// Two replicas of the Kubernetes manifest on one Redis: the init
	// container prerenders into Redis, and each replica's first answer is
	// a HIT. Redis runs with the manifest's own arguments.
	t.Run("kubernetes", func(t *testing.T) {
		objs := readManifest(t)
		app := findDeployment(t, objs, "myapp")
		redis := findDeployment(t, objs, "redis")
		redisAddr := startRedis(t, redis.Template.Spec.Containers[0].Args)
		podEnv := func(c container) map[string]string {
			env := map[string]string{}
			for _, e := range c.Env {
				v := e.Value
				if e.ValueFrom != nil {
					v = "test-secret-0123456789abcdef0123456789abcdef"
				}
				if e.Name == "FRAMEWORK_CACHE" {
					// The Service's name, resolved: this test's Redis.
					u, err := url.Parse(v)
					if err != nil {
						t.Fatal(err)
					}
					u.Host = redisAddr
					v = u.String()
				}
				env[e.Name] = v
			}
			return env
		}
		for _, c := range app.Template.Spec.InitContainers {
			args := append(slices.Clone(img.entrypoint), c.Args...)
			if out, err := img.container(t, args, podEnv(c)).CombinedOutput(); err != nil {
				t.Fatalf("init container %s: %v\n%s", c.Name, err, out)
			}
		}
		c := app.Template.Spec.Containers[0]
		args := append(slices.Clone(img.entrypoint), c.Args...)
		for replica := range app.Replicas {
			env := podEnv(c)
			env["FRAMEWORK_ADDR"] = freeAddr(t)
			start(t, img.container(t, args, env))
			base := "http://" + env["FRAMEWORK_ADDR"]
			probe := c.ReadinessProbe.HTTPGet.Path
			poll(t, "readiness probe", base+probe, 30*time.Second, func(p page) bool { return p.status == 200 })
			for _, p := range []string{"/", "/blog/2"} {
				if got := get(t, base+p); got.status != 200 || got.cache != "HIT" {
					t.Errorf("replica %d: %s: %d %s, want a HIT prerendered into Redis", replica, p, got.status, got.cache)
				}
			}
		}
	})
}

// numericUser parses USER or --chown as uid:gid. Numeric, so that
// Kubernetes' runAsNonRoot can check it.
func numericUser(t *testing.T, in instruction, s string) (uid, gid int) {
	t.Helper()
	u, g, ok := strings.Cut(s, ":")
	if !ok {
		g = u
	}
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("%s %q (Dockerfile:%d): want a numeric uid:gid: %v", in.cmd, s, in.line, err)
	}
	return uid, gid
}

// checkStatic fails unless bin is a static executable: no interpreter and
// no shared libraries, so that it runs on an image without libc.
func checkStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is dynamically linked (%v): was CGO_ENABLED=0 set?", bin, p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", bin, libs)
	}
}

// goDirective returns the go version of a go.mod.
func goDirective(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no go directive", file)
	}
	return string(m[1])
}

// startRedis starts redis-server with args and returns its address.
func startRedis(t *testing.T, args []string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed")
		}
		t.Skip("SKIPPED: no redis-server (CI installs it)")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, append(slices.Clone(args), "--port", port, "--bind", "127.0.0.1", "--dir", t.TempDir())...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server %q not up after 10 s", args)
		}
	}
}

// The parts of Kubernetes objects the tests read. encoding/json matches
// field names without regard to case.
type (
	k8sObject struct {
		APIVersion string `json:"apiVersion"`
		Kind       string
		Metadata   struct {
			Name   string
			Labels map[string]string
		}
		Spec json.RawMessage
	}
	deploymentSpec struct {
		Replicas int
		Selector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		}
		Template struct {
			Metadata struct{ Labels map[string]string }
			Spec     podSpec
		}
	}
	podSpec struct {
		TerminationGracePeriodSeconds *int `json:"terminationGracePeriodSeconds"`
		SecurityContext               struct {
			RunAsNonRoot bool `json:"runAsNonRoot"`
			RunAsUser    *int `json:"runAsUser"`
		} `json:"securityContext"`
		InitContainers []container `json:"initContainers"`
		Containers     []container
	}
	container struct {
		Name, Image string
		Args        []string
		Ports       []struct {
			Name          string
			ContainerPort int `json:"containerPort"`
		}
		Env []struct {
			Name, Value string
			ValueFrom   *struct {
				SecretKeyRef *struct{ Name, Key string } `json:"secretKeyRef"`
			} `json:"valueFrom"`
		}
		ReadinessProbe *probe `json:"readinessProbe"`
		LivenessProbe  *probe `json:"livenessProbe"`
		Lifecycle      struct {
			PreStop *struct {
				Sleep *struct{ Seconds int }
			} `json:"preStop"`
		}
		Resources struct{ Requests, Limits map[string]string }
	}
	probe struct {
		HTTPGet *struct {
			Path string
			Port any // a number or a port's name
		} `json:"httpGet"`
	}
	serviceSpec struct {
		Selector map[string]string
		Ports    []struct {
			Name       string
			Port       int
			TargetPort any `json:"targetPort"`
		}
	}
)

// readManifest parses examples/deploy/kubernetes.yaml with the YAML parser
// already in the framework's module graph (go.yaml.in/yaml/v3, through
// Echo's tests), in a throwaway module, so that the framework does not
// depend on it. It returns every object, in order.
func readManifest(t *testing.T) []k8sObject {
	t.Helper()
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go\.yaml\.in/yaml/v3 (v\S+) h1:`).FindSubmatch(sum)
	if m == nil {
		t.Fatal("go.sum has no go.yaml.in/yaml/v3 any more: validate the manifest another way")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module yamltojson\n\ngo 1.21\n\nrequire go.yaml.in/yaml/v3 " + string(m[1]) + "\n",
		"go.sum": string(sum),
		"main.go": `package main

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"os"

	"go.yaml.in/yaml/v3"
)

func main() {
	dec := yaml.NewDecoder(os.Stdin)
	docs := []any{}
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(docs); err != nil {
		log.Fatal(err)
	}
}
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest, err := os.Open(manifestFile)
	if err != nil {
		t.Fatal(err)
	}
	defer manifest.Close()
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	cmd.Stdin = manifest
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s does not parse as YAML: %v\n%s", manifestFile, err, stderr.String())
	}
	var objs []k8sObject
	if err := json.Unmarshal(out, &objs); err != nil {
		t.Fatalf("%s: %v", manifestFile, err)
	}
	return objs
}

func findDeployment(t *testing.T, objs []k8sObject, name string) deploymentSpec {
	t.Helper()
	for _, o := range objs {
		if o.Kind == "Deployment" && o.Metadata.Name == name {
			var d deploymentSpec
			if err := json.Unmarshal(o.Spec, &d); err != nil {
				t.Fatalf("Deployment %s: %v", name, err)
			}
			return d
		}
	}
	t.Fatalf("%s has no Deployment %s", manifestFile, name)
	return deploymentSpec{}
}

// portNumber resolves a probe's or a Service's port, a number or the name
// of one of c's ports.
func portNumber(c container, port any) int {
	switch p := port.(type) {
	case float64:
		return int(p)
	case string:
		for _, cp := range c.Ports {
			if cp.Name == p {
				return cp.ContainerPort
			}
		}
	}
	return 0
}

// mebibytes parses a memory quantity in Ki, Mi or Gi.
func mebibytes(t *testing.T, q string) float64 {
	t.Helper()
	for suffix, mib := range map[string]float64{"Ki": 1.0 / 1024, "Mi": 1, "Gi": 1024} {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err == nil {
				return v * mib
			}
		}
	}
	t.Fatalf("memory %q: want a number of Ki, Mi or Gi", q)
	return 0
}

// TestKubernetesManifest checks examples/deploy/kubernetes.yaml against
// the image the template's Dockerfile builds and the server's behaviour;
// TestDockerfile runs it.
func TestKubernetesManifest(t *testing.T) {
	objs := readManifest(t)
	for i, o := range objs {
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Errorf("object %d lacks apiVersion, kind or metadata.name: %+v", i, o)
		}
	}
	var img *stage
	for _, in := range parseDockerfile(t, readFile(t, dockerfile)) {
		if in.cmd == "FROM" {
			img = &stage{}
		}
		switch in.cmd {
		case "USER":
			img.user = in.args
		case "EXPOSE":
			img.expose = strings.Fields(in.args)
		}
	}
	imageUID, _ := numericUser(t, instruction{cmd: "USER"}, img.user)

	app := findDeployment(t, objs, "myapp")
	if app.Replicas != 2 {
		t.Errorf("myapp: %d replicas, want 2", app.Replicas)
	}
	services := map[string]serviceSpec{}
	deployments := map[string]deploymentSpec{}
	for _, o := range objs {
		switch o.Kind {
		case "Service":
			var s serviceSpec
			json.Unmarshal(o.Spec, &s)
			services[o.Metadata.Name] = s
		case "Deployment":
			d := findDeployment(t, objs, o.Metadata.Name)
			deployments[o.Metadata.Name] = d
			for k, v := range d.Selector.MatchLabels {
				if d.Template.Metadata.Labels[k] != v {
					t.Errorf("Deployment %s: selector %s=%s does not match its pods", o.Metadata.Name, k, v)
				}
			}
		}
	}
	// Each Service selects a Deployment's pods, on one of their ports.
	for name, s := range services {
		found := false
		for _, d := range deployments {
			match := len(s.Selector) > 0
			for k, v := range s.Selector {
				match = match && d.Template.Metadata.Labels[k] == v
			}
			if match {
				found = true
				for _, p := range s.Ports {
					if portNumber(d.Template.Spec.Containers[0], p.TargetPort) == 0 {
						t.Errorf("Service %s: targetPort %v is no port of its pods", name, p.TargetPort)
					}
				}
			}
		}
		if !found {
			t.Errorf("Service %s selects no Deployment's pods", name)
		}
	}

	pod := app.Template.Spec
	if pod.SecurityContext.RunAsUser == nil || *pod.SecurityContext.RunAsUser != imageUID || !pod.SecurityContext.RunAsNonRoot {
		t.Errorf("myapp: securityContext %+v, want runAsNonRoot and the image's user %d", pod.SecurityContext, imageUID)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("myapp: %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	preStop := 0
	if c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		preStop = c.Lifecycle.PreStop.Sleep.Seconds
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || time.Duration(*g-preStop)*time.Second <= shutdownBound {
		t.Errorf("myapp: terminationGracePeriodSeconds %v, less the %d s preStop sleep, is not above the server's %v shutdown", g, preStop, shutdownBound)
	}
	if !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("myapp: args %q, want [serve] after the image's ENTRYPOINT", c.Args)
	}
	for _, ic := range pod.InitContainers {
		if ic.Image != c.Image {
			t.Errorf("init container %s runs %s, the server %s: another build's pages", ic.Name, ic.Image, c.Image)
		}
	}
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		case strings.Contains(e.Name, "SECRET"):
			t.Errorf("myapp: %s is written into the manifest, not read from a Secret", e.Name)
		default:
			env[e.Name] = e.Value
		}
	}
	if !strings.HasPrefix(env["FRAMEWORK_REVALIDATE_SECRET"], "secret:") {
		t.Errorf("myapp: FRAMEWORK_REVALIDATE_SECRET %q, want it from a Secret", env["FRAMEWORK_REVALIDATE_SECRET"])
	}
	if env["FRAMEWORK_CACHE"] != "redis://redis:6379/0" {
		t.Errorf("myapp: FRAMEWORK_CACHE=%q, want redis://redis:6379/0", env["FRAMEWORK_CACHE"])
	} else if s, ok := services["redis"]; !ok || len(s.Ports) == 0 || s.Ports[0].Port != 6379 {
		t.Errorf("FRAMEWORK_CACHE names redis:6379, but Service redis is %+v", s)
	}
	// The image listens on FRAMEWORK_ADDR :3000, unless the pod says otherwise.
	port := 3000
	if a := env["FRAMEWORK_ADDR"]; a != "" {
		_, p, _ := net.SplitHostPort(a)
		port, _ = strconv.Atoi(p)
	}
	if !slices.Contains(img.expose, strconv.Itoa(port)) {
		t.Errorf("myapp listens on %d, the image exposes %v", port, img.expose)
	}
	for name, p := range map[string]*probe{"readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("myapp: no %s.httpGet", name)
		} else if p.HTTPGet.Path != "/_framework/health" || portNumber(c, p.HTTPGet.Port) != port {
			t.Errorf("myapp: %s GET %s on port %v, want /_framework/health on %d", name, p.HTTPGet.Path, p.HTTPGet.Port, port)
		}
	}
	// The README's figures: about 128 MiB of RSS with 10,000 pages cached.
	req, limit := c.Resources.Requests["memory"], c.Resources.Limits["memory"]
	if req == "" || limit == "" || mebibytes(t, req) < 128 || mebibytes(t, limit) < mebibytes(t, req) {
		t.Errorf("myapp: memory request %q, limit %q: want at least 128Mi, the limit above the request", req, limit)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSystemdUnit checks examples/deploy/myapp.service, and has
// systemd-analyze verify it where systemd is installed.
func TestSystemdUnit(t *testing.T) {
	src := readFile(t, unitFile)
	service := map[string][]string{}
	section := ""
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			k, v, _ := strings.Cut(line, "=")
			service[k] = append(service[k], v)
		}
	}
	one := func(k string) string {
		if len(service[k]) != 1 {
			t.Errorf("[Service] %s=%q: want one", k, service[k])
			return ""
		}
		return service[k][0]
	}
	if u := one("User"); u == "" || u == "root" || u == "0" {
		t.Errorf("User=%s: the server must not run as root", u)
	}
	if f := strings.Fields(one("ExecStart")); len(f) < 2 || f[1] != "serve" {
		t.Errorf("ExecStart=%q: want the server binary and serve", f)
	}
	if one("WorkingDirectory") == "" {
		t.Error("no WorkingDirectory: the server would run in /")
	}
	env := map[string]string{}
	for _, e := range service["Environment"] {
		k, v, _ := strings.Cut(e, "=")
		env[k] = v
	}
	if d := env["FRAMEWORK_CACHE_DIR"]; d != "/var/cache/"+one("CacheDirectory") {
		t.Errorf("FRAMEWORK_CACHE_DIR=%s, CacheDirectory=%s: want the cache under /var/cache, made by systemd", d, service["CacheDirectory"])
	}
	for k := range env {
		if strings.Contains(k, "SECRET") {
			t.Errorf("Environment=%s: a secret in a unit file any user can read; use EnvironmentFile", k)
		}
	}
	if one("EnvironmentFile") == "" {
		t.Error("no EnvironmentFile for the secret")
	}
	if r := one("Restart"); r != "on-failure" {
		t.Errorf("Restart=%s, want on-failure", r)
	}
	if s := one("KillSignal"); s != "SIGTERM" {
		t.Errorf("KillSignal=%s, want SIGTERM: the server stops gracefully on it", s)
	}
	if d, err := time.ParseDuration(one("TimeoutStopSec")); err != nil || d <= shutdownBound {
		t.Errorf("TimeoutStopSec=%s: want a duration above the server's %v shutdown", service["TimeoutStopSec"], shutdownBound)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("no systemd-analyze: the unit is not verified by systemd")
		return
	}
	// verify wants ExecStart's binary to exist; it warns of unknown keys
	// and bad values and still exits 0, so any output fails the test.
	f := strings.Fields(service["ExecStart"][0])
	copied := filepath.Join(t.TempDir(), "myapp.service")
	if err := os.WriteFile(copied, []byte(strings.ReplaceAll(src, f[0], "/bin/true")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", copied).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
