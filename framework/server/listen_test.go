package server

import (
	"bytes"
	"context"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestServePortInUse occupies a loopback port and serves on it: serve
// must exit 1 with one line naming the port and what to do, not Go's
// "bind: address already in use".
func TestServePortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	routes := testRoutes(&source{}, "")
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--addr", addr, "--cache-dir", t.TempDir()}, routes, register(routes), &out, &lockedWriter{w: &errOut})
	}()
	var code int
	select {
	case code = <-done:
	case <-time.After(40 * time.Second):
		t.Fatal("serve on a port in use did not return")
	}
	want := "port " + port + " on 127.0.0.1 is in use: another server? stop it or pass --addr (FRAMEWORK_ADDR)"
	if stderr := errOut.String(); code != 1 || stderr != want+"\n" {
		t.Fatalf("serve --addr %s (in use): exit %d, stderr\n%s\nwant exit 1 and the one line\n%s", addr, code, stderr, want)
	}
}

// TestListenError checks the message for each form of address, and that
// other errors pass unchanged.
func TestListenError(t *testing.T) {
	inUse := &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	for addr, want := range map[string]string{
		":3000":          "port 3000 is in use: another server? stop it or pass --addr (FRAMEWORK_ADDR)",
		"localhost:8080": "port 8080 on localhost is in use: another server? stop it or pass --addr (FRAMEWORK_ADDR)",
		"[::1]:8080":     "port 8080 on ::1 is in use: another server? stop it or pass --addr (FRAMEWORK_ADDR)",
	} {
		if got := listenError(addr, inUse).Error(); got != want {
			t.Errorf("listenError(%q) = %q, want %q", addr, got, want)
		}
	}
	other := &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EACCES)}
	if got := listenError(":80", other); got != error(other) {
		t.Errorf("listenError(:80, EACCES) = %v, want the error unchanged", got)
	}
}
