package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"

	"golang.org/x/mod/modfile"

	apptemplate "github.com/isr-go/framework/app-template"
)

// frameworkModule is the framework's module path.
const frameworkModule = "github.com/isr-go/framework"

// newCommand is `framework new`.
type newCommand struct {
	env       Env
	module    string // --module
	framework string // --framework
}

const newUsage = `usage: framework new [--module PATH] [--framework PATH] DIR

New writes an app into DIR, which must not exist or be empty: a layout, a
home page, a blog whose posts are prerendered and regenerated every minute,
a route handler, static files, a README and a test. It then generates the
router, so that the app builds, vets and tests at once.

Until the framework is published, the app's go.mod replaces it with the
local checkout: the one this command was built from, or --framework.

Example:

	framework new myapp && cd myapp && framework build && framework start
	framework new myapp --module example.com/myapp

`

func (c *newCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("framework new", flag.ContinueOnError)
	fs.StringVar(&c.module, "module", "", "module path of the new app (default: DIR's base name)")
	fs.StringVar(&c.framework, "framework", "", "path of the framework checkout (default: the one this command was built from)")
	return fs
}

// Usage prints the command's help.
func (c *newCommand) Usage() { printUsage(c.env.Stderr, newUsage, c.flags()) }

// Run writes a new app into the directory args names.
func (c *newCommand) Run(ctx context.Context, args []string) error {
	args, err := parseArgs(c.flags(), args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usageErrorf("want one directory, got %d arguments", len(args))
	}
	dir := args[0]
	module := c.module
	if module == "" {
		module = filepath.Base(filepath.Clean(dir))
	}
	if strings.ContainsAny(module, " \t\"'`\\") || module == "." || module == "/" {
		return usageErrorf("%q is not a module path: pass --module", module)
	}
	source, err := frameworkSource(c.framework, c.env)
	if err != nil {
		return err
	}
	if err := checkEmpty(dir); err != nil {
		return err
	}
	data, err := templateData(module, source)
	if err != nil {
		return err
	}
	if err := writeTemplate(dir, data); err != nil {
		return err
	}
	goSum, err := os.ReadFile(filepath.Join(source, "go.sum"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), goSum, 0o644); err != nil {
		return err
	}
	if _, err := generate(ctx, dir); err != nil {
		return fmt.Errorf("generate the router: %w", err)
	}
	fmt.Fprintf(c.env.Stdout, "Created %s (module %s).\n\n\tcd %s\n\tframework build\n\tframework start\n\nor `framework dev` to work on it with live reload.\n", dir, module, dir)
	return nil
}

// checkEmpty fails unless dir is absent or an empty directory.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: pick a new directory", dir)
	}
	return nil
}

// frameworkSource returns the framework checkout an app should build
// against: flagValue, else $FRAMEWORK_SOURCE, else the checkout this binary
// was compiled from.
func frameworkSource(flagValue string, env Env) (string, error) {
	candidates := []string{flagValue, env.Getenv("FRAMEWORK_SOURCE")}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), ".."))
	}
	for _, dir := range candidates {
		if dir == "" {
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", err
		}
		if module, _ := goModDirective(filepath.Join(abs, "go.mod"), "module"); module == frameworkModule {
			return abs, nil
		}
		if dir == flagValue {
			return "", fmt.Errorf("--framework %s: no go.mod of module %s there", dir, frameworkModule)
		}
	}
	return "", errors.New("cannot find the framework's source: pass --framework PATH (a checkout of " + frameworkModule + ")")
}

// goModDirective returns the argument of the first line of a go.mod that
// starts with directive ("module", "go").
func goModDirective(file, directive string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), directive+" "); ok {
			return strings.TrimSpace(rest), nil
		}
	}
	return "", fmt.Errorf("%s: no %s directive", file, directive)
}

// templateData fills the template's data from the framework checkout: its
// go version and its requirements, so that the app builds from the module
// cache the framework already uses, with no go mod tidy (and no network).
func templateData(module, source string) (apptemplate.Data, error) {
	goMod := filepath.Join(source, "go.mod")
	b, err := os.ReadFile(goMod)
	if err != nil {
		return apptemplate.Data{}, err
	}
	f, err := modfile.Parse(goMod, b, nil)
	if err != nil {
		return apptemplate.Data{}, err
	}
	data := apptemplate.Data{Module: module, FrameworkPath: filepath.ToSlash(source)}
	if f.Go != nil {
		data.GoVersion = f.Go.Version
	}
	// The app's own code imports templ and Echo; the rest it needs through
	// the framework.
	direct := map[string]bool{"github.com/a-h/templ": true, "github.com/labstack/echo/v4": true}
	for _, r := range f.Require {
		data.Requires = append(data.Requires, apptemplate.Require{Path: r.Mod.Path, Version: r.Mod.Version, Indirect: !direct[r.Mod.Path]})
	}
	return data, nil
}

// writeTemplate writes the template tree into dir, executing .tmpl files.
func writeTemplate(dir string, data apptemplate.Data) error {
	return fs.WalkDir(apptemplate.Files, apptemplate.Root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(name, apptemplate.Root), "/")
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		content, err := fs.ReadFile(apptemplate.Files, name)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, ".tmpl") {
			t, err := template.New(path.Base(name)).Option("missingkey=error").Parse(string(content))
			if err != nil {
				return fmt.Errorf("template %s: %w", name, err)
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, data); err != nil {
				return fmt.Errorf("template %s: %w", name, err)
			}
			content, target = buf.Bytes(), strings.TrimSuffix(target, ".tmpl")
		}
		return os.WriteFile(target, content, 0o644)
	})
}
