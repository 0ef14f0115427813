package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
)

// A command is one of the server binary's commands, each a type in a file
// of its own (serveCommand in serve.go, ...), as the framework command's
// are: a struct whose fields its flags are bound to, a flags method that
// declares them, Run, which parses them and does the work, and Usage.
type command interface {
	// Run parses args, the arguments after the command's name, and runs
	// the command. It returns flag.ErrHelp for -h or --help, a usageError
	// when the arguments are wrong, and an exitCode for a failure it has
	// reported itself.
	Run(ctx context.Context, args []string) error
	// Usage prints the command's help and its flags on stderr.
	Usage()
}

// env is what a command reads and writes besides its arguments: the
// output streams, the environment, and the app main.go passed to Main.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	routes         []framework.Route
	register       func(*echo.Echo, *framework.App)
	app            Options
}

// commands are the server's commands; serve is the default.
var commands = []struct {
	name string
	new  func(env) command
}{
	{"serve", func(e env) command { return &serveCommand{env: e} }},
	{"prerender", func(e env) command { return &prerenderCommand{env: e} }},
	{"export", func(e env) command { return &exportCommand{env: e} }},
	{"routes", func(e env) command { return &routesCommand{env: e} }},
	{"build-id", func(e env) command { return &buildIDCommand{env: e} }},
	{"health", func(e env) command { return &healthCommand{env: e} }},
}

// usageError is a command line a command cannot run: exit status 2, one
// line and a pointer to --help.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

// exitCode is a failure a command has reported itself: the exit status.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

func run(ctx context.Context, args []string, routes []framework.Route, register func(*echo.Echo, *framework.App), stdout, stderr io.Writer, getenv func(string) string, app Options) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	e := env{stdout: stdout, stderr: stderr, getenv: getenv, routes: routes, register: register, app: app}
	var cmd command
	for _, c := range commands {
		if c.name == name {
			cmd = c.new(e)
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "unknown command %q: want serve, prerender, export, routes, build-id or health\n", name)
		return 2
	}
	err := cmd.Run(ctx, args)
	var usage usageError
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		cmd.Usage()
		return 0
	case errors.As(err, &usage):
		prog := filepath.Base(os.Args[0])
		fmt.Fprintf(stderr, "%s: %v\nrun '%s %s --help' for usage\n", name, err, prog, name)
		return 2
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintln(stderr, err)
		return 1
	}
}

// parseArgs parses a command's args with fs, which takes no positional
// arguments. The flag package would follow an error with the whole usage;
// the one line run prints says it better.
func parseArgs(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// printUsage prints a command's help, then its flags, if it has any.
func printUsage(w io.Writer, usage string, fs *flag.FlagSet) {
	prog := filepath.Base(os.Args[0])
	fmt.Fprintf(w, usage, prog)
	fmt.Fprintf(w, "\nCommands: serve (the default), prerender, export, routes, build-id, health. See go doc github.com/isr-go/framework/framework/server.\n")
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// startApp is what serve and prerender share: the logger (slog's default
// when stderr is the process's), the app's options under the command
// line's, the store they name, and the App on it. close closes the App,
// then the store. tune adjusts the options before New.
func (e env) startApp(cfg *Config, fs *flag.FlagSet, tune func(*framework.Options)) (app *framework.App, logger *slog.Logger, close func(), err error) {
	logger, err = newLogger(e.stderr, cfg.LogFormat)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, nil, nil, exitCode(2)
	}
	if e.stderr == os.Stderr {
		// Main's logger is the process's: what logs through slog's
		// default (Badger) takes its format too. A test's Run, with its
		// own stderr, leaves the process's default alone.
		slog.SetDefault(logger)
	}
	set := setFlags(fs)
	opts := cfg.options(e.app, set, e.getenv, logger)
	if v := e.getenv("FRAMEWORK_MEMORY_CACHE"); v != "" {
		n, err := parseBytes(v)
		if err != nil || n == 0 {
			fmt.Fprintf(e.stderr, "FRAMEWORK_MEMORY_CACHE=%q: want a size such as 256MiB or 1GiB\n", v)
			return nil, nil, nil, exitCode(2)
		}
		opts.MemoryCacheBytes = n
	}
	tune(&opts)
	stopTracing, err := e.startTracing(&opts)
	if err != nil {
		logFatal(e.stderr, logger, cfg.LogFormat, err)
		return nil, nil, nil, exitCode(2)
	}
	url, dir := cfg.cacheAt(e.app, set, e.getenv)
	s, err := openStore(&opts, url, dir, logger)
	if err == nil {
		app, err = framework.New(opts)
		if err != nil && s != nil {
			s.Close()
		}
	}
	if err != nil {
		stopTracing()
		logFatal(e.stderr, logger, cfg.LogFormat, err)
		return nil, nil, nil, exitCode(1)
	}
	return app, logger, func() {
		app.Close()
		if s != nil {
			s.Close()
		}
		// After Close: the regenerations it waited for made spans too.
		stopTracing()
	}, nil
}
