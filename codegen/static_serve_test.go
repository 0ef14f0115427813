package codegen_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/codegen/testdata/full"
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/asset"
)

// TestServeStatic serves testdata/full's public/ and assets/ bundles through
// its generated static_gen.go, over real HTTP: content-hash ETags, 304s,
// ranges, brotli and gzip bodies made at build, and the Cache-Control of
// each kind of file.
func TestServeStatic(t *testing.T) {
	app, err := framework.New(framework.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	e := echo.New()
	full.Register(e, app)
	srv := httptest.NewServer(asset.NoSniff(e))
	defer srv.Close()

	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for _, h := range header {
			name, value, _ := strings.Cut(h, ": ")
			req.Header.Set(name, value)
		}
		// Go's transport asks for gzip and decodes it itself unless the
		// request names an Accept-Encoding: name one always.
		if req.Header.Get("Accept-Encoding") == "" {
			req.Header.Set("Accept-Encoding", "identity")
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}

	// A public file: revalidated each time, answered 304 while unchanged.
	humans, _ := os.ReadFile(filepath.Join("testdata", "full", "public", "humans.txt"))
	res, body := get("/humans.txt")
	etag := res.Header.Get("Etag")
	if res.StatusCode != 200 || !bytes.Equal(body, humans) || res.Header.Get("Cache-Control") != "public, max-age=0, must-revalidate" ||
		!strings.HasPrefix(etag, `"`) || res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-App") != "full" {
		t.Fatalf("GET /humans.txt: %d %v %q", res.StatusCode, res.Header, body)
	}
	if res, body := get("/humans.txt", "If-None-Match: "+etag); res.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match its ETag: %d %q, want 304", res.StatusCode, body)
	}
	if res, body := get("/humans.txt", "If-None-Match: W/"+etag); res.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match its weak ETag: %d %q, want 304", res.StatusCode, body)
	}
	if res, body := get("/humans.txt", "Range: bytes=0-3"); res.StatusCode != 206 || string(body) != string(humans[:4]) {
		t.Errorf("Range: %d %q, want 206 %q", res.StatusCode, body, humans[:4])
	}
	if res, body := get("/humans.txt", "Range: bytes=9999-"); res.StatusCode != 416 {
		t.Errorf("Range past the end: %d %q, want 416", res.StatusCode, body)
	}

	// The stylesheet, by the URL framework.Asset gives, in the page too.
	css := framework.Asset("styles.css")
	if !strings.HasPrefix(css, "/_framework/static/styles.") || !strings.HasSuffix(css, ".css") {
		t.Fatalf(`Asset("styles.css") = %q`, css)
	}
	if _, page := get("/"); !bytes.Contains(page, []byte(`href="`+css+`"`)) || !bytes.Contains(page, []byte(`src="`+framework.Asset("main.ts")+`"`)) {
		t.Errorf("the page links no bundle:\n%s", page)
	}
	_, plain := get(css)
	if !bytes.Contains(plain, []byte("font-family:Inter")) || !bytes.Contains(plain, []byte(`url("/_framework/static/inter.`)) {
		t.Fatalf("stylesheet not bundled, or its font not fingerprinted:\n%s", plain)
	}
	etags := map[string]bool{}
	for _, tc := range []struct{ accept, encoding string }{
		{"identity", ""},
		{"gzip, deflate", "gzip"},
		{"gzip, deflate, br, zstd", "br"},
		{"br;q=0, gzip", "gzip"},
	} {
		res, body := get(css, "Accept-Encoding: "+tc.accept)
		if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.encoding)
			continue
		}
		var r io.Reader = bytes.NewReader(body)
		switch tc.encoding {
		case "gzip":
			r, _ = gzip.NewReader(r)
		case "br":
			r = brotli.NewReader(r)
		}
		decoded, _ := io.ReadAll(r)
		if !bytes.Equal(decoded, plain) {
			t.Errorf("Accept-Encoding %q: the body does not decode to the stylesheet", tc.accept)
		}
		if res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("Vary") != "Accept-Encoding" ||
			res.Header.Get("Content-Type") != "text/css; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: headers %v", tc.accept, res.Header)
		}
		etags[res.Header.Get("Etag")] = true
		if res, _ := get(css, "Accept-Encoding: "+tc.accept, "If-None-Match: "+res.Header.Get("Etag")); res.StatusCode != 304 {
			t.Errorf("Accept-Encoding %q, If-None-Match its ETag: %d, want 304", tc.accept, res.StatusCode)
		}
	}
	if len(etags) != 3 {
		t.Errorf("ETags %v: want one for each of identity, gzip and br", etags)
	}
	if res, _ := get(css[:len(css)-4] + "X.css"); res.StatusCode != 404 || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("an unknown bundle: %d %v, want 404 with nosniff", res.StatusCode, res.Header)
	}
}
