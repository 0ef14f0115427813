// Package markdown converts GitHub-flavoured Markdown to HTML for the
// framework's Markdown pages and content collections: goldmark with its
// GFM extension, code blocks highlighted by chroma with CSS classes (the
// stylesheet is Stylesheet's), headings with stable ids and an anchor link,
// links and images passed through the caller's hooks.
//
// codegen converts app/**/page.md with it at build; framework/content
// converts collections with it when they are read from disk. A server that
// reads neither never links it.
package markdown

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Heading is one heading of a document, for a table of contents.
type Heading struct {
	Level int    // 1 for #, 2 for ##, ...
	ID    string // the id of the <h*> element: link to "#"+ID
	Text  string // the heading's text, without markup
}

// Document is a converted Markdown body.
type Document struct {
	HTML     string
	Headings []Heading
	// Code reports whether the document has a highlighted code block,
	// which needs the stylesheet.
	Code bool
}

// Options are the caller's hooks; nil ones leave things as written.
type Options struct {
	// Link returns the href of a link written as dest. Pages map a
	// relative link to another .md file to its route.
	Link func(dest string) string
	// Image returns the src of an image written as src, and its size
	// when known (0 when not), for width and height attributes that keep
	// the layout still while it loads.
	Image func(src string) (url string, width, height int)
	// ImageTag, when it returns ok, is the whole <img> of an image written
	// as src with the text alt: framework.Image's, with its srcset. Image
	// serves the images it does not take.
	ImageTag func(src, alt string) (tag string, ok bool)
}

// Convert converts a Markdown body to HTML.
func Convert(body []byte, opts Options) (Document, error) {
	var doc Document
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(&transformer{opts: opts, doc: &doc}, 100)),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(
				util.Prioritized(&codeRenderer{doc: &doc}, 100),
				util.Prioritized(&imageRenderer{opts: opts}, 100),
			),
			// Raw HTML (<details>, <kbd>) passes through, as on GitHub
			// and in Astro: the files are the app's own source, as
			// trusted as its templ files.
			html.WithUnsafe(),
		),
	)
	var b bytes.Buffer
	if err := md.Convert(body, &b); err != nil {
		return doc, err
	}
	doc.HTML = b.String()
	return doc, nil
}

// transformer collects the headings and gives each an anchor link, and
// rewrites link destinations.
type transformer struct {
	opts Options
	doc  *Document
}

func (t *transformer) Transform(node *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	ast.Walk(node, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id, _ := n.AttributeString("id")
			idStr := string(asBytes(id))
			t.doc.Headings = append(t.doc.Headings, Heading{Level: n.Level, ID: idStr, Text: plainText(n, src)})
			anchor := ast.NewLink()
			anchor.Destination = []byte("#" + idStr)
			anchor.SetAttributeString("class", []byte("anchor"))
			anchor.AppendChild(anchor, ast.NewString([]byte("#")))
			n.AppendChild(n, ast.NewString([]byte(" ")))
			n.AppendChild(n, anchor)
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			if t.opts.Link != nil {
				n.Destination = []byte(t.opts.Link(string(n.Destination)))
			}
		}
		return ast.WalkContinue, nil
	})
}

func asBytes(v any) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// plainText returns the text of n's inline content.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
