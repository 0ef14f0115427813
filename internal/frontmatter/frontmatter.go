// Package frontmatter splits the YAML front matter off a Markdown file and
// decodes it: into a page's metadata for app/**/page.md, and into the Go
// struct a content collection declares. Errors carry the line and column
// in the Markdown file, so that callers can print file:line:col.
//
// It is apart from package markdown so that a server binary decodes front
// matter without linking goldmark and chroma.
package frontmatter

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Error is a problem at a place in a Markdown file: Line and Col count from
// 1, Col is 1 when the YAML parser does not say.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// Split returns the front matter of src (the YAML between a first line
// "---" and the next line "---" or "..."), the Markdown body after it, and
// the line of src the body starts on. A byte order mark is skipped. A file without front matter is all
// body, from line 1. A front matter never closed is an error at line 1.
func Split(src []byte) (front, body []byte, bodyLine int, err error) {
	src = bytes.TrimPrefix(src, []byte("\uFEFF")) // a byte order mark some editors write
	first, rest, _ := cutLine(src)
	if !isFence(first) {
		return nil, src, 1, nil
	}
	start := len(src) - len(rest)
	line := 2
	for len(rest) > 0 {
		l, next, _ := cutLine(rest)
		if isFence(l) || string(bytes.TrimRight(l, " \t")) == "..." {
			end := len(src) - len(rest)
			return src[start:end], next, line + 1, nil
		}
		rest = next
		line++
	}
	return nil, nil, 0, &Error{Line: 1, Col: 1, Msg: "front matter opened with --- is never closed: end it with a line ---"}
}

// cutLine returns src's first line without its line ending, and the rest.
// ok is false when src has no line ending.
func cutLine(src []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(src, '\n')
	if i < 0 {
		return bytes.TrimSuffix(src, []byte("\r")), nil, false
	}
	return bytes.TrimSuffix(src[:i], []byte("\r")), src[i+1:], true
}

func isFence(line []byte) bool { return string(bytes.TrimRight(line, " \t")) == "---" }

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse parses front matter as Split returned it into its top-level
// mapping; nil when it is empty. Positions are in the Markdown file, whose
// line 2 is the front matter's first.
func Parse(front []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(front, &doc); err != nil {
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			return nil, &Error{Line: n + 1, Col: 1, Msg: "front matter: " + m[2]}
		}
		return nil, &Error{Line: 2, Col: 1, Msg: "front matter: " + err.Error()}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	shift(&doc)
	if root.Kind != yaml.MappingNode {
		return nil, at(root, "front matter is a list of name: value lines, got %s", kind(root))
	}
	seen := make(map[string]*yaml.Node)
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := root.Content[i]
		if first, ok := seen[key.Value]; ok {
			return nil, at(key, "front matter: %s is given twice (first at line %d)", key.Value, first.Line)
		}
		seen[key.Value] = key
	}
	return root, nil
}

// shift moves the positions of n and below by the opening --- line.
func shift(n *yaml.Node) {
	n.Line++
	for _, c := range n.Content {
		shift(c)
	}
}

// at returns an Error at n.
func at(n *yaml.Node, format string, args ...any) *Error {
	return &Error{Line: max(n.Line, 1), Col: max(n.Column, 1), Msg: fmt.Sprintf(format, args...)}
}

// kind describes n for messages.
func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!str" {
		return strconv.Quote(n.Value)
	}
	return n.Value
}
