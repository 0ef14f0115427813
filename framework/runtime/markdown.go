package runtime

import (
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

// serveMarkdownStylesheet serves MarkdownStylesheet with an ETag, as a
// public file is.
func serveMarkdownStylesheet(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	h.Set("ETag", markdownStylesheetETag)
	if c.Request().Header.Get("If-None-Match") == markdownStylesheetETag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(MarkdownStylesheet))
}

var markdownStylesheetETag = func() string {
	sum := sha256.Sum256([]byte(MarkdownStylesheet))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// Content hands package content the app's content/ folder, embedded by
// routes_gen.go (fsys holds it as "content"). A server given --content-dir
// reads that folder instead.
func Content(fsys fs.FS) { contentfs.SetEmbedded(fsys) }
