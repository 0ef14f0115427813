// Package content reads content collections: the Markdown files of
// content/<collection>/ decoded into typed entries, as Astro's content
// collections are. A collection is declared once, with the Go struct its
// front matter decodes into:
//
//	type PostMeta struct {
//		Title string    `yaml:"title"`
//		Date  time.Time `yaml:"date"`
//		Tags  []string  `yaml:"tags,omitempty"`
//	}
//
//	var Posts = content.Define[PostMeta]("posts") // content/posts/*.md
//
// and read from a page's StaticParams and Load:
//
//	func StaticParams(ctx context.Context) ([]framework.Params, error) {
//		return Posts.Params(ctx, "slug")
//	}
//
//	func Load(ctx context.Context, r *framework.Request) (content.Entry[PostMeta], error) {
//		return Posts.Get(ctx, r.Params["slug"])
//	}
//
// A field is required unless it is a pointer or its yaml tag says
// omitempty; a missing field, a value of the wrong type or a field the
// struct lacks is an error at file:line:col naming the field, which fails
// the prerender of framework build.
//
// content/ is embedded in the server binary (routes_gen.go embeds it when
// the app has one), so that the one binary ships it. A server started with
// --content-dir DIR reads the collections from DIR instead: DIR/posts/*.md.
// Either way a read is cached like framework.Cache's, tagged "content" and
// "content:<collection>", so that `framework revalidate --tag content`
// (or content:posts) makes the server read the files again and regenerate
// the pages that read them.
package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/contentfs"
	"github.com/isr-go/framework/internal/frontmatter"
	"github.com/isr-go/framework/internal/markdown"
)

// Entry is one Markdown file of a collection.
type Entry[T any] struct {
	// Slug is the file's path in the collection without .md:
	// content/posts/hello-world.md is "hello-world".
	Slug string
	// Data is the front matter.
	Data T
	// HTML is the body, converted as a page.md's is (GitHub-flavoured,
	// highlighted code linking its stylesheet, headings with ids and
	// anchors, links to sibling .md files made relative URLs of their
	// slugs). Render it with templ.Raw.
	HTML string
	// Headings are the body's headings, in order, for a table of
	// contents.
	Headings []Heading
}

// Heading is one heading of an entry.
type Heading struct {
	Level int    // 1 for #, 2 for ##, ...
	ID    string // the heading's id: link to "#"+ID
	Text  string // its text, without markup
}

// Collection is a declared collection: content/<name>/**/*.md.
type Collection[T any] struct {
	name string
	read func(ctx context.Context) ([]Entry[T], error)
	// one reads a single entry, so that a post's page decodes its own
	// file rather than the whole collection.
	one func(ctx context.Context, slug string) (Entry[T], error)
}

var (
	definedMu sync.Mutex
	defined   = make(map[string]bool)
)

// Define declares the collection content/<name>, whose front matter
// decodes into T, a struct. It is meant for package-level variables, and
// panics on a name defined twice.
func Define[T any](name string) *Collection[T] {
	definedMu.Lock()
	defer definedMu.Unlock()
	if defined[name] {
		panic(fmt.Sprintf("content: collection %q defined twice", name))
	}
	defined[name] = true
	c := &Collection[T]{name: name}
	opts := framework.CacheOptions{
		KeyParts:   []string{name},
		Revalidate: framework.Never,
		Tags:       []string{"content", "content:" + name},
	}
	c.read = framework.Cache(func(ctx context.Context) ([]Entry[T], error) { return c.load() }, opts)
	c.one = framework.Cache(func(ctx context.Context, slug string) (Entry[T], error) { return c.loadOne(slug) }, opts)
	return c
}

// All returns the collection's entries, sorted by slug. A file that does
// not decode fails the read with its position.
func (c *Collection[T]) All(ctx context.Context) ([]Entry[T], error) {
	return c.read(ctx)
}

// Get returns the entry of slug, reading its file alone; an error wrapping
// framework.ErrNotFound when there is none, so that a page's Load answers
// 404.
func (c *Collection[T]) Get(ctx context.Context, slug string) (Entry[T], error) {
	return c.one(ctx, slug)
}

