package server

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
)

// buildID is the binary's build ID, set by `framework build` with
// -ldflags "-X <BuildIDSymbol>=<ID>". It is the only copy: the binary
// cannot disagree with itself about which cache is its own.
var buildID string

// BuildIDSymbol is the linker name of the build ID, for
// go build -ldflags "-X BuildIDSymbol=ID". It is spelt out here, beside the
// variable, so that renaming one without the other breaks the build of the
// framework command instead of silently serving "development".
const BuildIDSymbol = "github.com/isr-go/framework/framework/server.buildID"

// DevelopmentBuildID is the build ID of a binary built without one: by go
// build, go run or framework dev.
const DevelopmentBuildID = "development"

// BuildID returns the build ID stamped into this binary, or
// DevelopmentBuildID.
func BuildID() string {
	if buildID == "" {
		return DevelopmentBuildID
	}
	return buildID
}

// Main is the main function of an app's server, the binary `framework
// build` compiles. routes and register come from the generated
// routes_gen.go:
//
//	func main() { server.Main(Routes(), Register) }
//
// SIGINT and SIGTERM stop it gracefully. See the package documentation for
// its commands, flags and environment.
func Main(routes []framework.Route, register func(*echo.Echo, *framework.App), opts ...Options) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], routes, register, os.Stdout, os.Stderr, opts...)
	stop()
	os.Exit(code)
}

// Run is Main with its arguments (without the program name) and output
// streams passed in, for tests; the environment is the process's. It runs
// until the command is done or, for serve, until ctx ends, and returns the
// exit code: 0, 1 on failure, 2 on a usage error.
//
// opts, at most one, are the app's Options from its main.go.
func Run(ctx context.Context, args []string, routes []framework.Route, register func(*echo.Echo, *framework.App), stdout, stderr io.Writer, opts ...Options) int {
	// The .env files go into the process's environment before anything
	// reads it, the app's own code included.
	if err := loadEnvFiles(envMode(args)); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var app Options
	if len(opts) > 0 {
		app = opts[0]
	}
	return run(ctx, args, routes, register, stdout, stderr, os.Getenv, app)
}
