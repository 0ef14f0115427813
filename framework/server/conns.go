package server

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// connWait is how long a connection past Limits.MaxConnections waits for
// another to close before it is answered 503. Connections that serve cached
// pages come and go in milliseconds, so a short wait smooths a burst; a
// longer one would only hold the client, and its file descriptor, for
// nothing when the server is really full.
var connWait = 500 * time.Millisecond

// busyResponse is the answer to a connection past the limit: written
// straight to the socket, without reading the request, as the server has no
// room for its goroutine and buffers.
const busyResponse = "HTTP/1.1 503 Service Unavailable\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Retry-After: 1\r\n" +
	"Connection: close\r\n" +
	"Content-Length: 44\r\n\r\n" +
	"server busy: too many connections, retry.\r\n\r\n"

// defaultMaxConnections is Limits.MaxConnections' default: three quarters
// of the process's file descriptors (RLIMIT_NOFILE, which Go raises to its
// hard limit at start), leaving the rest to the store's files, Redis, public
// files and image fetches; at most 65,536, as each connection holds about
// 20 KiB of memory (its goroutine and buffers) however many descriptors the
// system allows; at least 64.
func defaultMaxConnections() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 1024
	}
	return int(min(max(rl.Cur/4*3, 64), 65536))
}

// limitListener hands out at most max connections at once. One past it
// waits up to connWait for another to close, then is answered busyResponse
// and closed: a flood of connections costs the server a goroutine each for
// connWait, not a connection each for as long as the clients like.
type limitListener struct {
	net.Listener
	slots  chan struct{} // one per connection handed out
	ready  chan net.Conn // connections to hand out
	errc   chan error    // the inner listener's errors
	done   chan struct{} // closed by Close
	once   sync.Once
	log    *slog.Logger
	logged atomic.Int64 // unix seconds of the last "limit reached" line
}

// userTimeoutListener sets TCP_USER_TIMEOUT on the connections it
// accepts (setUserTimeout): once per connection, nothing per request.
type userTimeoutListener struct {
	net.Listener
	timeout time.Duration
}

// Accept accepts a connection and sets its user timeout.
func (l userTimeoutListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		setUserTimeout(c, l.timeout)
	}
	return c, err
}

// listener returns l with limits' connection bounds: the kernel aborts a
// connection whose data stays unsent for the write timeout, and at most
// MaxConnections are open at once.
func (limits Limits) listener(l net.Listener, log *slog.Logger) net.Listener {
	if limits.WriteTimeout > 0 {
		l = userTimeoutListener{l, limits.WriteTimeout}
	}
	return limitConnections(l, limits.MaxConnections, log)
}

// limitConnections returns l, handing out at most max connections at once;
// max <= 0 means no limit (l itself).
func limitConnections(l net.Listener, max int, log *slog.Logger) net.Listener {
	if max <= 0 {
		return l
	}
	ll := &limitListener{
		Listener: l,
		slots:    make(chan struct{}, max),
		ready:    make(chan net.Conn),
		errc:     make(chan error),
		done:     make(chan struct{}),
		log:      log,
	}
	go ll.acceptLoop()
	return ll
}

// Accept returns the next connection that has a slot.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case err := <-l.errc:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting connections.
func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// acceptLoop accepts connections from the inner listener until it closes.
func (l *limitListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case l.errc <- err:
			case <-l.done:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		select {
		case l.slots <- struct{}{}:
			l.handOut(c)
		default:
			go l.queue(c)
		}
	}
}

// handOut gives c, which holds a slot, to Accept.
func (l *limitListener) handOut(c net.Conn) {
	select {
	case l.ready <- &slotConn{Conn: c, release: func() { <-l.slots }}:
	case <-l.done:
		<-l.slots
		c.Close()
	}
}

// queue waits up to connWait for a slot for c, else answers it 503.
func (l *limitListener) queue(c net.Conn) {
	t := time.NewTimer(connWait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		l.handOut(c)
	case <-t.C:
		l.refuse(c)
	case <-l.done:
		c.Close()
	}
}

// refuse answers c 503 and closes it. It shuts its side first and reads
// what the client sent, briefly, so that the client gets the answer rather
// than a reset for the request it sent and nobody read.
func (l *limitListener) refuse(c net.Conn) {
	now := time.Now()
	if last := l.logged.Load(); now.Unix()-last >= 60 && l.logged.CompareAndSwap(last, now.Unix()) {
		l.log.Warn("framework: connection limit reached; new connections are answered 503 (FRAMEWORK_MAX_CONNECTIONS; logged at most once a minute)", "limit", cap(l.slots))
	}
	c.SetDeadline(now.Add(time.Second))
	io.WriteString(c, busyResponse)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}
	c.Close()
}

// slotConn is a connection that holds a slot of its limitListener until it
// is closed.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and frees its slot.
func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// ReadFrom keeps the connection's own ReadFrom (sendfile for a public
// file), which embedding the net.Conn interface would hide.
func (c *slotConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}
