package codegen_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/isr-go/framework/codegen/testdata/full"
	"github.com/isr-go/framework/framework"
)

// TestStylesheet renders framework.Stylesheet over testdata/full's
// stylesheet as its static_gen.go published it: under the limit, the
// bundle as built in a <style> element (its font's URL absolute, so it
// resolves from any page); over it, in Dev, or with a negative limit, a
// <link> to the fingerprinted URL; a name that is no entry point fails the
// render.
func TestStylesheet(t *testing.T) {
	url := framework.Asset("styles.css")
	built, err := os.ReadFile(filepath.Join("testdata", "full", "static_gen", "static", filepath.Base(url)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(built), `url("/_framework/static/inter.`) {
		t.Fatalf("the bundle's font URL is not absolute:\n%s", built)
	}
	render := func(opts framework.Options, name string) (string, error) {
		t.Helper()
		opts.Logger = slog.New(slog.DiscardHandler)
		app, err := framework.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		var b strings.Builder
		err = framework.Stylesheet(name).Render(app.Context(context.Background()), &b)
		return b.String(), err
	}
	link := `<link rel="stylesheet" href="` + url + `">`
	for _, tc := range []struct {
		name string
		opts framework.Options
		want string
	}{
		{"default limit", framework.Options{}, "<style>" + string(built) + "</style>"},
		{"at the limit", framework.Options{InlineStylesheetLimit: len(built)}, "<style>" + string(built) + "</style>"},
		{"over the limit", framework.Options{InlineStylesheetLimit: len(built) - 1}, link},
		{"never", framework.Options{InlineStylesheetLimit: -1}, link},
		{"dev", framework.Options{Dev: true}, link},
	} {
		got, err := render(tc.opts, "styles.css")
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if got, err := render(framework.Options{}, "nope.css"); err == nil {
		t.Errorf("an unknown stylesheet rendered %q, no error", got)
	}
}
