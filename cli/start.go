package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/isr-go/framework/framework/server"
)

// startCommand is `framework start`.
type startCommand struct {
	env    Env
	server server.Config // --addr, --cache, --cache-dir, --site-url, --metrics, --log-requests, --log-format
}

const startUsage = `usage: framework start [--addr ADDR] [--cache URL] [--cache-dir DIR] [--site-url URL] [--metrics] [--log-requests] [--log-format text|json] [DIR]

Start runs the server that framework build compiled, serving pages from the
build's ISR cache. SIGINT or SIGTERM stop it gracefully: requests in flight
and background regenerations finish first.

Secrets come from the environment (or .env files), never flags:
FRAMEWORK_REVALIDATE_SECRET enables POST /_framework/revalidate, and
FRAMEWORK_DRAFT_SECRET signs draft-mode cookies (give every instance the same).

Example:

	FRAMEWORK_REVALIDATE_SECRET=$(openssl rand -hex 32) framework start --addr :8080

`

// startFlags are the server's flags that start takes and hands on.
var startFlags = []server.Flag{server.FlagAddr, server.FlagCache, server.FlagCacheDir, server.FlagSiteURL, server.FlagMetrics, server.FlagLogRequests, server.FlagLogFormat, server.FlagContentDir, server.FlagImageHosts}

func (c *startCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("framework start", flag.ContinueOnError)
	c.server.Bind(fs, c.env.Getenv, startFlags...)
	return fs
}

// Usage prints the command's help.
func (c *startCommand) Usage() { printUsage(c.env.Stderr, startUsage, c.flags()) }

// Run serves the last build of the app in args[0], or in the working
// directory, until ctx ends.
func (c *startCommand) Run(ctx context.Context, args []string) error {
	dir, set, err := parseAppArgs(c.flags, args, "production")
	if err != nil {
		return err
	}
	bin := filepath.Join(outDir, serverBin)
	if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
		return fmt.Errorf("no build in %s: run `framework build` first", dir)
	}
	// The server inherits the environment, .env files' variables
	// included, and resolves the rest itself, main.go's Options among
	// them: hand on only what this command line set, or a default here
	// would beat the app's main.go there.
	cfg := c.server
	var handOn []server.Flag
	for _, f := range startFlags {
		if set[string(f)] {
			handOn = append(handOn, f)
		}
	}
	// A cache dir given here is relative to here, not to the app.
	if set[string(server.FlagCacheDir)] || c.env.Getenv("FRAMEWORK_CACHE_DIR") != "" {
		if cfg.CacheDir, err = cacheRoot(dir, cfg.CacheDir); err != nil {
			return err
		}
		if !set[string(server.FlagCacheDir)] {
			handOn = append(handOn, server.FlagCacheDir)
		}
	}
	// So is a content dir.
	if cfg.ContentDir != "" {
		if cfg.ContentDir, err = filepath.Abs(cfg.ContentDir); err != nil {
			return err
		}
		if !set[string(server.FlagContentDir)] {
			handOn = append(handOn, server.FlagContentDir)
		}
	}
	sargs := []string{"serve"}
	if len(handOn) > 0 {
		sargs = append(sargs, cfg.Args(handOn...)...)
	}
	return runServer(ctx, dir, bin, sargs, c.env)
}

// runServer runs an app's server binary until it exits or ctx ends; then
// it asks the server to stop gracefully, as a process manager would.
func runServer(ctx context.Context, dir, bin string, args []string, env Env) error {
	cmd := exec.CommandContext(ctx, "./"+filepath.ToSlash(bin), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = env.Stdout, env.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 40 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		return nil // stopped by a signal, and shut down cleanly
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() > 0 {
		return &serverExited{code: exit.ExitCode()}
	}
	return err
}

// serverExited is the error of a server binary that failed on its own: it
// has said why on the stderr it shares with this command, so the command
// exits with its status and adds no line of its own.
type serverExited struct{ code int }

func (e *serverExited) Error() string { return fmt.Sprintf("the server exited with status %d", e.code) }
