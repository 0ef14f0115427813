// Package cli is the framework command: it scaffolds apps (new), runs them
// in development (dev), builds and prerenders them (build), writes their
// static pages to a folder (export), serves builds (start), and revalidates
// a running server (revalidate).
//
// Each command is a type in a file of its own (newCommand in new.go,
// buildCommand in build.go, ...): a struct whose fields its flags are bound
// to, a flags method that declares them, Run(ctx, args), which parses the
// flags and does the work, and Usage, which prints the help with an
// example. Flags may come before, between or after positional arguments.
// The output streams and the environment come in through Env, so that tests
// run commands in process.
//
// The flags that start, build and dev share with the app's server binary
// (--addr, --cache, --cache-dir, --metrics, --concurrency) are defined once,
// with their environment variables and help texts, by server.Config in
// package github.com/isr-go/framework/framework/server; the commands bind
// them with Config.Bind and pass them on with Config.Args.
//
// Exit status: 0, 1 on failure, 2 on a usage error, which is one line
// followed by a pointer to the command's --help.
package cli

import (
	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/server"

	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// A command is one subcommand of framework.
type command interface {
	// Run parses args, the arguments after the command's name, and runs
	// the command. It returns flag.ErrHelp for -h or --help, a
	// *UsageError when the arguments are wrong.
	Run(ctx context.Context, args []string) error
	// Usage prints the command's help, with an example and its flags, on
	// the Env's Stderr.
	Usage()
}

// commands is the framework command's subcommands, in help order.
var commands = []struct {
	name, summary string
	new           func(Env) command
}{
	{"new", "create an app from the template", func(env Env) command { return &newCommand{env: env} }},
	{"dev", "run an app in development, rebuilding and reloading on save", func(env Env) command { return &devCommand{env: env} }},
	{"build", "generate, compile and prerender an app for production", func(env Env) command { return &buildCommand{env: env} }},
	{"export", "build an app and write its static pages and files to a folder", func(env Env) command { return &exportCommand{env: env} }},
	{"vet", "check the exports of an app's pages without building it", func(env Env) command { return &vetCommand{env: env} }},
	{"start", "serve the last build", func(env Env) command { return &startCommand{env: env} }},
	{"revalidate", "revalidate pages of a running server by path or tag", func(env Env) command { return &revalidateCommand{env: env} }},
}

// UsageError is an error in how a command was called: exit status 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &UsageError{msg: fmt.Sprintf(format, args...)}
}

const mainUsage = `framework builds Go web apps with file-based routes and Incremental
Static Regeneration.

Usage:

	framework <command> [arguments]

Commands:
%s
Run "framework <command> --help" for a command's flags and an example.

A new app in four commands:

	framework new myapp && cd myapp
	framework build
	framework start
`

// Main runs the framework command with args (without the program name) and
// returns its exit status: 0, 1 on failure, 2 on a usage error.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printMainUsage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var cmd command
	for _, c := range commands {
		if c.name == args[0] {
			cmd = c.new(env)
		}
	}
	if cmd == nil {
		fmt.Fprintf(env.Stderr, "framework: unknown command %q\nrun 'framework --help' for usage\n", args[0])
		return 2
	}
	err := cmd.Run(ctx, args[1:])
	var usage *UsageError
	var server *serverExited
	var problems codegen.ErrorList
	switch {
	case err == nil:
		return 0
	case errors.As(err, &server):
		return server.code
	case errors.Is(err, flag.ErrHelp):
		cmd.Usage()
		return 0
	case errors.As(err, &usage):
		// One line, as the go command does: the whole help would bury it.
		fmt.Fprintf(env.Stderr, "framework %s: %v\nrun 'framework %s --help' for usage\n", args[0], err, args[0])
		return 2
	case errors.As(err, &problems):
		// Problems in the app read like the compiler's, file:line:col:
		// msg, one a line, for editors and CI logs to pick up.
		fmt.Fprintln(env.Stderr, problems.Error())
		return 1
	default:
		fmt.Fprintf(env.Stderr, "framework %s: %v\n", args[0], err)
		return 1
	}
}

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "\t%-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// parseArgs parses args with fs and returns the positional arguments.
// Unlike fs.Parse it reads flags after positional arguments too, so that
// `framework new myapp --module example.com/x` means what it says; "--"
// ends the flags. A bad flag is a *UsageError; -h and --help give
// flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package would print the error and the whole usage; Main
	// prints one line instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &UsageError{msg: err.Error()}
		}
		rest := fs.Args()
		// fs.Parse stops at the first positional argument, or after "--",
		// which it drops: then the rest is positional whatever it looks
		// like.
		if n := len(args) - len(rest); len(rest) == 0 || n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseAppArgs parses the arguments of a command that works on an app
// (start, build, dev): flags made by flags, then the app's directory. The
// app's .env files for mode ("production" or "development") are loaded into
// the environment, and the arguments parsed again, so that the flags'
// environment defaults see the files' variables; the server the command
// runs inherits them. A real environment variable wins over the files, and
// a flag over both. set holds the names of the flags the arguments set.
func parseAppArgs(flags func() *flag.FlagSet, args []string, mode string) (dir string, set map[string]bool, err error) {
	positional, err := parseArgs(flags(), args)
	if err != nil {
		return "", nil, err
	}
	if dir, err = appDir(positional); err != nil {
		return "", nil, err
	}
	if err := server.LoadEnvFiles(dir, mode); err != nil {
		return "", nil, err
	}
	fs := flags()
	if _, err = parseArgs(fs, args); err != nil {
		return "", nil, err
	}
	set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return dir, set, nil
}

// printUsage prints a command's help text and then its flags.
func printUsage(w io.Writer, text string, fs *flag.FlagSet) {
	fmt.Fprint(w, text)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// appDir returns the app directory a command was given, "." by default.
func appDir(args []string) (string, error) {
	switch len(args) {
	case 0:
		return ".", nil
	case 1:
		return args[0], nil
	}
	return "", usageErrorf("want at most one app directory, got %q", args)
}

// get returns the value of the environment variable name, or def.
func (e Env) get(name, def string) string {
	if v := e.Getenv(name); v != "" {
		return v
	}
	return def
}
