package codegen

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"image"
	_ "image/gif" // image sizes of public/ files
	_ "image/jpeg"
	_ "image/png"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/isr-go/framework/framework/images"
	"github.com/isr-go/framework/internal/frontmatter"
	"github.com/isr-go/framework/internal/markdown"
)

// markdownFile is a Markdown page: app/**/page.md is a page as
// page.templ is, its front matter the page's Metadata.
//
// Markdown is converted here, at build, into the HTML routes_gen.go holds:
// the binary carries no Markdown parser, a prerender of a Markdown page
// costs what a templ page's does, and an error in a file fails the build
// at its place. framework dev serves an edit of a page.md without a
// rebuild by handing the running server the newly converted page
// (MarkdownPage and runtime.MarkdownPage's dev file).
const markdownFile = "page.md"

// markdownStylesheet is where runtime.Register serves the stylesheet of
// highlighted code (runtime.MarkdownStylesheetPath); a converted page with
// a code block links it.
const markdownStylesheet = "/_framework/markdown.css"

// An Option changes what Generate does.
type Option func(*options)

type options struct{ drafts bool }

// Drafts keeps the Markdown pages whose front matter says draft: true,
// which a production build leaves out: framework dev serves them.
func Drafts() Option { return func(o *options) { o.drafts = true } }

// MarkdownOutput is a page.md converted: what routes_gen.go holds of it.
type MarkdownOutput struct {
	Front string // the YAML front matter, decoded at start into Metadata
	HTML  string
	Page  frontmatter.Page
	// BrokenLinks are its relative links to .md files that do not exist:
	// warnings, not errors, so that a page can be written before the
	// pages it links.
	BrokenLinks []BrokenLink
}

// MarkdownPage converts the page.md at file (absolute, in the app in dir).
// A problem comes back as an ErrorList at file:line:col.
func MarkdownPage(dir, file string) (MarkdownOutput, error) {
	var out MarkdownOutput
	src, err := os.ReadFile(file)
	if err != nil {
		return out, err
	}
	rel := relative(dir, file)
	fail := func(err error) (MarkdownOutput, error) {
		var fe *frontmatter.Error
		var errs ErrorList
		if errors.As(err, &fe) {
			errs.add(token.Position{Filename: rel, Line: fe.Line, Column: fe.Col}, "%s", fe.Msg)
		} else {
			errs.addIn(rel, "%v", err)
		}
		return out, errs.err()
	}
	front, body, bodyLine, err := frontmatter.Split(src)
	if err != nil {
		return fail(err)
	}
	if out.Page, err = frontmatter.DecodePage(front); err != nil {
		return fail(err)
	}
	doc, err := markdown.Convert(body, markdown.Options{
		Link:     func(dest string) string { return markdownLink(path.Dir(rel), dest) },
		Image:    func(src string) (string, int, int) { return publicImage(dir, src) },
		ImageTag: func(src, alt string) (string, bool) { return publicImageTag(dir, src, alt) },
	})
	if err != nil {
		return fail(err)
	}
	out.Front, out.HTML = string(front), doc.HTML
	out.BrokenLinks = markdownBrokenLinks(dir, rel, body, bodyLine)
	if doc.Code {
		out.HTML = `<link rel="stylesheet" href="` + markdownStylesheet + `">` + "\n" + out.HTML
	}
	return out, nil
}

// markdownLink maps a relative link to another page.md, from the folder
// dir (slash-separated, from the app: "app/docs"), to that page's route:
// ../setup/page.md#install is /docs/setup#install. Other links are left
// as written.
func markdownLink(dir, dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" || strings.HasPrefix(u.Path, "/") || path.Base(u.Path) != markdownFile {
		return dest
	}
	target := path.Join(dir, u.Path)
	if target != "app" && !strings.HasPrefix(target, "app/") {
		return dest
	}
	route, err := RoutePattern(strings.TrimPrefix(path.Dir(target), "app"))
	if err != nil {
		return dest
	}
	if u.RawQuery != "" {
		route += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		route += "#" + u.EscapedFragment()
	}
	return route
}

// publicImageTag returns the <img> framework.Image renders for an image
// served from public/ (src "/cat.png" is public/cat.png), with its srcset of
// /_framework/image variants and the file's width, height and version, made
// at build by the same code; false for any other image, or one the image
// endpoint cannot serve (not an image, over its size limit).
func publicImageTag(dir, src, alt string) (string, bool) {
	if !strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") || strings.ContainsAny(src, "?#") {
		return "", false
	}
	var b strings.Builder
	// Unoptimized as framework.Image is under the same variable, which the
	// build sees too: for a static export.
	unoptimized := os.Getenv("FRAMEWORK_UNOPTIMIZED_IMAGES") == "1"
	v, _ := imageServers.LoadOrStore(imageServerKey{dir, unoptimized}, sync.OnceValue(func() *images.Server {
		return images.New(images.Options{Public: os.DirFS(filepath.Join(dir, "public")), Unoptimized: unoptimized})
	}))
	srv := v.(func() *images.Server)()
	if err := srv.Render(context.Background(), &b, images.Props{Src: src, Alt: alt, Decorative: alt == ""}); err != nil {
		return "", false
	}
	return b.String(), true
}

