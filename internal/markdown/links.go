package markdown

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Link is a link of a Markdown body ([text](dest), or a reference's), as
// written, at the line and column (1-based, in bytes) of its "[".
type Link struct {
	Dest      string
	Line, Col int
}

// Links returns the links of a Markdown body, parsed as Convert parses
// it (code spans and blocks hold none), in order; nothing is rendered, so
// a build can check the links of many files cheaply.
func Links(body []byte) []Link {
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(body))
	var links []Link
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			off := linkStart(l, body)
			line := bytes.Count(body[:off], []byte("\n")) + 1
			col := off - bytes.LastIndexByte(body[:off], '\n')
			links = append(links, Link{Dest: string(l.Destination), Line: line, Col: col})
		}
		return ast.WalkContinue, nil
	})
	return links
}

// linkStart returns the offset in src of the "[" of l: goldmark keeps no
// place for an inline, so it is found back from l's first text, or is the
// start of l's block's first line for a link without text.
func linkStart(l *ast.Link, src []byte) int {
	off := -1
	ast.Walk(l, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := n.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if off < 0 {
		for p := l.Parent(); p != nil; p = p.Parent() {
			if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
				return p.Lines().At(0).Start
			}
		}
		return 0
	}
	for i := off - 1; i >= 0 && src[i] != '\n'; i-- {
		if src[i] == '[' {
			return i
		}
	}
	return off
}
