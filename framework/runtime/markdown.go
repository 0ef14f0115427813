package runtime

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/accept"
	"github.com/isr-go/framework/framework/internal/contentfs"
	"github.com/isr-go/framework/internal/frontmatter"
)

// MarkdownStylesheetPath is where Register serves the stylesheet of
// highlighted code in Markdown (MarkdownStylesheet); a converted page with
// a code block links it.
const MarkdownStylesheetPath = "/_framework/markdown.css"

// DevMarkdownEnv names the variable framework dev starts the server with:
// a folder where it writes the pages of app/**/page.md it converted after
// an edit (DevMarkdownFile), which MarkdownPage's renders then read
// instead of the compiled copy.
const DevMarkdownEnv = "FRAMEWORK_DEV_MARKDOWN"

var devMarkdown = os.Getenv(DevMarkdownEnv)

// DevMarkdown is a page.md converted by framework dev.
type DevMarkdown struct {
	Front string `json:"front"`
	HTML  string `json:"html"`
}

// DevMarkdownFile returns where framework dev writes the page of file
// ("app/docs/page.md") in root.
func DevMarkdownFile(root, file string) string {
	sum := sha256.Sum256([]byte(file))
	return filepath.Join(root, "md_"+hex.EncodeToString(sum[:8])+".json")
}

// MarkdownPage returns the Render of an app/**/page.md, which codegen
// converted at build: front is its YAML front matter, set as the page's
// metadata (title, description, the rest in Extra), html its body.
// Codegen checked the front matter, so that decoding it cannot fail here.
func MarkdownPage(file, front, html string) func(context.Context, *framework.Request) (templ.Component, error) {
	meta, err := markdownMetadata(front)
	return func(ctx context.Context, _ *framework.Request) (templ.Component, error) {
		meta, html, err := meta, html, err
		if devMarkdown != "" {
			if m, h, ok := devPage(file); ok {
				meta, html, err = m, h, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		SetMetadata(ctx, meta)
		return templ.Raw(html), nil
	}
}

// devPage reads the page framework dev converted last, if it did.
func devPage(file string) (framework.Metadata, string, bool) {
	b, err := os.ReadFile(DevMarkdownFile(devMarkdown, file))
	if err != nil {
		return framework.Metadata{}, "", false
	}
	var d DevMarkdown
	if json.Unmarshal(b, &d) != nil {
		return framework.Metadata{}, "", false
	}
	meta, err := markdownMetadata(d.Front)
	return meta, d.HTML, err == nil
}

func markdownMetadata(front string) (framework.Metadata, error) {
	p, err := frontmatter.DecodePage([]byte(front))
	if err != nil {
		return framework.Metadata{}, err
	}
	extra := p.Extra
	if p.Draft {
		if extra == nil {
			extra = make(map[string]any)
		}
		extra["draft"] = true
	}
	return framework.Metadata{Title: p.Title, Description: p.Description, Extra: extra}, nil
}

// serveMarkdownStylesheet serves MarkdownStylesheet as a public file is,
// with an ETag for each representation, and gzip'd to a client that takes
// it: a Markdown page's <head> links it, so the page paints only once it
// has come (6,220 bytes as it is, 1,022 gzip'd).
func serveMarkdownStylesheet(c echo.Context) error {
	body, etag := markdownStylesheet.plain, markdownStylesheet.etag
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	h.Set("Vary", "Accept-Encoding")
	if gzipOK, _ := accept.Encodings(c.Request().Header["Accept-Encoding"]); gzipOK {
		body, etag = markdownStylesheet.gzip, markdownStylesheet.gzipETag
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", body)
}

// markdownStylesheet is MarkdownStylesheet's bodies and ETags, made once
// when the server starts.
var markdownStylesheet = newStylesheetBodies(MarkdownStylesheet)

type stylesheetBodies struct {
	plain, gzip    []byte
	etag, gzipETag string
}

func newStylesheetBodies(css string) stylesheetBodies {
	s := stylesheetBodies{plain: []byte(css)}
	sum := sha256.Sum256(s.plain)
	s.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	s.gzipETag = `"` + hex.EncodeToString(sum[:8]) + `-gzip"`
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level: no error
	zw.Write(s.plain)
	zw.Close()
	s.gzip = b.Bytes()
	return s
}

// Content hands package content the app's content/ folder, embedded by
// routes_gen.go (fsys holds it as "content"). A server given --content-dir
// reads that folder instead.
func Content(fsys fs.FS) { contentfs.SetEmbedded(fsys) }
