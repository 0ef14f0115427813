package codegen

import (
	"cmp"
	"errors"
	"go/token"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/isr-go/framework/internal/frontmatter"
	"github.com/isr-go/framework/internal/markdown"
)

// A BrokenLink is a relative link of a Markdown file (an app/**/page.md, a
// file of content/) to a .md file that does not exist: the build maps
// such a link to the page of that file, so that it would otherwise become
// a link to a page that is not there, far from the line that made it.
type BrokenLink struct {
	Pos    token.Position // the link's "[", its Filename relative to the app
	Dest   string         // the link as written
	Target string         // the file it names, relative to the app
}

// markdownBrokenLinks returns the broken links of the Markdown body of
// the file rel (slash-separated, relative to the app in dir), whose body
// starts at line bodyLine.
func markdownBrokenLinks(dir, rel string, body []byte, bodyLine int) []BrokenLink {
	var broken []BrokenLink
	for _, l := range markdown.Links(body) {
		u, err := url.Parse(l.Dest)
		if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" || strings.HasPrefix(u.Path, "/") || path.Ext(u.Path) != ".md" {
			continue
		}
		target := path.Join(path.Dir(rel), u.Path)
		if exists(dir, target) || path.Base(target) == markdownFile && exists(dir, path.Join(path.Dir(target), pageFile)) {
			continue // a link to page.md is one to its folder's page, templ or Markdown
		}
		broken = append(broken, BrokenLink{
			Pos:    token.Position{Filename: rel, Line: bodyLine - 1 + l.Line, Column: l.Col},
			Dest:   l.Dest,
			Target: target,
		})
	}
	return broken
}

// exists reports whether the file rel (slash-separated) of the app in dir
// exists.
func exists(dir, rel string) bool {
	_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
	return err == nil
}

// contentBrokenLinks returns the broken links of the .md files of the app
// in dir's content/, which package content converts when it reads them.
func contentBrokenLinks(dir string) ([]BrokenLink, error) {
	var broken []BrokenLink
	err := filepath.WalkDir(filepath.Join(dir, "content"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() || filepath.Ext(p) != ".md" {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, body, bodyLine, err := frontmatter.Split(src)
		if err != nil {
			return nil // reported where the file is read
		}
		broken = append(broken, markdownBrokenLinks(dir, relative(dir, p), body, bodyLine)...)
		return nil
	})
	return broken, err
}

// sortBrokenLinks sorts links by file, line and column.
func sortBrokenLinks(links []BrokenLink) {
	slices.SortFunc(links, func(a, b BrokenLink) int {
		return cmp.Or(strings.Compare(a.Pos.Filename, b.Pos.Filename), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
}
