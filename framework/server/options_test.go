package server

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
)

// TestOptionsPrecedence: a flag beats the environment beats the app's
// Options (main.go) beats the default, field by field.
func TestOptionsPrecedence(t *testing.T) {
	app := Options{Addr: "app:1", CacheDir: "/app-caches", CacheURL: "redis://app:6379/0", Options: framework.Options{
		Metrics: true, RevalidateSecret: "app-secret-0123456789abcdef0123456789abcdef", DraftSecret: "app-draft", CacheTagHeader: true,
		SiteURL: "https://app.example",
	}}
	tests := []struct {
		name     string
		flags    map[string]bool
		cfg      Config
		env      map[string]string
		addr     string
		cacheDir string
		cacheURL string
		metrics  bool
		secret   string
		draft    string
		siteURL  string
	}{
		{name: "app options over defaults", cfg: Config{Addr: ":3000"},
			addr: "app:1", cacheDir: "/app-caches", cacheURL: "redis://app:6379/0", metrics: true, secret: "app-secret-0123456789abcdef0123456789abcdef", draft: "app-draft", siteURL: "https://app.example"},
		{name: "environment over app options",
			cfg:  Config{Addr: "env:2", CacheDir: "/env-caches", CacheURL: "", Metrics: false, SiteURL: "https://env.example"},
			env:  map[string]string{"FRAMEWORK_ADDR": "env:2", "FRAMEWORK_CACHE_DIR": "/env-caches", "FRAMEWORK_CACHE": "", "FRAMEWORK_METRICS": "0", "FRAMEWORK_REVALIDATE_SECRET": "env-secret-0123456789abcdef0123456789abcdef", "FRAMEWORK_DRAFT_SECRET": "env-draft", "FRAMEWORK_SITE_URL": "https://env.example"},
			addr: "env:2", cacheDir: "/env-caches", cacheURL: "redis://app:6379/0", metrics: false, secret: "env-secret-0123456789abcdef0123456789abcdef", draft: "env-draft", siteURL: "https://env.example"},
		{name: "flags over everything",
			flags: map[string]bool{"addr": true, "cache": true, "metrics": true, "cache-dir": true, "site-url": true},
			cfg:   Config{Addr: "flag:3", CacheDir: "/flag-caches", CacheURL: "", Metrics: false, SiteURL: "https://flag.example"},
			env:   map[string]string{"FRAMEWORK_ADDR": "env:2", "FRAMEWORK_METRICS": "1", "FRAMEWORK_SITE_URL": "https://env.example"},
			addr:  "flag:3", cacheDir: "/flag-caches", cacheURL: "", metrics: false, secret: "app-secret-0123456789abcdef0123456789abcdef", draft: "app-draft", siteURL: "https://flag.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string { return tc.env[k] }
			opts := tc.cfg.options(app, tc.flags, getenv, nil)
			if got := tc.cfg.addr(app, tc.flags, getenv); got != tc.addr {
				t.Errorf("addr %q, want %q", got, tc.addr)
			}
			url, dir := tc.cfg.cacheAt(app, tc.flags, getenv)
			if want := filepath.Join(tc.cacheDir, BuildID()); dir != want {
				t.Errorf("cache dir %q, want %q", dir, want)
			}
			if url != tc.cacheURL || opts.Metrics != tc.metrics || opts.RevalidateSecret != tc.secret {
				t.Errorf("cache URL %q, Metrics %v, secret %q; want %q, %v, %q", url, opts.Metrics, opts.RevalidateSecret, tc.cacheURL, tc.metrics, tc.secret)
			}
			if opts.DraftSecret != tc.draft {
				t.Errorf("DraftSecret %q, want %q", opts.DraftSecret, tc.draft)
			}
			if opts.SiteURL != tc.siteURL {
				t.Errorf("SiteURL %q, want %q", opts.SiteURL, tc.siteURL)
			}
			if !opts.CacheTagHeader {
				t.Error("an option no flag or variable names was lost")
			}
		})
	}
}

