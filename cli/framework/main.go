// Command framework builds Go web apps with file-based routes and
// Incremental Static Regeneration. See package cli for its commands.
//
//	go install github.com/isr-go/framework/cli/framework@latest
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/isr-go/framework/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
