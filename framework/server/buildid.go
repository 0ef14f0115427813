package server

import (
	"context"
	"flag"
	"fmt"
)

// buildIDCommand is `server build-id`.
type buildIDCommand struct{ env }

const buildIDUsage = `usage: %s build-id

Print the build ID stamped into this binary ("development" without one).
`

func (c *buildIDCommand) flags() *flag.FlagSet {
	return flag.NewFlagSet("build-id", flag.ContinueOnError)
}

// Usage prints the command's help.
func (c *buildIDCommand) Usage() { printUsage(c.stderr, buildIDUsage, c.flags()) }

// Run prints the build ID.
func (c *buildIDCommand) Run(_ context.Context, args []string) error {
	if err := parseArgs(c.flags(), args); err != nil {
		return err
	}
	_, err := fmt.Fprintln(c.stdout, BuildID())
	return err
}
