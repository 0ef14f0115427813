package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/testredis"
)

// serveArgs runs the serve command in-process on a free loopback port with
// args, and returns its address and a stop function that shuts it down and
// returns what it wrote on stderr. The end of the test stops it too.
func serveArgs(t *testing.T, args ...string) (addr string, stop func() string) {
	t.Helper()
	routes := testRoutes(&source{}, "")
	addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	errOut := &lockedWriter{w: &bytes.Buffer{}}
	go func() {
		done <- Run(ctx, append([]string{"--addr", addr}, args...), routes, register(routes), io.Discard, errOut)
	}()
	var once sync.Once
	var stderr string
	stop = func() string {
		once.Do(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("server %v: exit %d", args, code)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("server %v did not shut down", args)
			}
			errOut.mu.Lock()
			stderr = errOut.w.(*bytes.Buffer).String()
			errOut.mu.Unlock()
		})
		return stderr
	}
	t.Cleanup(func() { stop() })
	waitServing(t, "http://"+addr+"/")
	return addr, stop
}

// getHealth asks the server at addr for its health check.
func getHealth(t *testing.T, addr string) (int, map[string]string) {
	t.Helper()
	res, err := http.Get("http://" + addr + framework.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("health: %d, body not JSON: %v", res.StatusCode, err)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("health: Cache-Control %q, want no-store", cc)
	}
	return res.StatusCode, body
}

// runHealth runs `server health` with args and returns its exit code
// and output.
func runHealth(args ...string) (int, string) {
	var out bytes.Buffer
	code := Run(context.Background(), append([]string{"health"}, args...), nil, nil, &out, &out)
	return code, out.String()
}

func TestServeHealth(t *testing.T) {
	addr, _ := serveArgs(t, "--cache-dir", t.TempDir())
	status, body := getHealth(t, addr)
	if want := map[string]string{"status": "ok", "build": "development", "store": "up"}; status != 200 || fmt.Sprint(body) != fmt.Sprint(want) {
		t.Fatalf("health: %d %v, want 200 %v", status, body, want)
	}
	// Its other spellings are redirected, as every path's are.
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, spelling := range []string{"/_framework/%68ealth", "/_framework/health/", "/_framework//health"} {
		res, err := noRedirect.Get("http://" + addr + spelling)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != framework.HealthPath {
			t.Errorf("GET %s: %d %q, want 308 to %s", spelling, res.StatusCode, res.Header.Get("Location"), framework.HealthPath)
		}
	}

	if code, out := runHealth("--addr", addr); code != 0 || !strings.Contains(out, `"status":"ok"`) {
		t.Fatalf("server health --addr %s: exit %d, %q", addr, code, out)
	}
	// The same variable as serve's: a HEALTHCHECK with no flags asks the
	// server the environment configured.
	t.Setenv("FRAMEWORK_ADDR", addr)
	if code, out := runHealth(); code != 0 {
		t.Fatalf("server health with FRAMEWORK_ADDR=%s: exit %d, %q", addr, code, out)
	}
	t.Setenv("FRAMEWORK_ADDR", "")

	if code, out := runHealth("--addr", freeAddr(t)); code != 1 || !strings.Contains(out, "health:") {
		t.Fatalf("server health with no server: exit %d, %q; want 1", code, out)
	}
	// A server that accepts and never answers fails the check in time.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	if code, out := runHealth("--addr", l.Addr().String()); code != 1 || time.Since(start) > healthTimeout+3*time.Second {
		t.Fatalf("server health against a mute server: exit %d after %v, %q; want 1 after %v", code, time.Since(start), out, healthTimeout)
	}
}

