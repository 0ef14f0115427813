package cli

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/a-h/templ"
	templgen "github.com/a-h/templ/generator"
	templparser "github.com/a-h/templ/parser/v2"
	templruntime "github.com/a-h/templ/runtime"
)

// Text edits without a rebuild rest on templ's development mode. Generated
// code writes every run of literal markup with
// templruntime.WriteString(w, index, "literal"); in a process started with
// TEMPL_DEV_MODE=true that call ignores the compiled literal and reads the
// index-th line of a text file instead: $TEMPL_DEV_MODE_ROOT (else the
// system temp dir) / templ_<sha256 of the .templ file's absolute path>.txt,
// one Go-escaped literal a line (templ v0.3.960, runtime/watchmode.go). It
// rereads the file when its mtime moves (checked at most every 100 ms). So a
// change of literal text and markup only, with the same Go expressions in
// the same order and the same number of literals, needs a new text file
// and nothing else; templ's generator tells which changes those are
// (generator.HasGoChanged), exactly as `templ generate --watch` decides
// whether to restart the app.
//
// Each dev server binary gets a text root of its own, so that a new build
// writing its files never changes what the running, older binary reads.

// templText is the generator's output for every .templ file of the app the
// running binary was built from: the base against which an edit is judged.
type templText struct {
	appDir  string                              // absolute
	outputs map[string]templgen.GeneratorOutput // by absolute .templ path
}

// generateTempl runs templ's generator on one .templ file as templ generate
// does for the app (file names in runtime errors relative to app/), and
// returns its output and the formatted Go code.
func generateTempl(appDir, file string) (templgen.GeneratorOutput, []byte, error) {
	t, err := templparser.Parse(file)
	if err != nil {
		return templgen.GeneratorOutput{}, nil, fmt.Errorf("%s: %w", file, err)
	}
	rel, err := filepath.Rel(appDir, file)
	if err != nil {
		return templgen.GeneratorOutput{}, nil, err
	}
	var b bytes.Buffer
	out, err := templgen.Generate(t, &b, templgen.WithVersion(templ.Version()), templgen.WithFileName(filepath.ToSlash(rel)))
	if err != nil {
		return templgen.GeneratorOutput{}, nil, fmt.Errorf("%s: %w", file, err)
	}
	code, err := format.Source(b.Bytes())
	if err != nil {
		return templgen.GeneratorOutput{}, nil, fmt.Errorf("%s: %w", file, err)
	}
	return out, code, nil
}

// scanTempl generates every .templ file under dir/app and writes their text
// files into root, for a binary about to start with TEMPL_DEV_MODE_ROOT=root.
func scanTempl(dir, root string) (*templText, error) {
	appDir, err := filepath.Abs(filepath.Join(dir, "app"))
	if err != nil {
		return nil, err
	}
	tt := &templText{appDir: appDir, outputs: make(map[string]templgen.GeneratorOutput)}
	err = filepath.WalkDir(appDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".templ") {
			return err
		}
		out, _, err := generateTempl(appDir, path)
		if err != nil {
			return err
		}
		tt.outputs[path] = out
		return writeTextFile(root, path, out)
	})
	if err != nil {
		return nil, err
	}
	return tt, nil
}

// errGoChanged says an edit needs a rebuild.
var errGoChanged = errors.New("the Go code changed")

// update applies edits of the .templ files in files to the running binary
// through root: it regenerates each, and if none changed its Go code it
// writes their text files and _templ.go files and returns nil. Otherwise
// it writes nothing and returns an error (errGoChanged when the edit is
// valid but needs a rebuild).
func (tt *templText) update(root string, files []string) error {
	type change struct {
		file string
		out  templgen.GeneratorOutput
		code []byte
	}
	var changes []change
	for _, f := range files {
		prev, ok := tt.outputs[f]
		if !ok {
			return errGoChanged // a new file: new code to compile
		}
		out, code, err := generateTempl(tt.appDir, f)
		if err != nil {
			return err
		}
		if templgen.HasGoChanged(prev, out) {
			return errGoChanged
		}
		changes = append(changes, change{f, out, code})
	}
	for _, c := range changes {
		// The _templ.go file too, so that the next build, editors and go
		// vet see the same text (templ generate would rewrite it anyway).
		// It is written first: once the server shows the new text, the
		// file on disk has it.
		goFile := strings.TrimSuffix(c.file, ".templ") + "_templ.go"
		if old, err := os.ReadFile(goFile); err != nil || !bytes.Equal(old, c.code) {
			if err := os.WriteFile(goFile, c.code, 0o644); err != nil {
				return err
			}
		}
		if err := writeTextFile(root, c.file, c.out); err != nil {
			return err
		}
		tt.outputs[c.file] = c.out
	}
	return nil
}

// writeTextFile writes the literals of the .templ file named file where a
// binary running with TEMPL_DEV_MODE_ROOT=root looks for them. The name is
// templ's own (GetDevModeTextFileName hashes the absolute path); the root
// is ours, not the process's TEMPL_DEV_MODE_ROOT. It writes a temporary
// file and renames it, so that a render never reads half a file.
func writeTextFile(root, file string, out templgen.GeneratorOutput) error {
	name := filepath.Join(root, filepath.Base(templruntime.GetDevModeTextFileName(file)))
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(out.Literals, "\n")), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
