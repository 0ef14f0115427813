//go:build !linux

package server

import (
	"net"
	"time"
)

// setUserTimeout does nothing where TCP_USER_TIMEOUT is Linux's alone: the
// write deadline still cuts off a client that stops reading a response
// larger than the socket's buffers.
func setUserTimeout(net.Conn, time.Duration) {}