// TestServeHealthStoreDown: with Redis gone, the health check says the
// store is down; it fails (503, `server health` exits 1) with
// --health-requires-store only, and pages are served either way.
func TestServeHealthStoreDown(t *testing.T) {
	redis := testredis.Start(t)
	required, _ := serveArgs(t, "--cache", redis.URL(), "--cache-dir", t.TempDir(), "--health-requires-store")
	lenient, _ := serveArgs(t, "--cache", redis.URL(), "--cache-dir", t.TempDir())
	for _, addr := range []string{required, lenient} {
		if status, body := getHealth(t, addr); status != 200 || body["store"] != "up" {
			t.Fatalf("%s with Redis up: %d %v", addr, status, body)
		}
	}

	redis.Stop()
	// The check reports what the last store call met: make some.
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; ; i++ {
		for _, addr := range []string{required, lenient} {
			if res, err := http.Get(fmt.Sprintf("http://%s/search/%d", addr, i)); err == nil {
				res.Body.Close()
			}
		}
		_, a := getHealth(t, required)
		_, b := getHealth(t, lenient)
		if a["store"] == "down" && b["store"] == "down" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis stopped, health still %v and %v", a, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status, body := getHealth(t, required); status != 503 || body["status"] != "unavailable" || body["build"] != "development" {
		t.Errorf("--health-requires-store, Redis down: %d %v, want 503 unavailable", status, body)
	}
	if status, body := getHealth(t, lenient); status != 200 || body["status"] != "ok" {
		t.Errorf("Redis down: %d %v, want 200 ok", status, body)
	}
	if code, out := runHealth("--addr", required); code != 1 || !strings.Contains(out, "503") {
		t.Errorf("server health, store required and down: exit %d, %q; want 1", code, out)
	}
	if code, out := runHealth("--addr", lenient); code != 0 {
		t.Errorf("server health, store down: exit %d, %q; want 0", code, out)
	}
	for _, addr := range []string{required, lenient} {
		res, err := http.Get("http://" + addr + "/")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s/ with Redis down: %v %v", addr, res, err)
		}
		res.Body.Close()
	}
}

func TestHealthURL(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{":3000", "http://127.0.0.1:3000/_framework/health"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/_framework/health"},
		{"[::]:3000", "http://127.0.0.1:3000/_framework/health"},
		{"127.0.0.1:3000", "http://127.0.0.1:3000/_framework/health"},
		{"localhost:3000", "http://localhost:3000/_framework/health"},
		{"10.0.0.7:3000", "http://10.0.0.7:3000/_framework/health"},
		{"[::1]:3000", "http://[::1]:3000/_framework/health"},
		{"3000", ""},
		{":0", ""},
		{"", ""},
	} {
		got, err := healthURL(tc.addr)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
}

// TestObservabilityConfig: the flags of health and logs, their variables,
// and the app's Options under them.
func TestObservabilityConfig(t *testing.T) {
	env := map[string]string{"FRAMEWORK_LOG_REQUESTS": "1", "FRAMEWORK_LOG_FORMAT": "json", "FRAMEWORK_HEALTH_REQUIRES_STORE": "1"}
	c := parse(t, env)
	if !c.LogRequests || c.LogFormat != "json" || !c.HealthRequiresStore {
		t.Errorf("from the environment: %+v", c)
	}
	c = parse(t, env, "--log-requests=false", "--log-format", "text", "--health-requires-store=false")
	if c.LogRequests || c.LogFormat != "text" || c.HealthRequiresStore {
		t.Errorf("flags over the environment: %+v", c)
	}
	if c := parse(t, map[string]string{"FRAMEWORK_LOG_REQUESTS": "true"}); c.LogRequests {
		t.Error("FRAMEWORK_LOG_REQUESTS=true turned request logs on; only 1 does, as for FRAMEWORK_METRICS")
	}
	c = Config{LogRequests: true, LogFormat: "json", HealthRequiresStore: true}
	if got := parse(t, nil, c.Args(FlagLogRequests, FlagLogFormat, FlagHealthRequiresStore)...); got.LogRequests != c.LogRequests || got.LogFormat != c.LogFormat || got.HealthRequiresStore != c.HealthRequiresStore {
		t.Errorf("Args %q parsed back as %+v", c.Args(FlagLogRequests, FlagLogFormat, FlagHealthRequiresStore), got)
	}

	app := Options{Options: framework.Options{HealthRequiresStore: true}}
	for _, tc := range []struct {
		name  string
		flags map[string]bool
		cfg   Config
		env   map[string]string
		want  bool
	}{
		{"the app's", nil, Config{}, nil, true},
		{"the environment's over the app's", nil, Config{}, map[string]string{"FRAMEWORK_HEALTH_REQUIRES_STORE": "0"}, false},
		{"the flag's over the app's", map[string]bool{string(FlagHealthRequiresStore): true}, Config{}, nil, false},
	} {
		opts := tc.cfg.options(app, tc.flags, func(k string) string { return tc.env[k] }, nil)
		if opts.HealthRequiresStore != tc.want {
			t.Errorf("%s: HealthRequiresStore %v, want %v", tc.name, opts.HealthRequiresStore, tc.want)
		}
	}
}