// Params returns one framework.Params per entry, the slug as param, for a
// page's StaticParams.
func (c *Collection[T]) Params(ctx context.Context, param string) ([]framework.Params, error) {
	all, err := c.read(ctx)
	if err != nil {
		return nil, err
	}
	params := make([]framework.Params, len(all))
	for i, e := range all {
		params[i] = framework.Params{param: e.Slug}
	}
	return params, nil
}

// load reads and decodes every file of the collection.
func (c *Collection[T]) load() ([]Entry[T], error) {
	fsys, label := contentfs.Get()
	if fsys == nil {
		return nil, fmt.Errorf("content: no content/ folder to read collection %s from (is routes_gen.go generated, or --content-dir given?)", c.name)
	}
	var entries []Entry[T]
	err := fs.WalkDir(fsys, c.name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == c.name {
				return fmt.Errorf("content: no collection %s: %s/%s does not exist", c.name, label, c.name)
			}
			return err
		}
		if d.IsDir() || path.Ext(p) != ".md" {
			return nil
		}
		e, err := c.readEntry(fsys, label, p)
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b Entry[T]) int { return strings.Compare(a.Slug, b.Slug) })
	return entries, nil
}

// loadOne reads and decodes the entry of slug.
func (c *Collection[T]) loadOne(slug string) (Entry[T], error) {
	fsys, label := contentfs.Get()
	if fsys == nil {
		return Entry[T]{}, fmt.Errorf("content: no content/ folder to read collection %s from (is routes_gen.go generated, or --content-dir given?)", c.name)
	}
	p := c.name + "/" + slug + ".md"
	// A slug comes from a URL: one that leaves the collection ("../x",
	// "a//b") is no entry of it.
	if slug == "" || !fs.ValidPath(p) || path.Clean(p) != p || !strings.HasPrefix(p, c.name+"/") {
		return Entry[T]{}, fmt.Errorf("content: %s has no entry %q: %w", c.name, slug, framework.ErrNotFound)
	}
	e, err := c.readEntry(fsys, label, p)
	if errors.Is(err, fs.ErrNotExist) {
		return Entry[T]{}, fmt.Errorf("content: %s has no entry %q: %w", c.name, slug, framework.ErrNotFound)
	}
	return e, err
}

// readEntry reads and decodes the file p of fsys, named label/p in
// errors.
func (c *Collection[T]) readEntry(fsys fs.FS, label, p string) (Entry[T], error) {
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return Entry[T]{}, err
	}
	e, err := decode[T](src)
	if err != nil {
		var fe *frontmatter.Error
		if errors.As(err, &fe) {
			return e, fmt.Errorf("%s/%s:%d:%d: %s", label, p, fe.Line, fe.Col, fe.Msg)
		}
		return e, fmt.Errorf("%s/%s: %w", label, p, err)
	}
	e.Slug = strings.TrimSuffix(strings.TrimPrefix(p, c.name+"/"), ".md")
	return e, nil
}

// decode decodes one file of a collection.
func decode[T any](src []byte) (Entry[T], error) {
	var e Entry[T]
	front, body, _, err := frontmatter.Split(src)
	if err != nil {
		return e, err
	}
	if err := frontmatter.Decode(front, &e.Data); err != nil {
		return e, err
	}
	doc, err := markdown.Convert(body, markdown.Options{Link: siblingLink})
	if err != nil {
		return e, err
	}
	e.HTML = doc.HTML
	if doc.Code {
		e.HTML = `<link rel="stylesheet" href="` + Stylesheet + `">` + "\n" + e.HTML
	}
	for _, h := range doc.Headings {
		e.Headings = append(e.Headings, Heading(h))
	}
	return e, nil
}

// Stylesheet is the path of the stylesheet of highlighted code, which
// every server serves; an entry with a code block links it.
const Stylesheet = "/_framework/markdown.css"

// siblingLink makes a link to another entry of the collection, other.md,
// the relative URL of its page, other.
func siblingLink(dest string) string {
	p, frag, _ := strings.Cut(dest, "#")
	if strings.Contains(p, ":") || strings.HasPrefix(p, "/") || strings.Contains(p, "/") || path.Ext(p) != ".md" {
		return dest
	}
	if frag != "" {
		return strings.TrimSuffix(p, ".md") + "#" + frag
	}
	return strings.TrimSuffix(p, ".md")
}
