// Package pagescan reads what the framework needs of a rendered HTML page,
// in one pass of golang.org/x/net/html's tokenizer: the CSP hash sources of
// its inline scripts and styles (package framework, for every page it
// caches under a policy), and its same-origin links (package server, for a
// build's link check). A prerender asks for both: a second pass over every
// page was a tenth of a build.
package pagescan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// Links asks Scan for the links of a page, and holds them after it.
type Links struct {
	Path string   // the page's URL path, which relative links resolve against
	Site *url.URL // the site's URL, whose absolute links count; may be nil
	// Set by Scan: the same-origin URLs the page links to or loads, and
	// the fragments of its links to itself that name no element of it.
	Links, Missing []string
}

// Scan tokenizes page once. With sources it returns the CSP hash sources of
// its inline scripts and styles: "'sha256-…' …" for the <script> elements
// without src that run (not data blocks), a newline, and the same for the <style> elements (else "").
// With links non-nil it sets links.Links to the same-origin URLs the page
// links to or loads (href, src, srcset), sorted and each once:
// root-relative and relative references, and absolute ones on Site's host,
// as escaped paths without fragment, and without query but under
// /_framework/; other schemes (mailto:, data:, ...) and hosts are left out.
// links.Missing gets the fragments of the page's links to itself ("#usage")
// that name no element of it.
func Scan(page []byte, sources bool, links *Links) string {
	if links == nil && sources && !hasInline(page) {
		return "\n"
	}
	var scripts, styles []string
	var c *collector
	if links != nil {
		c = newCollector(links)
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && (tt != html.SelfClosingTagToken || c == nil) {
			continue
		}
		name, hasAttr := z.TagName()
		isScript, isStyle := string(name) == "script", string(name) == "style"
		if c == nil && (!sources || !isScript && !isStyle) {
			continue
		}
		external := false
		var script scriptType
		for hasAttr {
			var key, val []byte
			key, val, hasAttr = z.TagAttr()
			if isScript {
				external = external || string(key) == "src"
				script.attr(key, val)
			}
			if c != nil {
				c.attr(name, key, val)
			}
		}
		if !sources || tt != html.StartTagToken || !isScript && !isStyle {
			continue
		}
		// In a script or a style the tokenizer reads raw text: the next
		// token is its text or its end tag, neither of which has links.
		var text []byte
		if z.Next() == html.TextToken {
			text = z.Raw()
		}
		if external || isScript && script.dataBlock() {
			continue
		}
		h := hashSource(text)
		if isScript && !slices.Contains(scripts, h) {
			scripts = append(scripts, h)
		} else if isStyle && !slices.Contains(styles, h) {
			styles = append(styles, h)
		}
	}
	if c != nil {
		c.finish()
	}
	if !sources {
		return ""
	}
	return strings.Join(scripts, " ") + "\n" + strings.Join(styles, " ")
}

// A scriptType holds what decides whether a script element runs: its type
// and language attributes (the first of each, as the parser keeps).
type scriptType struct {
	typ, lang        string
	hasType, hasLang bool
}

func (s *scriptType) attr(key, val []byte) {
	switch {
	case string(key) == "type" && !s.hasType:
		s.typ, s.hasType = string(val), true
	case string(key) == "language" && !s.hasLang:
		s.lang, s.hasLang = string(val), true
	}
}

// dataBlock reports whether the script is a data block (JSON-LD, a
// template's text): one whose type HTML's "prepare the script element"
// recognizes as no script, classic, module, import map or speculation
// rules, and never runs. CSP does not check a data block, so its hash would
// allow nothing, and would make a page's policy its own rather than the
// one its route's pages share (a blog post's JSON-LD differs per post).
func (s scriptType) dataBlock() bool {
	var t string
	switch {
	case s.hasType && s.typ != "":
		t = strings.Trim(s.typ, "\t\n\f\r ")
	case !s.hasType && s.hasLang && s.lang != "":
		t = "text/" + s.lang
	default:
		return false // text/javascript
	}
	t = strings.ToLower(t)
	return !slices.Contains(javaScriptTypes, t) && t != "module" && t != "importmap" && t != "speculationrules"
}

// javaScriptTypes are HTML's JavaScript MIME type essence strings.
var javaScriptTypes = []string{
	"application/ecmascript", "application/javascript", "application/x-ecmascript",
	"application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
	"text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
	"text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript",
}

// hasInline reports whether page may have a script or a style element: a
// tag starts with "<script" or "<style", in any case. A page without one
// has no source to hash, and is not tokenized.
func hasInline(page []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(page[i:], '<')
		if j < 0 {
			return false
		}
		i += j + 1
		rest := page[i:]
		if len(rest) >= 6 && bytes.EqualFold(rest[:6], []byte("script")) || len(rest) >= 5 && bytes.EqualFold(rest[:5], []byte("style")) {
			return true
		}
	}
}

// Sources returns the CSP hash sources of page's inline scripts and styles,
// as Scan does.
func Sources(page []byte) string { return Scan(page, true, nil) }

// hashSource returns the CSP source allowing the inline text: its SHA-256,
// after the newline normalization a browser's parser applies.
func hashSource(text []byte) string {
	if bytes.IndexByte(text, '\r') >= 0 {
		text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
		text = bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
	}
	sum := sha256.Sum256(text)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// ctxKey is the context key of a *Links.
type ctxKey struct{}

// WithLinks returns ctx asking the render of a page to Scan its links into
// links, for a prerender that lists them.
func WithLinks(ctx context.Context, links *Links) context.Context {
	return context.WithValue(ctx, ctxKey{}, links)
}

// LinksOf returns the *Links of ctx, or nil.
func LinksOf(ctx context.Context) *Links {
	l, _ := ctx.Value(ctxKey{}).(*Links)
	return l
}
