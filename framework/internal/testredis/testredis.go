// Package testredis runs real Redis deployments on free loopback ports for
// tests: one redis-server, a Redis Cluster of three masters, or a master
// watched by Redis Sentinel. Tests stop and restart them to test outages.
package testredis

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a redis-server process owned by a test.
type Server struct {
	t    testing.TB
	Addr string   // 127.0.0.1:port
	conf string   // a configuration file, the first argument (Sentinel's)
	dir  string   // the working directory, where a replica writes what it receives
	args []string // more arguments to redis-server
	cmd  *exec.Cmd
}

// Start starts redis-server, stopped when the test ends. Without the
// binary the test is skipped, or fails under CI (CI=true), where the test
// command installs it.
func Start(t testing.TB) *Server {
	t.Helper()
	requireBinaries(t)
	s := &Server{t: t, Addr: freeAddr(t), dir: t.TempDir()}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// requireBinaries skips the test without redis-server and redis-cli, or
// fails it under CI (CI=true), where the test command installs them.
func requireBinaries(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal(bin + " not installed")
			}
			t.Skip(bin + " not installed (apt-get install -y redis-server)")
		}
	}
}

// freeAddr returns a loopback address whose port is free now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// URL is the server's redis:// URL, database 0.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Restart starts the server again on the same port after Stop, empty.
func (s *Server) Restart() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	var args []string
	if s.conf != "" {
		args = []string{s.conf, "--sentinel"}
	}
	args = append(args, "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
		// A replica's first sync waits 5 s for more replicas by default.
		"--repl-diskless-sync-delay", "0")
	args = append(args, "--dir", s.dir)
	args = append(args, s.args...)
	s.cmd = exec.Command("redis-server", args...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ping(s.Addr) == nil {
			return
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.t.Fatalf("redis-server on %s did not answer PING", s.Addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Pause stops the server's process (SIGSTOP): connections stay open and
// nothing answers, as with a stalled or overloaded Redis.
func (s *Server) Pause() { s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() { s.cmd.Process.Signal(syscall.SIGCONT) }

// Stop kills the server and waits for it to exit.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Flush empties the server's databases.
func (s *Server) Flush() {
	s.t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("FLUSHALL\r\n"))
	bufio.NewReader(c).ReadString('\n')
}

// Host is the server's host, 127.0.0.1.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Port is the server's port.
func (s *Server) Port() string { _, p, _ := net.SplitHostPort(s.Addr); return p }