// TestUnoptimizedImagesFromEnv: FRAMEWORK_UNOPTIMIZED_IMAGES=1 turns the
// option on, =0 off over the app's, and unset keeps the app's.
func TestUnoptimizedImagesFromEnv(t *testing.T) {
	for _, tc := range []struct {
		app  bool
		env  string
		want bool
	}{{false, "1", true}, {true, "0", false}, {true, "", true}, {false, "", false}} {
		getenv := func(k string) string {
			if k == "FRAMEWORK_UNOPTIMIZED_IMAGES" {
				return tc.env
			}
			return ""
		}
		app := Options{Options: framework.Options{UnoptimizedImages: tc.app}}
		if got := (&Config{}).options(app, nil, getenv, nil).UnoptimizedImages; got != tc.want {
			t.Errorf("app %v, env %q: UnoptimizedImages %v, want %v", tc.app, tc.env, got, tc.want)
		}
	}
}

// TestLoadEnvFiles: the files load in Next.js's order, the first to set a
// variable wins, a real variable wins over all of them, and the other mode's
// files are not read.
func TestLoadEnvFiles(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		".env":                   "A=env\nB=env\nC=env\nD=env\nE=env\n",
		".env.production":        "A=production\nB=production\nC=production\n",
		".env.local":             "A=local\nB=local\n",
		".env.production.local":  "A=production.local\n",
		".env.development":       "E=development\n",
		".env.development.local": "E=development.local\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"A", "B", "C", "D", "E"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("D", "real")
	if err := LoadEnvFiles(dir, "production"); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"A": "production.local", "B": "local", "C": "production", "D": "real", "E": "env"} {
		if got := os.Getenv(k); got != want {
			t.Errorf("%s=%q, want %q", k, got, want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("BROKEN='x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LoadEnvFiles(dir, "production"); err == nil {
		t.Error("a malformed .env loaded without an error")
	}
}

func TestEnvMode(t *testing.T) {
	for args, want := range map[string]string{"serve": "production", "serve --dev": "development", "--dev=true": "development", "prerender": "production"} {
		if got := envMode(strings.Fields(args)); got != want {
			t.Errorf("envMode(%q) = %q, want %q", args, got, want)
		}
	}
}

// TestAppMiddlewareAndHealth: main.go's middleware runs on every request
// of the app, but not on the health check, which a load balancer must reach
// whatever an authenticating middleware says.
func TestAppMiddlewareAndHealth(t *testing.T) {
	routes := testRoutes(&source{}, "")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	deny := func(echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return echo.NewHTTPError(http.StatusUnauthorized) }
	}
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", t.TempDir()}, routes, register(routes), io.Discard, io.Discard,
			Options{Middleware: []echo.MiddlewareFunc{deny}})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the server did not shut down")
		}
	}()
	waitServing(t, "http://"+addr+"/")
	for path, want := range map[string]int{"/": 401, framework.HealthPath: 200} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s with a middleware that denies everything: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// TestImageHosts: --image-hosts and FRAMEWORK_IMAGE_HOSTS, parsed as the
// server parses them, replace the app's Options.ImageHosts (the flag
// winning), as a comma-separated list; an entry that is not a host is
// dropped, and an empty flag allows no host.
func TestImageHosts(t *testing.T) {
	app := Options{Options: framework.Options{ImageHosts: []string{"app.example"}}}
	for _, tc := range []struct {
		args []string
		env  string
		want []string
	}{
		{nil, "", []string{"app.example"}},
		{nil, " a.example , b.example:8443,https://c.example/,, ", []string{"a.example", "b.example:8443"}},
		{[]string{"--image-hosts=d.example"}, "a.example", []string{"d.example"}},
		{[]string{"--image-hosts="}, "a.example", nil},
	} {
		getenv := func(k string) string {
			if k == "FRAMEWORK_IMAGE_HOSTS" {
				return tc.env
			}
			return ""
		}
		var cfg Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		cfg.Bind(fs, getenv, serveFlags...)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		got := cfg.options(app, setFlags(fs), getenv, slog.New(slog.NewTextHandler(io.Discard, nil))).ImageHosts
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q, env %q: ImageHosts %q, want %q", tc.args, tc.env, got, tc.want)
		}
		// What framework start hands on to the binary says the same.
		if a := cfg.Args(FlagImageHosts); len(a) != 1 || a[0] != "--image-hosts="+cfg.ImageHosts {
			t.Errorf("Args: %q", a)
		}
	}
}
