package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/isr-go/framework/framework"
)

// TestSecurityHeadersOnEveryResponse: the server's handler sets the
// security headers on a page, a 404, the health check, an image refused,
// and a non-canonical path's redirect alike; the page's policy carries the
// hashes of its own inline scripts.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	cfg := &Config{}
	env := map[string]string{"FRAMEWORK_CONTENT_SECURITY_POLICY": "default", "FRAMEWORK_FRAME_OPTIONS": "SAMEORIGIN"}
	opts := cfg.options(Options{}, nil, func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	if opts.ContentSecurityPolicy != framework.DefaultContentSecurityPolicy || opts.FrameOptions != "SAMEORIGIN" {
		t.Fatalf("from the environment: %q, %q", opts.ContentSecurityPolicy, opts.FrameOptions)
	}
	app, err := framework.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	routes := testRoutes(&source{}, "")
	srv := httptest.NewServer(handler(app, nil, register(routes), DefaultLimits().MaxBodyBytes, false, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/blog/7", "/no/such/page", framework.HealthPath, "/_framework/image?url=/x.png&w=1", "/blog//7"} {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		h := res.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "strict-origin-when-cross-origin" ||
			h.Get("X-Frame-Options") != "SAMEORIGIN" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s (%d): %v", path, res.StatusCode, h)
		}
	}
}
