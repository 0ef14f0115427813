package codegen

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGoldenSeconds generates the router of testdata/seconds, whose
// windows are declared every way codegen accepts, and compares it with
// the committed routes_gen.go, which TestWindowsInSeconds compiles and
// reads back: a window in seconds is multiplied by time.Second, a
// time.Duration used as it is. Only -update writes it.
func TestGoldenSeconds(t *testing.T) {
	dir := filepath.Join("testdata", "seconds")
	_, got, err := routesFile(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join(dir, OutputFile)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("generated file differs from %s (-want +got; go test ./codegen -run GoldenSeconds -update to accept):\n%s", golden, diff)
	}
}
