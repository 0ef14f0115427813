package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// startServer runs Run in-process on a free loopback port until the test
// ends, and returns its address.
func startServer(t *testing.T) string {
	t.Helper()
	routes := testRoutes(&source{}, "")
	return startServerWith(t, routes, register(routes))
}

// startServerWith is startServer with the app's routes and registration.
func startServerWith(t *testing.T, routes []framework.Route, reg func(*echo.Echo, *framework.App)) string {
	t.Helper()
	addr := freeAddr(t)
	dir := t.TempDir() // before the Cleanup below, so removed after it
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out bytes.Buffer
	errOut := &lockedWriter{w: &bytes.Buffer{}}
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", dir}, routes, reg, &out, errOut)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("server exit %d: %s", code, errOut.w)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not shut down: %s", errOut.w)
		}
	})
	waitServing(t, "http://"+addr+"/")
	return addr
}

// rawRequest sends a GET of / with extra header lines over conn and reads
// the response.
func rawRequest(t *testing.T, conn net.Conn, br *bufio.Reader, header string) *http.Response {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: test\r\n%s\r\n", header); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func TestServerClosesIdleConnections(t *testing.T) {
	t.Setenv("FRAMEWORK_IDLE_TIMEOUT", "300ms")
	addr := startServer(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	if res := rawRequest(t, conn, br, ""); res.StatusCode != 200 || res.Close {
		t.Fatalf("first request: %d, close %v; want 200 kept alive", res.StatusCode, res.Close)
	}
	// The default idle timeout is two minutes: a close within seconds is
	// the environment's.
	idle := time.Now()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = br.ReadByte()
	if waited := time.Since(idle); !errors.Is(err, io.EOF) || waited < 200*time.Millisecond {
		t.Fatalf("idle connection: read %v after %v; want EOF after about 300ms", err, waited)
	}
}

func TestServerRefusesSlowHeaders(t *testing.T) {
	t.Setenv("FRAMEWORK_READ_HEADER_TIMEOUT", "300ms")
	addr := startServer(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A request line and no end of headers: a slowloris.
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: test\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	b, err := io.ReadAll(conn)
	if err != nil || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("slow headers: read %q, %v after %v; want the connection closed after about 300ms", b, err, time.Since(start))
	}
}

func TestServerHeaderLimit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    string // FRAMEWORK_MAX_HEADER_BYTES
		header int    // bytes of headers sent
		want   int
	}{
		{"32 KiB by default", "", 32 << 10, 200},
		{"100 KiB by default", "", 100 << 10, 431},
		{"32 KiB with an 8 KiB limit", "8192", 32 << 10, 431},
		{"100 KiB with a 1 MiB limit", "1048576", 100 << 10, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FRAMEWORK_MAX_HEADER_BYTES", tc.env)
			addr := startServer(t)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Many headers of 1 KiB, as cookies and tracing headers pile up.
			var h strings.Builder
			for i := 0; h.Len() < tc.header; i++ {
				fmt.Fprintf(&h, "X-Filler-%d: %s\r\n", i, strings.Repeat("a", 1000))
			}
			res := rawRequest(t, conn, bufio.NewReader(conn), h.String())
			if res.StatusCode != tc.want {
				t.Fatalf("%d bytes of headers: %d, want %d", h.Len(), res.StatusCode, tc.want)
			}
		})
	}
}

func TestLimitsFromEnvErrors(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"FRAMEWORK_READ_HEADER_TIMEOUT", "10"},
		{"FRAMEWORK_READ_TIMEOUT", "soon"},
		{"FRAMEWORK_WRITE_TIMEOUT", "-1s"},
		{"FRAMEWORK_IDLE_TIMEOUT", "90 s"},
		{"FRAMEWORK_MAX_HEADER_BYTES", "64KiB"},
		{"FRAMEWORK_MAX_HEADER_BYTES", "-1"},
		{"FRAMEWORK_MAX_BODY_BYTES", "1MiB"},
		{"FRAMEWORK_MAX_BODY_BYTES", "-5"},
		{"FRAMEWORK_MAX_CONNECTIONS", "many"},
		{"FRAMEWORK_MAX_CONNECTIONS", "-1"},
		{"FRAMEWORK_MEMORY_CACHE", "lots"},
		{"FRAMEWORK_MEMORY_CACHE", "0"},
		{"FRAMEWORK_MEMORY_CACHE", "1.5GiB"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			dir := t.TempDir()
			var out, errOut bytes.Buffer
			code := Run(context.Background(), []string{"--addr", "127.0.0.1:0", "--cache-dir", dir}, nil, register(nil), &out, &errOut)
			if code != 2 || !strings.Contains(errOut.String(), tc.name) || !strings.Contains(errOut.String(), fmt.Sprintf("%q", tc.value)) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %s and its value", code, errOut.String(), tc.name)
			}
			// Refused before anything was opened.
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("the cache dir was used: %v", entries)
			}
		})
	}
}

// TestMemoryCacheFromEnv: FRAMEWORK_MEMORY_CACHE sizes the memory tier, as
// the metrics report its bound.
func TestMemoryCacheFromEnv(t *testing.T) {
	t.Setenv("FRAMEWORK_MEMORY_CACHE", "64MiB")
	t.Setenv("FRAMEWORK_METRICS", "1")
	addr := startServer(t)
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var limit float64
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "framework_memory_cache_limit_bytes "); ok {
			limit, _ = strconv.ParseFloat(v, 64)
		}
	}
	if limit != 64<<20 {
		t.Fatalf("framework_memory_cache_limit_bytes %v, want %d", limit, 64<<20)
	}
}