// imageServers holds an image server per app folder (imageServerKey),
// which reads and hashes each file of public/ once however many pages
// show it.
var imageServers sync.Map

// imageServerKey is an app folder and whether its images are unoptimized.
type imageServerKey struct {
	dir         string
	unoptimized bool
}

// publicImage returns the size of an image served from public/ (src
// "/cat.png" is public/cat.png), for width and height; 0, 0 for any
// other.
func publicImage(dir, src string) (string, int, int) {
	if !strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") {
		return src, 0, 0
	}
	p, _, _ := strings.Cut(src, "?")
	f, err := os.Open(filepath.Join(dir, "public", filepath.FromSlash(path.Clean(p))))
	if err != nil {
		return src, 0, 0
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return src, 0, 0
	}
	return src, cfg.Width, cfg.Height
}

// markdownInput is what the router takes of Markdown: the converted
// pages by folder, and whether content/ is to be embedded.
type markdownInput struct {
	pages   map[string]*mdPage
	content bool
}

// mdPage is a converted page.md in the router.
type mdPage struct {
	out MarkdownOutput
}

// markdownPages converts the page.md of folders, leaving drafts out
// unless o.drafts. It reports a page.md beside a page.templ or a route.go,
// and in a folder with params, which has no StaticParams to list them.
func markdownPages(dir string, folders []*folder, o options) (map[string]*mdPage, ErrorList) {
	var errs ErrorList
	pages := make(map[string]*mdPage)
	for _, f := range folders {
		if !f.markdown {
			continue
		}
		file := f.file(markdownFile)
		switch {
		case f.page:
			errs.addIn(file, "a folder has one page: %s is beside it", f.file(pageFile))
			continue
		case f.route:
			errs.addIn(file, "a folder has a page or a route handler, not both: %s is beside it", f.file(routeFile))
			continue
		case len(f.params()) > 0:
			errs.addIn(file, "a page.md has no params to fill %s: put it in a folder without params, or render a content collection from a page.templ", f.pattern())
			continue
		}
		out, err := MarkdownPage(dir, filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			var list ErrorList
			if errors.As(err, &list) {
				errs = append(errs, list...)
			} else {
				errs.addIn(file, "%v", err)
			}
			continue
		}
		if out.Page.Draft && !o.drafts {
			f.markdown = false // left out of the build
			continue
		}
		pages[f.rel] = &mdPage{out: out}
	}
	return pages, errs
}

// goFolders returns the folders with Go code to load: all but those with
// a page.md alone.
func goFolders(folders []*folder) []*folder {
	var list []*folder
	for _, f := range folders {
		if f.page || f.layout || f.notFound || f.errorPage || f.route || f.middleware || f.sitemap || f.robots {
			list = append(list, f)
		}
	}
	return list
}

// writeMarkdownPage writes a page.md's framework.Route literal: ISR as a
// static page, framework.Never unless its front matter says revalidate.
func writeMarkdownPage(w *writer, p pageRoute) {
	w.open("{")
	w.line("Pattern: %q,", p.pattern)
	page := p.md.out.Page
	switch {
	case !page.HasRevalidate:
		w.line("Revalidate: framework.Never,")
	case page.Revalidate%time.Second == 0:
		w.line("Revalidate: %d * time.Second,", page.Revalidate/time.Second)
	default:
		w.line("Revalidate: %d,", int64(page.Revalidate))
	}
	w.line("Render: runtime.MarkdownPage(%q, %s, %s),", p.file, goString(p.md.out.Front), goString(p.md.out.HTML))
	writeChrome(w, p.chrome)
	w.close("},")
}

// goString quotes s as a Go string literal: a raw string when it can be,
// so that the HTML reads as HTML in routes_gen.go.
func goString(s string) string {
	if !strings.Contains(s, "`") && !strings.Contains(s, "\r") && !strings.Contains(s, "\x00") {
		return "`" + s + "`"
	}
	return fmt.Sprintf("%q", s)
}

// route returns the page route of the page.md in f.
func (md *mdPage) route(f *folder, b *routerBuilder) pageRoute {
	x := &exports{}
	if p := md.out.Page; p.HasRevalidate && p.Revalidate%time.Second == 0 {
		x.revalidate = WindowSeconds // imports time
	}
	return pageRoute{
		pattern:    f.pattern(),
		file:       f.file(markdownFile),
		x:          x,
		chrome:     b.chrome(f),
		middleware: b.middleware(f),
		md:         md,
	}
}

// hasContent reports whether the app in dir has a content/ folder with a
// file in it, which routes_gen.go embeds for package content.
func hasContent(dir string) bool {
	found := false
	filepath.WalkDir(filepath.Join(dir, "content"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// writeContent embeds content/ and hands it to package content.
func (r *router) writeContent(w *writer) {
	if !r.content {
		return
	}
	w.line("// contentFiles holds content/, the app's content collections.")
	w.line("//")
	w.line("//go:embed all:content")
	w.line("var contentFiles embed.FS")
	w.line("")
	w.line("func init() { runtime.Content(contentFiles) }")
	w.line("")
}
