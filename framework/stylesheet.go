package framework

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework/asset"
)

// DefaultInlineStylesheetLimit is Options.InlineStylesheetLimit's default:
// Astro's, 4 KiB.
const DefaultInlineStylesheetLimit = 4 << 10

// Stylesheet renders the stylesheet of an entry point of the app's assets/
// folder for a layout's <head>: its bundle as built, in a <style> element,
// when it is at most Options.InlineStylesheetLimit bytes, and otherwise
// <link rel="stylesheet"> to its fingerprinted URL, which browsers keep
// for a year. Inlined, a small stylesheet costs no request before the
// first paint; the URLs it names (url() of fonts and images) are absolute
// /_framework/static/ ones, so they resolve from any page.
//
//	@framework.Stylesheet("styles.css")
//
// A constant name that is no .css entry point is an error of `framework
// build` and `framework vet`, at the call; a name made at run time that
// is none fails the render.
func Stylesheet(name string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		url, body := asset.Bundle(name)
		if url == "" {
			return fmt.Errorf("framework.Stylesheet(%q): no such stylesheet in assets/", name)
		}
		limit := DefaultInlineStylesheetLimit
		if a := appFrom(ctx); a != nil {
			limit = a.opts.InlineStylesheetLimit
			if a.opts.Dev {
				limit = -1
			}
		}
		if css, ok := inlinable(body, limit); ok {
			_, err := io.WriteString(w, "<style>"+css+"</style>")
			return err
		}
		_, err := io.WriteString(w, `<link rel="stylesheet" href="`+html.EscapeString(url)+`">`)
		return err
	})
}

// inlinable returns body as it goes in a <style> element, and whether it
// may: at most limit bytes, and with no "</style" (in a string or a
// comment) that would end the element early. Its URLs, the source map's
// too, are absolute already (esbuild's PublicPath), so they need no
// rewriting.
func inlinable(body []byte, limit int) (string, bool) {
	if body == nil || len(body) > limit || bytes.Contains(bytes.ToLower(body), []byte("</style")) {
		return "", false
	}
	return string(body), true
}
