package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// shortWriteTimeout makes the default write timeout d for the test.
func shortWriteTimeout(t *testing.T, d time.Duration) {
	old := defaultWriteTimeout
	defaultWriteTimeout = d
	t.Cleanup(func() { defaultWriteTimeout = old })
}

// dialSmall connects to addr with a receive buffer as small as the kernel
// allows, so that a large response fills it and the socket's send buffer
// at once.
func dialSmall(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestWriteTimeoutCutsANonReader: a client asks for a large response and
// never reads it. The server gives up writing at the write timeout, on by
// default, and closes the connection: the handler returns, and the client,
// reading at last, gets the start of the body and then the end of the
// connection. With no write timeout the handler would block for good.
func TestWriteTimeoutCutsANonReader(t *testing.T) {
	shortWriteTimeout(t, 300*time.Millisecond)
	const size = 64 << 20
	returned := make(chan error, 1)
	routes := testRoutes(&source{}, "")
	addr := startServerWith(t, routes, func(e *echo.Echo, a *framework.App) {
		register(routes)(e, a)
		e.GET("/big", func(c echo.Context) error {
			err := c.Blob(http.StatusOK, "application/octet-stream", make([]byte, size))
			returned <- err
			return err
		})
	})
	conn := dialSmall(t, addr)
	if _, err := fmt.Fprint(conn, "GET /big HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-returned:
		if err == nil {
			t.Fatal("the whole body was written to a client that read none of it")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the handler is still writing to a client that does not read")
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	if n >= size || isTimeout(err) {
		t.Fatalf("read %d bytes (%v): want the connection closed before the %d bytes of the body", n, err, size)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestStreamingHandlerOutlivesWriteTimeout: a route handler that streams,
// flushing each event, runs well past the write timeout, as each Flush
// extends it; the client gets every event.
func TestStreamingHandlerOutlivesWriteTimeout(t *testing.T) {
	shortWriteTimeout(t, 300*time.Millisecond)
	const events = 8
	routes := testRoutes(&source{}, "")
	addr := startServerWith(t, routes, func(e *echo.Echo, a *framework.App) {
		register(routes)(e, a)
		e.GET("/events", runtime.Handler(a, func(c echo.Context) error {
			c.Response().Header().Set("Content-Type", "text/event-stream")
			for i := range events {
				// 32 KiB an event, so that the writes reach the socket.
				fmt.Fprintf(c.Response(), "data: %d %s\n\n", i, strings.Repeat("x", 32<<10))
				c.Response().Flush()
				time.Sleep(150 * time.Millisecond)
			}
			return nil
		}))
	})
	res, err := http.Get("http://" + addr + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got := 0
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data: ") {
			got++
		}
	}
	if got != events {
		t.Fatalf("got %d events (%v), want %d: the stream was cut at the write timeout", got, sc.Err(), events)
	}
}

// getOn sends GET / on conn and returns the status, or 0 if the connection
// ended without an answer.
func getOn(t *testing.T, conn net.Conn) int {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		return 0
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestConnectionLimit: past FRAMEWORK_MAX_CONNECTIONS a new connection
// waits briefly for a free slot and then gets a 503 and is closed, instead
// of being served with the others; once a connection closes, new ones are
// served again.
func TestConnectionLimit(t *testing.T) {
	t.Setenv("FRAMEWORK_MAX_CONNECTIONS", "2")
	old := connWait
	connWait = 200 * time.Millisecond
	t.Cleanup(func() { connWait = old })
	addr := startServer(t)

	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if s := getOn(t, c); s != http.StatusOK {
			t.Fatalf("connection %d: %d, want 200", len(held)+1, s)
		}
		held = append(held, c)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if s := getOn(t, extra); s != http.StatusServiceUnavailable {
		t.Fatalf("a third connection: %d, want 503", s)
	}
	if n, _ := extra.Read(make([]byte, 1)); n != 0 {
		t.Fatal("the refused connection stayed open")
	}
	// The held ones are still served.
	if s := getOn(t, held[0]); s != http.StatusOK {
		t.Fatalf("a held connection: %d, want 200", s)
	}
	held[1].Close()
	// Once the server has seen the close, a new connection is served.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		s := getOn(t, c)
		c.Close()
		if s == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a connection closed: %d, want 200", s)
		}
	}
}

// TestNonReaderOfASmallResponseIsCut: a response of 1 MB fits in the
// kernel's send buffer, so the handler is done at once and the connection
// sits idle with the response unsent to a client that never reads. It is
// closed at the write timeout all the same (TCP_USER_TIMEOUT), rather than
// at the idle timeout or never: with one connection allowed, a second
// client is served once it is.
func TestNonReaderOfASmallResponseIsCut(t *testing.T) {
	shortWriteTimeout(t, 500*time.Millisecond)
	t.Setenv("FRAMEWORK_MAX_CONNECTIONS", "1")
	old := connWait
	connWait = 2 * time.Second
	t.Cleanup(func() { connWait = old })
	const size = 1 << 20
	routes := testRoutes(&source{}, "")
	addr := startServerWith(t, routes, func(e *echo.Echo, a *framework.App) {
		register(routes)(e, a)
		e.GET("/mb", func(c echo.Context) error {
			return c.Blob(http.StatusOK, "application/octet-stream", make([]byte, size))
		})
	})
	// startServerWith's readiness check held the one slot briefly: wait
	// until it is free.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := dialSmall(t, addr)
		s := getOn(t, c)
		c.Close()
		if s == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never served: %d", s)
		}
	}
	holder := dialSmall(t, addr)
	if _, err := fmt.Fprint(holder, "GET /mb HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		s := getOn(t, c)
		c.Close()
		if s == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a client that does not read held the only connection for good")
		}
	}
	// The holder was served, not refused for want of a slot.
	holder.SetReadDeadline(time.Now().Add(20 * time.Second))
	var head [12]byte
	if _, err := io.ReadFull(holder, head[:]); string(head[:]) != "HTTP/1.1 200" {
		t.Fatalf("the holder read %q (%v), want a 200", head, err)
	}
}
