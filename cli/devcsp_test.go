package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestReloadScriptAllowedByCSP checks that the dev server's reload script
// is allowed by the app's Content-Security-Policy: its hash is added to
// script-src of the page it is injected into.
func TestReloadScriptAllowedByCSP(t *testing.T) {
	res := &http.Response{Header: http.Header{
		"Content-Type":            {"text/html; charset=utf-8"},
		"Content-Security-Policy": {"default-src 'self'; script-src 'self' 'sha256-page'; style-src 'self'"},
	}, Body: io.NopCloser(strings.NewReader("<html><body><p>hi</p></body></html>"))}
	if err := injectReload(res); err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_, script, _ := strings.Cut(string(body), "<script>")
	script, _, _ = strings.Cut(script, "</script>")
	sum := sha256.Sum256([]byte(script))
	want := "default-src 'self'; script-src 'self' 'sha256-page' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; style-src 'self'"
	if got := res.Header.Get("Content-Security-Policy"); script == "" || got != want {
		t.Errorf("Content-Security-Policy\n%s\nwant\n%s", got, want)
	}
}
