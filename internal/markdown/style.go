package markdown

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/styles"
)

// Light and dark are the chroma styles of Stylesheet.
const (
	Light = "github"
	Dark  = "github-dark"
)

func chromaStyle(dark bool) *chroma.Style {
	if dark {
		return styles.Get(Dark)
	}
	return styles.Get(Light)
}

// tokenComment is the comment chroma starts each rule with: "/* Keyword */ ".
var tokenComment = regexp.MustCompile(`^/\* \w+ \*/ `)

// Stylesheet returns the CSS of highlighted code: the light style, and the
// dark one under prefers-color-scheme: dark.
func Stylesheet() (string, error) {
	var light, dark bytes.Buffer
	if err := formatter.WriteCSS(&light, chromaStyle(false)); err != nil {
		return "", err
	}
	if err := formatter.WriteCSS(&dark, chromaStyle(true)); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("/* Code highlighting of Markdown pages: chroma's " + Light + " and " + Dark + " styles. */\n")
	// chroma's unscoped .bg class would style the app's own elements.
	// The name of each rule's token, in a comment, is dropped: it was
	// half of the bytes a page waits for.
	for line := range strings.Lines(light.String()) {
		if !strings.HasPrefix(line, "/* Background */") {
			b.WriteString(tokenComment.ReplaceAllString(line, ""))
		}
	}
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	for line := range strings.Lines(dark.String()) {
		if !strings.HasPrefix(line, "/* Background */") {
			b.WriteString(" " + tokenComment.ReplaceAllString(line, ""))
		}
	}
	b.WriteString("}\n")
	return b.String(), nil
}
