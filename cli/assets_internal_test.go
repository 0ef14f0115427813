package cli

import (
	"path/filepath"
	"testing"
)

// TestClassifyAssets: sources of the bundles are asset changes, whatever
// the app's //go:embed patterns say; what the build writes of them is no
// change at all.
func TestClassifyAssets(t *testing.T) {
	root := filepath.FromSlash("/work/shop")
	embeds := []embedDir{{dir: "", patterns: []string{"all:public", "all:static_gen"}}}
	for rel, want := range map[string]changeKind{
		"assets/styles.css":                     changeAsset,
		"assets/lib/greet.ts":                   changeAsset,
		"assets/fonts/inter.woff2":              changeAsset,
		"static_gen.go":                         changeNone,
		"static_gen/static/styles.ABCDEFGH.css": changeNone,
		"static_gen/public/styles.css.br":       changeNone,
		"public/favicon.svg":                    changeBuild,
		"node_modules/htmx.org/dist/htmx.js":    changeNone,
	} {
		if got := classify(root, filepath.Join(root, filepath.FromSlash(rel)), embeds); got != want {
			t.Errorf("classify(%s) = %v, want %v", rel, got, want)
		}
	}
}

func TestUnhashed(t *testing.T) {
	for in, want := range map[string]string{
		"styles.4G3J7X3G.css":     "styles.css",
		"styles.4G3J7X3G.css.map": "styles.css.map",
		"main.UAXWPHNO.js":        "main.js",
		"inter.HBQRIOUF.woff2":    "inter.woff2",
		"styles.css":              "styles.css",
	} {
		if got := unhashed(in); got != want {
			t.Errorf("unhashed(%q) = %q, want %q", in, got, want)
		}
	}
}
