package framework

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestHandlerRemovesUploadedFiles: a route handler that reads a form, as
// the blog's POST /greeting does, parses a multipart body on the request
// App.Handler gave it a context on, a copy of the server's. net/http
// removes the temporary files of the form it sees on its own request only,
// so an upload past the form's memory (32 MiB) stayed on disk for good:
// anybody could fill the disk with POSTs to any handler that reads a form.
func TestHandlerRemovesUploadedFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where mime/multipart writes the files (os.TempDir)
	h := newHarness(t, Options{})
	h.e.POST("/greeting", h.app.routeHandler(func(c echo.Context) error {
		return c.String(http.StatusOK, "hello "+c.FormValue("name"))
	}))
	h.e.POST("/upload", h.app.routeHandler(func(c echo.Context) error {
		f, err := c.FormFile("f")
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		return c.String(http.StatusOK, fmt.Sprint(f.Size))
	}))

	upload := bytes.Repeat([]byte("x"), 33<<20) // past ParseMultipartForm's 32 MiB in memory
	for _, path := range []string{"/greeting", "/upload"} {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("name", "Ada")
		fw, _ := w.CreateFormFile("f", "big.bin")
		fw.Write(upload)
		w.Close()
		res := h.do(http.MethodPost, path, &body, "Content-Type", w.FormDataContentType())
		if res.status != http.StatusOK {
			t.Fatalf("POST %s: %d %q", path, res.status, res.body)
		}
		// The handler has returned and its response has been read: the
		// server is done with the request, or all but done. Its files must
		// be gone.
		waitUntil(t, "the upload's temporary files to be removed", func() bool {
			left, err := os.ReadDir(tmp)
			return err == nil && len(left) == 0
		})
	}
}
