package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

var startCmd = &command{
	name:    "start",
	summary: "serve the last build",
	usage: `usage: framework start [--addr ADDR] [--cache URL] [--cache-dir DIR] [--metrics] [DIR]

Start runs the server that framework build compiled, serving pages from the
build's ISR cache. SIGINT or SIGTERM stop it gracefully: requests in flight
and background regenerations finish first.

Example:

	FRAMEWORK_REVALIDATE_SECRET=s3cret framework start --addr :8080

`,
	flags: func(fs *flag.FlagSet) {
		fs.String("addr", "", "listen address (default $FRAMEWORK_ADDR or :3000)")
		fs.String("cache", "", "shared cache, redis://host:port/db (default $FRAMEWORK_CACHE)")
		fs.String("cache-dir", "", "directory of the local caches, as given to framework build (default $FRAMEWORK_CACHE_DIR or .framework/cache)")
		fs.Bool("metrics", false, "serve Prometheus metrics at GET /metrics (default $FRAMEWORK_METRICS=1)")
	},
	run: runStart,
}

func runStart(ctx context.Context, env Env, fs *flag.FlagSet, args []string) error {
	dir, err := appDir(args)
	if err != nil {
		return err
	}
	bin := filepath.Join(outDir, serverBin)
	if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
		return fmt.Errorf("no build in %s: run `framework build` first", dir)
	}
	cacheDir, err := cacheRoot(env, dir, fs)
	if err != nil {
		return err
	}
	sargs := []string{"serve", "--cache-dir", cacheDir}
	if a := fs.Lookup("addr").Value.String(); a != "" {
		sargs = append(sargs, "--addr", a)
	}
	if c := fs.Lookup("cache").Value.String(); c != "" {
		sargs = append(sargs, "--cache", c)
	}
	if fs.Lookup("metrics").Value.String() == "true" {
		sargs = append(sargs, "--metrics")
	}
	return runServer(ctx, dir, bin, sargs, env)
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
	return err
}