func TestLimitsFromEnv(t *testing.T) {
	env := map[string]string{
		"FRAMEWORK_READ_HEADER_TIMEOUT": "5s",
		"FRAMEWORK_READ_TIMEOUT":        "1m",
		"FRAMEWORK_WRITE_TIMEOUT":       "90s",
		"FRAMEWORK_IDLE_TIMEOUT":        "0",
		"FRAMEWORK_MAX_HEADER_BYTES":    "16384",
		"FRAMEWORK_MAX_BODY_BYTES":      "8388608",
		"FRAMEWORK_MAX_CONNECTIONS":     "0",
	}
	got, err := LimitsFromEnv(func(k string) string { return env[k] })
	want := Limits{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 90 * time.Second, MaxHeaderBytes: 16 << 10, MaxBodyBytes: 8 << 20, MaxConnections: -1}
	if err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	def, err := LimitsFromEnv(func(string) string { return "" })
	if err != nil || def != DefaultLimits() {
		t.Fatalf("empty environment: %+v, %v", def, err)
	}
	var srv http.Server
	want.Apply(&srv)
	if srv.ReadHeaderTimeout != 5*time.Second || srv.ReadTimeout != time.Minute || srv.WriteTimeout != 90*time.Second || srv.IdleTimeout != 0 || srv.MaxHeaderBytes != 16<<10 {
		t.Fatalf("Apply: %v %v %v %v %d", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
}

// TestServerBodyLimit: a request body is bounded like its headers. A form
// of any size used to be read by a route handler that reads one (10 MiB of
// a urlencoded form, 32 MiB of a multipart one held in memory, the rest on
// disk), so a few concurrent POSTs took hundreds of MiB.
func TestServerBodyLimit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     string // FRAMEWORK_MAX_BODY_BYTES
		body    int
		chunked bool // no Content-Length: the limit cuts the body as it is read
		want    int
	}{
		{"512 KiB by default", "", 512 << 10, false, 200},
		{"2 MiB by default", "", 2 << 20, false, 413},
		{"2 MiB chunked by default", "", 2 << 20, true, 413},
		{"2 MiB with a 4 MiB limit", "4194304", 2 << 20, false, 200},
		{"2 MiB with a 1 KiB limit", "1024", 2 << 20, false, 413},
		{"2 MiB with no limit", "0", 2 << 20, true, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FRAMEWORK_MAX_BODY_BYTES", tc.env)
			var handled atomic.Int64
			reg := func(e *echo.Echo, a *framework.App) {
				e.POST("/upload", runtime.Handler(a, func(c echo.Context) error {
					handled.Add(1)
					n, err := io.Copy(io.Discard, c.Request().Body)
					var tooLarge *http.MaxBytesError
					if errors.As(err, &tooLarge) {
						return echo.NewHTTPError(http.StatusRequestEntityTooLarge, err.Error())
					}
					return c.String(http.StatusOK, fmt.Sprint(n))
				}))
			}
			addr := startServerWith(t, nil, reg)
			var body io.Reader = bytes.NewReader(make([]byte, tc.body))
			if tc.chunked {
				body = io.MultiReader(body) // hides the length from the client
			}
			res, err := http.Post("http://"+addr+"/upload", "application/octet-stream", body)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("POST of %d bytes: %d %q, want %d", tc.body, res.StatusCode, b, tc.want)
			}
			if tc.want == 200 && string(b) != fmt.Sprint(tc.body) {
				t.Fatalf("the handler read %s bytes of %d", b, tc.body)
			}
			// A declared length over the limit never reaches the app, and
			// is told the limit in JSON, as the revalidation endpoint does.
			if tc.want == 413 && !tc.chunked {
				if handled.Load() != 0 {
					t.Fatal("the handler ran for a body over the limit")
				}
				var e struct {
					Error string `json:"error"`
					Limit int64  `json:"limit"`
				}
				if err := json.Unmarshal(b, &e); err != nil || e.Limit <= 0 || !strings.Contains(e.Error, "FRAMEWORK_MAX_BODY_BYTES") {
					t.Fatalf("413 body %q (%v): want JSON naming the limit", b, err)
				}
			}
		})
	}
}

// TestShutdownWithASlowReader: a client asks for a large response and never
// reads it, so the handler blocks writing. SIGTERM (ctx) stops the server
// after the drain timeout, cleanly (exit 0) and saying why, rather than
// exit 1 with "context deadline exceeded".
func TestShutdownWithASlowReader(t *testing.T) {
	old := drainTimeout
	drainTimeout = 300 * time.Millisecond
	t.Cleanup(func() { drainTimeout = old })

	routes := testRoutes(&source{}, "")
	writing := make(chan struct{})
	withBig := func(e *echo.Echo, a *framework.App) {
		register(routes)(e, a)
		e.GET("/big", func(c echo.Context) error {
			close(writing)
			// More than the sockets' buffers hold: it blocks until the
			// client reads.
			return c.Blob(http.StatusOK, "application/octet-stream", make([]byte, 64<<20))
		})
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	errOut := &lockedWriter{w: &bytes.Buffer{}}
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", t.TempDir()}, routes, withBig, io.Discard, errOut)
	}()
	waitServing(t, "http://"+addr+"/")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprint(conn, "GET /big HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-writing:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never ran")
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.w)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
	errOut.mu.Lock()
	logs := fmt.Sprint(errOut.w)
	errOut.mu.Unlock()
	if !strings.Contains(logs, "requests still running after the shutdown timeout") {
		t.Fatalf("no line says why the shutdown took long:\n%s", logs)
	}
}
