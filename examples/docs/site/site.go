// Package site is the docs collection (the repository's docs/*.md, copied
// into content/docs/) and the order the site lists it in.
package site

import (
	"context"
	"html"
	"regexp"
	"slices"
	"strings"

	"github.com/isr-go/framework/framework/content"
)

// Meta is a doc's front matter. The docs have none, so that they read
// well on GitHub: the title is optional and Title falls back to the
// file's first "# " heading.
type Meta struct {
	Title string `yaml:"title,omitempty"`
}

// Docs is content/docs/*.md.
var Docs = content.Define[Meta]("docs")

// Order is how a reader looks things up: getting started first, then
// building an app, then shipping and running it, benchmarks and the
// reference last. A doc not named here is listed after the named ones,
// before benchmarks and reference (TestNavOrder keeps this list whole).
var Order = []string{
	"getting-started",
	"routing",
	"caching",
	"partial-prerendering",
	"draft-mode",
	"assets",
	"images",
	"content",
	"sitemaps",
	"export",
	"deploying",
	"operating",
	"tracing",
	"several-instances",
	"benchmarks",
	"reference",
}

// last are the docs that stay at the end, after any doc Order lacks.
var last = []string{"benchmarks", "reference"}

// Doc is one doc of the site.
type Doc = content.Entry[Meta]

// Title is the doc's title: its front matter's, else its first "# "
// heading's text, else its slug.
func Title(d Doc) string {
	if d.Data.Title != "" {
		return d.Data.Title
	}
	for _, h := range d.Headings {
		if h.Level == 1 {
			return h.Text
		}
	}
	return d.Slug
}

// URL is the doc's page.
func URL(d Doc) string { return "/docs/" + d.Slug }

// Ordered returns every doc in the order of Order.
func Ordered(ctx context.Context) ([]Doc, error) {
	docs, err := Docs.All(ctx)
	if err != nil {
		return nil, err
	}
	rank := func(slug string) int {
		if i := slices.Index(Order, slug); i >= 0 && !slices.Contains(last, slug) {
			return i
		}
		if i := slices.Index(last, slug); i >= 0 {
			return len(Order) + 1 + i
		}
		return len(Order) // unlisted: after the listed ones, before last
	}
	slices.SortStableFunc(docs, func(a, b Doc) int {
		if ra, rb := rank(a.Slug), rank(b.Slug); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	return docs, nil
}

// Body is the doc's HTML with links that leave docs/ (../examples/markdown)
// pointed at the repository on GitHub, where they lead on GitHub too;
// links between docs are already the site's (caching.md is "caching",
// relative to /docs/).
func Body(d Doc) string {
	return strings.ReplaceAll(d.HTML, `href="../`, `href="`+Repo+`/tree/main/`)
}

// tag matches an HTML tag, for Description to drop.
var tag = regexp.MustCompile(`<[^>]*>`)

// Description is the doc's first paragraph as text, cut to about 160
// characters at a word: the page's meta description, which search
// engines show under its title.
func Description(d Doc) string {
	_, rest, ok := strings.Cut(d.HTML, "<p>")
	if !ok {
		return ""
	}
	para, _, _ := strings.Cut(rest, "</p>")
	text := strings.Join(strings.Fields(html.UnescapeString(tag.ReplaceAllString(para, ""))), " ")
	if len(text) <= 160 {
		return text
	}
	if i := strings.LastIndex(text[:160], " "); i > 0 {
		text = text[:i]
	}
	return strings.TrimRight(text, ",;:") + "…"
}

// Repo is the repository's address, for links to files outside docs/.
const Repo = "https://github.com/isr-go/framework"

// Entry is one doc in the search index: its title and URL, and its
// sections.
type Entry struct {
	Title    string    `json:"title"`
	URL      string    `json:"url"`
	Sections []Section `json:"sections"`
}

// Section is a heading below a doc's title, with the URL of its anchor.
type Section struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Index is the search index of docs: what assets/search.ts searches.
func Index(docs []Doc) []Entry {
	index := make([]Entry, 0, len(docs))
	for _, d := range docs {
		e := Entry{Title: Title(d), URL: URL(d), Sections: []Section{}}
		for _, h := range d.Headings {
			if h.Level > 1 {
				e.Sections = append(e.Sections, Section{Text: h.Text, URL: URL(d) + "#" + h.ID})
			}
		}
		index = append(index, e)
	}
	return index
}
