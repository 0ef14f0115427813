// Package cli is the framework command: it scaffolds apps (new), runs them
// in development (dev), builds and prerenders them (build), serves builds
// (start), and revalidates a running server (revalidate).
//
// Each command is a type with a flag set, a Run method and usage text with
// an example; standard streams are passed in so that tests run commands in
// process.
package cli

import (
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
type command struct {
	name    string
	summary string
	usage   string // the whole help text, with an example
	run     func(ctx context.Context, env Env, fs *flag.FlagSet, args []string) error
	flags   func(fs *flag.FlagSet)
}

// commands is the framework command's subcommands, in help order.
var commands = []*command{newCmd, devCmd, buildCmd, startCmd, revalidateCmd}

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
	var cmd *command
	for _, c := range commands {
		if c.name == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(env.Stderr, "framework: unknown command %q\n\n", args[0])
		printMainUsage(env.Stderr)
		return 2
	}
	fs := flag.NewFlagSet("framework "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, cmd.usage); fs.PrintDefaults() }
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	err := cmd.run(ctx, env, fs, fs.Args())
	var usage *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		fmt.Fprintf(env.Stderr, "framework %s: %v\n\n", cmd.name, err)
		fs.Usage()
		return 2
	default:
		fmt.Fprintf(env.Stderr, "framework %s: %v\n", cmd.name, err)
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

// env returns the value of name, or def.
func (e Env) get(name, def string) string {
	if v := e.Getenv(name); v != "" {
		return v
	}
	return def
}
