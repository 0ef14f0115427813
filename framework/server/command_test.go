package server

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCommandsTakeTheirFlags: each command's --help lists the flags it
// uses and no other, and refuses one it does not use as a usage error.
func TestCommandsTakeTheirFlags(t *testing.T) {
	for _, tc := range []struct {
		cmd       string
		has, lack []string
	}{
		{"serve", []string{"-addr", "-cache-dir", "-cache ", "-dev", "-metrics", "-log-requests", "-health-requires-store"}, []string{"-concurrency"}},
		{"prerender", []string{"-cache-dir", "-cache ", "-concurrency", "-site-url", "-log-format"}, []string{"-addr", "-dev", "-metrics"}},
		{"export", []string{"-out", "-cache-dir", "-cache ", "-concurrency", "-site-url", "-log-format"}, []string{"-addr", "-dev", "-metrics"}},
		{"health", []string{"-addr"}, []string{"-cache", "-log-format"}},
		{"routes", nil, []string{"Flags:"}},
		{"build-id", nil, []string{"Flags:"}},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := Run(context.Background(), []string{tc.cmd, "--help"}, nil, register(nil), &out, &errOut); code != 0 {
				t.Fatalf("--help: exit %d", code)
			}
			help := errOut.String()
			if !strings.Contains(help, "usage: ") || !strings.Contains(help, " "+tc.cmd) && tc.cmd != "serve" {
				t.Errorf("--help does not say how to call it:\n%s", help)
			}
			for _, f := range tc.has {
				if !strings.Contains(help, f) {
					t.Errorf("--help lacks %s:\n%s", f, help)
				}
			}
			for _, f := range tc.lack {
				if strings.Contains(help, f) {
					t.Errorf("--help lists %s:\n%s", f, help)
				}
			}
			if len(tc.lack) > 0 && strings.HasPrefix(tc.lack[0], "-") {
				errOut.Reset()
				arg := strings.TrimSpace(tc.lack[0]) + "=x"
				if code := Run(context.Background(), []string{tc.cmd, "-" + arg}, nil, register(nil), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "flag provided but not defined") {
					t.Errorf("%s -%s: exit %d, %q; want a usage error", tc.cmd, arg, code, errOut.String())
				}
			}
		})
	}
}
