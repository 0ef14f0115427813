package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportDirRefusesWhatIsNotAnExport: export replaces its folder, so it
// refuses the app, a folder of the app, and a folder with other files.
func TestExportDirRefusesWhatIsNotAnExport(t *testing.T) {
	app := t.TempDir()
	for _, dir := range []string{"public", "old", "notes"} {
		if err := os.MkdirAll(filepath.Join(app, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{"public/index.html": "x", "old/404.html": "x", "notes/todo.txt": "x"} {
		if err := os.WriteFile(filepath.Join(app, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for out, wantErr := range map[string]string{
		app:                                 "it holds the app",
		filepath.Dir(app):                   "it holds the app",
		filepath.Join(app, "public"):        "it is part of the app (public/)",
		filepath.Join(app, "app", "x"):      "it is part of the app (app/)",
		filepath.Join(app, "notes"):         "is not an export",
		filepath.Join(app, "old"):           "",
		filepath.Join(app, "out"):           "",
		filepath.Join(t.TempDir(), "empty"): "",
	} {
		got, err := exportDir(app, out)
		switch {
		case wantErr == "" && (err != nil || got != out):
			t.Errorf("exportDir(%s): %q, %v; want it", out, got, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("exportDir(%s): %q, %v; want an error saying %q", out, got, err, wantErr)
		}
	}
}
