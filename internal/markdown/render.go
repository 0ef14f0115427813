package markdown

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// formatter writes chroma's tokens with classes (the "chroma" block and
// its token classes), whose colours Stylesheet gives for light and dark.
var formatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.ClassPrefix(""))

// codeRenderer renders fenced code blocks through chroma.
type codeRenderer struct{ doc *Document }

func (r *codeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, r.render)
}

func (r *codeRenderer) render(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.FencedCodeBlock)
	var code bytes.Buffer
	for i := range n.Lines().Len() {
		line := n.Lines().At(i)
		code.Write(line.Value(src))
	}
	lang := string(n.Language(src))
	lexer := lexers.Get(lang)
	if lexer == nil {
		// Unknown or no language: plain text, still in the block's
		// classes so that it looks like the others.
		lexer = lexers.Fallback
	}
	lexer = chroma.Coalesce(lexer)
	it, err := lexer.Tokenise(nil, code.String())
	if err != nil {
		return ast.WalkStop, err
	}
	r.doc.Code = true
	if err := formatter.Format(w, chromaStyle(false), it); err != nil {
		return ast.WalkStop, err
	}
	return ast.WalkSkipChildren, nil
}

// imageRenderer renders images as Options.ImageTag makes them, or as plain
// <img> with the width and height Options.Image knows.
type imageRenderer struct{ opts Options }

func (r *imageRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindImage, r.render)
}

func (r *imageRenderer) render(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	if r.opts.ImageTag != nil {
		if tag, ok := r.opts.ImageTag(string(n.Destination), plainText(n, src)); ok {
			if len(n.Title) > 0 {
				tag = strings.TrimSuffix(tag, ">") + ` title="` + string(util.EscapeHTML(n.Title)) + `">`
			}
			w.WriteString(tag)
			return ast.WalkSkipChildren, nil
		}
	}
	url, width, height := string(n.Destination), 0, 0
	if r.opts.Image != nil {
		url, width, height = r.opts.Image(url)
	}
	w.WriteString(`<img src="`)
	w.Write(util.EscapeHTML(util.URLEscape([]byte(url), true)))
	w.WriteString(`" alt="`)
	w.Write(util.EscapeHTML([]byte(plainText(n, src))))
	w.WriteByte('"')
	if len(n.Title) > 0 {
		w.WriteString(` title="`)
		w.Write(util.EscapeHTML(n.Title))
		w.WriteByte('"')
	}
	if width > 0 && height > 0 {
		w.WriteString(` width="` + strconv.Itoa(width) + `" height="` + strconv.Itoa(height) + `"`)
	}
	w.WriteString(` loading="lazy">`)
	return ast.WalkSkipChildren, nil
}
