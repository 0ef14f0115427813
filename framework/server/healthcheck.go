package server

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/isr-go/framework/framework"
)

// healthCommand is `server health`, the HEALTHCHECK of an image.
type healthCommand struct {
	env
	cfg Config
}

const healthUsage = `usage: %s health [--addr ADDR]

Ask the server listening on ADDR (the port of --addr or FRAMEWORK_ADDR, as
serve's, on 127.0.0.1 unless it names a host) for its health check: exit 0
when it answers 200, 1 otherwise, printing its JSON.
`

func (c *healthCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	c.cfg.Bind(fs, c.getenv, FlagAddr)
	return fs
}

// Usage prints the command's help.
func (c *healthCommand) Usage() { printUsage(c.stderr, healthUsage, c.flags()) }

// Run checks the health of the server beside it. It opens no store: the
// server it asks holds the cache.
func (c *healthCommand) Run(ctx context.Context, args []string) error {
	fs := c.flags()
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if code := checkHealth(ctx, c.cfg.addr(c.app, setFlags(fs), c.getenv), c.stdout, c.stderr); code != 0 {
		return exitCode(code)
	}
	return nil
}

// healthTimeout bounds `server health`: a server that accepts and never
// answers is unhealthy too, and must be reported before the orchestrator's
// own timeout kills the check.
const healthTimeout = 2 * time.Second

// healthURL returns the URL of the health check of a server listening on
// addr. An address that names no host (":3000", "0.0.0.0:3000",
// "[::]:3000") listens on every interface, and the command runs beside the
// server (in its container), so it asks 127.0.0.1, which needs no DNS and
// no network.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("health: --addr %q: %w", addr, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("health: --addr %q names no port to ask", addr)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + framework.HealthPath, nil
}

// checkHealth is `server health`: it asks the server listening on addr for
// its health check and returns 0 when it answers 200, 1 otherwise. It needs
// nothing but the binary, for images without curl or wget (distroless):
//
//	HEALTHCHECK CMD ["/app/server", "health"]
//
// The answer's JSON goes to stdout, where docker inspect shows it.
func checkHealth(ctx context.Context, addr string, stdout, stderr io.Writer) int {
	url, err := healthURL(addr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	client := &http.Client{
		// Straight to the server: a proxy from the environment must not
		// answer for it, and a redirect is not health.
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "health: %v\n", err)
		return 1
	}
	res, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "health: %v\n", err)
		return 1
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "health: %s: %s %s\n", url, res.Status, strings.TrimSpace(string(body)))
		return 1
	}
	stdout.Write(body)
	return 0
}
