package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/codegen/vet"
)

// vetCommand is `framework vet`.
type vetCommand struct {
	env Env
}

const vetUsage = `usage: framework vet [DIR]

Vet checks the exports of the app's pages (Revalidate and Expire are
time.Durations or untyped constants counting seconds, as Next.js's
revalidate = 60, Load, Metadata and StaticParams have their signatures,
Page takes Load's result, r.Param("name") with a constant names a param of
the page's route) without building it, and prints each
problem as file:line:col: message, relative to the app, a problem in Go
that templ generated at its place in the .templ file. It exits with status 1
if there is any.

It runs templ generate first, as framework build does, and then the
analyzer of package github.com/isr-go/framework/codegen/vet on every
package under app/: framework build reports the same problems with the same
words. A package that does not compile has its compile errors printed
instead.

For go vet, CI and editors (gopls runs analyzers only through go vet), the
same analyzer is a vet tool:

	go install github.com/isr-go/framework/codegen/vet/cmd/framework-vet
	go vet -vettool=$(which framework-vet) ./...

Example:

	framework vet && framework build

`

func (c *vetCommand) flags() *flag.FlagSet {
	return flag.NewFlagSet("framework vet", flag.ContinueOnError)
}

// Usage prints the command's help.
func (c *vetCommand) Usage() { printUsage(c.env.Stderr, vetUsage, c.flags()) }

// Run vets the app in args[0], or in the working directory. Problems in
// the app come back as a codegen.ErrorList, as from framework build.
func (c *vetCommand) Run(ctx context.Context, args []string) error {
	positional, err := parseArgs(c.flags(), args)
	if err != nil {
		return err
	}
	dir, err := appDir(positional)
	if err != nil {
		return err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "app")); err != nil {
		return fmt.Errorf("%s has no app/ folder: is it an app? (framework new creates one)", dir)
	}
	if err := codegen.GenerateTempl(ctx, dir); err != nil {
		return err
	}
	errs, err := vetApp(ctx, dir)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	fmt.Fprintln(c.env.Stdout, "framework vet: no problems found")
	return nil
}

// vetApp runs the vet analyzer on the packages under dir/app and returns
// what it and the type checker found, positioned as codegen positions its
// errors. Its error is a failure to run at all.
func vetApp(ctx context.Context, dir string) (codegen.ErrorList, error) {
	cfg := &packages.Config{
		Context: ctx,
		Dir:     dir,
		Mode:    packages.LoadSyntax | packages.NeedModule,
	}
	pkgs, err := packages.Load(cfg, "./app/...")
	if err != nil {
		return nil, fmt.Errorf("load packages: %w", err)
	}
	positions := codegen.NewSourcePositions(dir)
	var errs codegen.ErrorList
	seen := make(map[string]bool)
	add := func(e *codegen.Error) {
		// A package's error is also in the errors of every package that
		// imports it: report it once.
		if !seen[e.Error()] {
			seen[e.Error()] = true
			errs = append(errs, e)
		}
	}
	// The analyzer does not run on a package that does not type-check:
	// its compile errors are the problems to fix first.
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range positions.PackageErrors(p) {
			add(e)
		}
	})
	assetErrs, err := codegen.AssetErrors(dir, pkgs)
	if err != nil {
		return nil, err
	}
	for _, e := range assetErrs {
		add(e)
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{vet.Analyzer}, pkgs, nil)
	if err != nil {
		return nil, err
	}
	for act := range graph.All() {
		if act.Package.IllTyped {
			continue // its errors are above
		}
		if act.Err != nil {
			return nil, fmt.Errorf("%s: %w", act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			add(&codegen.Error{Pos: positions.Position(act.Package.Fset.Position(d.Pos)), Msg: d.Message})
		}
	}
	errs.Sort()
	return errs, nil
}
