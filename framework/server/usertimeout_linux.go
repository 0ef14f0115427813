package server

import (
	"net"
	"syscall"
	"time"
)

// tcpUserTimeout is Linux's TCP_USER_TIMEOUT, which package syscall does
// not name.
const tcpUserTimeout = 0x12

// setUserTimeout makes the kernel abort c when data it was given stays
// unsent or unacknowledged for d: a client that stops reading a response
// that fits in the socket's send buffer (up to 4 MB) leaves the handler
// done, its write deadline unused, and the connection idle with the
// response in the kernel; this frees it all d later.
func setUserTimeout(c net.Conn, d time.Duration) {
	tc, ok := c.(*net.TCPConn)
	if !ok || d <= 0 {
		return
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		// An error leaves the write deadline alone in charge.
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpUserTimeout, int(d.Milliseconds()))
	})
}
