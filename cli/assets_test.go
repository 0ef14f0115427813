package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestUnknownAsset: a framework.Stylesheet call naming no stylesheet of
// assets/ is an error of framework vet and framework build alike, at the
// name's place in the .templ file, listing the names there are; a bare
// import resolves from the app's node_modules/, and the build serves its
// bundle.
func TestUnknownAsset(t *testing.T) {
	dir := newApp(t)
	const layout = "app/layout.templ"
	edit(t, dir, layout, `framework.Stylesheet("styles.css")`, `framework.Stylesheet("style.css")`)
	line := lineOf(t, dir, layout, `			@framework.Stylesheet(`)
	col := strings.Index(`			@framework.Stylesheet("style.css")`, `"style.css"`) + 1
	want := layout + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) +
		`: framework.Stylesheet("style.css"): no such stylesheet; the stylesheets of assets/ are styles.css` + "\n"

	out, err := framework(t, dir, "vet")
	if code := exitCode(t, err); code != 1 || out != want {
		t.Errorf("framework vet: exit %d\n%s\nwant exit 1 and\n%s", code, out, want)
	}
	out, err = framework(t, dir, "build")
	if code := exitCode(t, err); code != 1 || out != "Generating routes...\n"+want {
		t.Errorf("framework build: exit %d\n%s\nwant exit 1 and\n%s", code, out, want)
	}

	edit(t, dir, layout, `framework.Stylesheet("style.css")`, `framework.Stylesheet("styles.css")`)
	write := func(name, content string) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("node_modules/tiny-greeter/package.json", `{"name": "tiny-greeter", "main": "index.js"}`)
	write("node_modules/tiny-greeter/index.js", "export function greet(name) { return 'greetings from node_modules, ' + name }\n")
	write("assets/main.ts", "import { greet } from \"tiny-greeter\";\ndocument.title = greet(\"app\");\n")
	if out, err := framework(t, dir, "build"); err != nil {
		t.Fatalf("framework build: %v\n%s", err, out)
	}
	bundles, _ := filepath.Glob(filepath.Join(dir, "static_gen", "static", "main.*.js"))
	if len(bundles) != 1 {
		t.Fatalf("bundles of main.ts: %v", bundles)
	}
	if js, _ := os.ReadFile(bundles[0]); !strings.Contains(string(js), "greetings from node_modules, ") {
		t.Errorf("the bundle lacks the package from node_modules:\n%s", js)
	}
}
