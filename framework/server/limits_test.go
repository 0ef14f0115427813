package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
)

// startServer runs Run in-process on a free loopback port until the test
// ends, and returns its address.
func startServer(t *testing.T) string {
	t.Helper()
	routes := testRoutes(&source{}, "")
	addr := freeAddr(t)
	dir := t.TempDir() // before the Cleanup below, so removed after it
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out bytes.Buffer
	errOut := &lockedWriter{w: &bytes.Buffer{}}
	go func() {
		done <- Run(ctx, []string{"--addr", addr, "--cache-dir", dir}, routes, register(routes), &out, errOut)
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

func TestLimitsFromEnv(t *testing.T) {
	env := map[string]string{
		"FRAMEWORK_READ_HEADER_TIMEOUT": "5s",
		"FRAMEWORK_READ_TIMEOUT":        "1m",
		"FRAMEWORK_WRITE_TIMEOUT":       "90s",
		"FRAMEWORK_IDLE_TIMEOUT":        "0",
		"FRAMEWORK_MAX_HEADER_BYTES":    "16384",
	}
	got, err := LimitsFromEnv(func(k string) string { return env[k] })
	want := Limits{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 90 * time.Second, MaxHeaderBytes: 16 << 10}
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
