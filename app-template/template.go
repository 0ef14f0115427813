// Package apptemplate holds the app that `framework new` writes: a root
// layout, a home page, a blog with an ISR post page prerendered from
// StaticParams, a route handler, static files, a README and a test.
//
// The files live under _files, which the go command skips, so that the
// template's Go code is built and tested where it belongs: in a new app
// (the CLI's end-to-end tests do that). Files ending in .tmpl are
// text/template sources; the rest are copied as they are.
package apptemplate

import "embed"

// Files is the template tree, rooted at "_files".
//
//go:embed all:_files
var Files embed.FS

// Root is the directory of Files that holds the app.
const Root = "_files"

// Data is what the .tmpl files are executed with.
type Data struct {
	Module        string // the new app's module path
	GoVersion     string // the go directive, "1.26"
	FrameworkPath string // absolute path of the framework checkout, for the replace directive
	Requires      []Require
}

// Require is one line of the new go.mod's require block.
type Require struct {
	Path, Version string
	Indirect      bool
}
