package asset

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

// TestLargeFileAndHead: a file past largeFile is read from its fs.FS per
// request, ranges included; HEAD answers every header and no body.
func TestLargeFileAndHead(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), largeFile/16+1)
	fsys := fstest.MapFS{"public/big.bin": {Data: big}, "public/a.txt": {Data: []byte("hello")}}
	e := echo.New()
	New(fsys, []File{
		{Path: "/big.bin", Name: "public/big.bin", Type: "application/octet-stream", Hash: "big"},
		{Path: "/a.txt", Name: "public/a.txt", Type: "text/plain; charset=utf-8", Hash: "a"},
	}).Register(e)
	srv := httptest.NewServer(NoSniff(e))
	defer srv.Close()

	do := func(method, path, rangeHeader string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if rangeHeader != "" {
			req.Header.Set("Range", rangeHeader)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	if res, body := do("GET", "/big.bin", ""); res.StatusCode != 200 || !bytes.Equal(body, big) || res.Header.Get("Etag") != `"big"` {
		t.Errorf("GET /big.bin: %d, %d bytes, ETag %q", res.StatusCode, len(body), res.Header.Get("Etag"))
	}
	if res, body := do("GET", "/big.bin", "bytes=16-31"); res.StatusCode != 206 || string(body) != "0123456789abcdef" {
		t.Errorf("a range of /big.bin: %d %q", res.StatusCode, body)
	}
	res, body := do("HEAD", "/a.txt", "")
	if res.StatusCode != 200 || len(body) != 0 || res.ContentLength != 5 || res.Header.Get("Etag") != `"a"` ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Vary") != "" {
		t.Errorf("HEAD /a.txt: %d, %d bytes, %v", res.StatusCode, len(body), res.Header)
	}
}

// TestNewPanicsOnAMissingFile: static_gen.go naming a file its embed does
// not hold is a broken build, said when the server starts.
func TestNewPanicsOnAMissingFile(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New did not panic")
		}
	}()
	New(fstest.MapFS{}, []File{{Path: "/a.txt", Name: "public/a.txt", Hash: "a"}})
}

func TestURL(t *testing.T) {
	Publish(map[string]string{"styles.css": "/_framework/static/styles.ABC.css"})
	if got := URL("styles.css"); got != "/_framework/static/styles.ABC.css" {
		t.Errorf(`URL("styles.css") = %q`, got)
	}
	if got := URL("nope.css"); got != "" {
		t.Errorf(`URL("nope.css") = %q, want ""`, got)
	}
}

// TestBundle: a Set's Publish makes the bodies of the published bundles
// what Bundle answers; the package's Publish gives URLs alone.
func TestBundle(t *testing.T) {
	fsys := fstest.MapFS{"static_gen/static/styles.ABC.css": {Data: []byte("a{color:red}")}}
	s := New(fsys, []File{{Path: "/_framework/static/styles.ABC.css", Name: "static_gen/static/styles.ABC.css", Hash: "abc", Immutable: true}})
	s.Publish(map[string]string{"styles.css": "/_framework/static/styles.ABC.css"})
	if url, body := Bundle("styles.css"); url != "/_framework/static/styles.ABC.css" || string(body) != "a{color:red}" {
		t.Errorf(`Bundle("styles.css") = %q, %q`, url, body)
	}
	if url, body := Bundle("nope.css"); url != "" || body != nil {
		t.Errorf(`Bundle("nope.css") = %q, %q`, url, body)
	}
	Publish(map[string]string{"styles.css": "/_framework/static/styles.ABC.css"})
	if _, body := Bundle("styles.css"); body != nil {
		t.Errorf("Publish without a Set: body %q", body)
	}
}
