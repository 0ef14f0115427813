package codegen

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ/cmd/templ/generatecmd"
)

// OutputFile is the name of the generated file, at the app's root.
const OutputFile = "routes_gen.go"

// Result describes what Generate found and wrote.
type Result struct {
	Output   string // path of the generated file
	Changed  bool   // whether the file was (re)written
	Pages    []Page // page routes, in registration order
	Handlers []Handler
}

// Page is one page route.
type Page struct {
	Pattern      string // Echo path pattern: "/blog/:id"
	File         string // "app/blog/id_/page.templ"
	Dynamic      bool   // declares Revalidate (its kind is known at run time)
	StaticParams bool
}

// Handler is one route.go's handlers.
type Handler struct {
	Pattern string
	File    string
	Methods []string
}

// Errors is every problem Generate found, one per line as file:line:
// message.
type Errors []error

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Generate runs templ on dir/app, scans and type-checks it, and writes
// dir/routes_gen.go (only when its content changes). dir is an app: a
// folder inside a Go module with an app/ folder. All problems come back
// together as Errors.
func Generate(ctx context.Context, dir string) (*Result, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(filepath.Join(dir, "app")); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("%s has no app/ folder", dir)
	}
	if err := templGenerate(ctx, filepath.Join(dir, "app")); err != nil {
		return nil, err
	}
	folders, errs := scan(dir)
	errs = append(errs, conflicts(folders)...)
	c := &checker{dir: dir}
	exported := c.load(ctx, folders)
	errs = append(errs, c.errs...)
	if !hasRoute(folders) {
		errs = append(errs, fmt.Errorf("app: no page.templ or route.go: nothing to route"))
	}
	pkgName, err := rootPackage(dir)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return nil, Errors(errs)
	}
	public, err := publicFiles(dir)
	if err != nil {
		return nil, err
	}
	g := newGenerator(folders, exported, public)
	src, err := g.file(pkgName)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, OutputFile)
	res := &Result{Output: out, Pages: g.pages, Handlers: g.handlers}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, src) {
		return res, nil
	}
	res.Changed = true
	return res, os.WriteFile(out, src, 0o644)
}

func hasRoute(folders []*folder) bool {
	for _, f := range folders {
		if f.page || f.route {
			return true
		}
	}
	return false
}

// templGenerate runs templ's generator on dir, in process.
func templGenerate(ctx context.Context, dir string) error {
	var stderr bytes.Buffer
	err := generatecmd.Run(ctx, io.Discard, &stderr, []string{"-path", dir, "-log-level", "error"})
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("templ generate: %s", msg)
	}
	return nil
}

// rootPackage returns the package name of the app's root folder: that of
// its Go files other than the generated one, or main.
func rootPackage(dir string) (string, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	sort.Strings(files)
	for _, f := range files {
		if filepath.Base(f) == OutputFile || strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err != nil {
			return "", err
		}
		return parsed.Name.Name, nil
	}
	return "main", nil
}

// publicFiles lists the files under dir/public, slash-separated and sorted.
func publicFiles(dir string) ([]string, error) {
	root := filepath.Join(dir, "public")
	if _, err := os.Stat(root); err != nil {
		return nil, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(files)
	return files, err
}

// generator writes routes_gen.go.
type generator struct {
	folders  []*folder
	byRel    map[string]*folder
	exported map[string]*exports
	public   []string
	aliases  map[string]string // folder rel -> import alias
	pages    []Page
	handlers []Handler
	// usesTempl records that a Layouts field was written.
	usesTempl bool
}

func newGenerator(folders []*folder, exported map[string]*exports, public []string) *generator {
	g := &generator{folders: folders, byRel: make(map[string]*folder), exported: exported, public: public, aliases: make(map[string]string)}
	used := make(map[string]bool)
	for _, f := range folders {
		g.byRel[f.rel] = f
		alias := aliasFor(f.rel)
		for n := 2; used[alias]; n++ {
			alias = aliasFor(f.rel) + strconv.Itoa(n)
		}
		used[alias] = true
		g.aliases[f.rel] = alias
	}
	return g
}

// aliasFor makes an import alias from a folder path: app/blog/id_ is
// app_blog_id.
func aliasFor(rel string) string {
	var b strings.Builder
	for _, part := range strings.Split(rel, "/") {
		part = strings.TrimRight(part, "_")
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		for _, r := range part {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

// ancestors returns f's folders from app/ down to f itself.
func (g *generator) ancestors(f *folder) []*folder {
	var chain []*folder
	parts := strings.Split(f.rel, "/")
	for i := 1; i <= len(parts); i++ {
		if a := g.byRel[strings.Join(parts[:i], "/")]; a != nil {
			chain = append(chain, a)
		}
	}
	return chain
}

// rank orders routes: static, then params, then catch-alls.
func rank(pattern string) int {
	switch {
	case strings.Contains(pattern, "*"):
		return 2
	case strings.Contains(pattern, ":"):
		return 1
	}
	return 0
}

func byRank(list []*folder) {
	sort.SliceStable(list, func(i, j int) bool {
		pi, pj := list[i].pattern(), list[j].pattern()
		if rank(pi) != rank(pj) {
			return rank(pi) < rank(pj)
		}
		return pi < pj
	})
}

// file renders the generated file.
func (g *generator) file(pkgName string) ([]byte, error) {
	var pages, routes, notFounds []*folder
	for _, f := range g.folders {
		if f.page {
			pages = append(pages, f)
		}
		if f.route {
			routes = append(routes, f)
		}
		// A middleware folder gets its own not-found route too, so that
		// its middleware sees unknown URLs below it as well.
		if f.notFound || f.middleware {
			notFounds = append(notFounds, f)
		}
	}
	byRank(pages)
	byRank(routes)
	// Deeper not-found pages first, so that each URL gets its nearest.
	sort.SliceStable(notFounds, func(i, j int) bool { return len(notFounds[i].segments) > len(notFounds[j].segments) })

	imports := make(map[string]bool)
	// Routes' Render funcs use context and templ; Layouts use templ.
	usesTempl := len(pages) > 0
	use := func(f *folder) string {
		imports[f.rel] = true
		return g.aliases[f.rel]
	}

	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	// Body first, collecting imports; the header is written after.
	p("// Routes returns every page of the app, for framework build to\n// prerender and print, in registration order.\nfunc Routes() []framework.Route {\n\treturn []framework.Route{\n")
	for _, f := range pages {
		x := g.exported[f.rel]
		alias := use(f)
		p("\t\t{\n\t\t\tPattern: %q,\n", f.pattern())
		if f.catchAll != "" {
			p("\t\t\tCatchAll: %q,\n", f.catchAll)
		}
		if x.revalidate {
			p("\t\t\tRevalidate: %s.Revalidate,\n", alias)
		} else {
			p("\t\t\tRevalidate: framework.Never,\n")
		}
		if x.expire {
			p("\t\t\tExpire: %s.Expire,\n", alias)
		}
		if x.dynamicParams {
			p("\t\t\tStaticParamsOnly: !%s.DynamicParams,\n", alias)
		}
		if x.staticParams {
			p("\t\t\tStaticParams: %s.StaticParams,\n", alias)
		}
		p("\t\t\tRender: func(ctx context.Context, r *framework.Request) (templ.Component, error) {\n")
		switch {
		case x.load:
			p("\t\t\t\tdata, err := %s.Load(ctx, r)\n\t\t\t\tif err != nil {\n\t\t\t\t\treturn nil, err\n\t\t\t\t}\n", alias)
			if x.metadata {
				p("\t\t\t\tframework.SetMetadata(ctx, %s.Metadata(ctx, data))\n", alias)
			}
			p("\t\t\t\treturn %s.Page(data), nil\n", alias)
		default:
			if x.metadata {
				p("\t\t\t\tframework.SetMetadata(ctx, %s.Metadata(ctx))\n", alias)
			}
			p("\t\t\t\treturn %s.Page(), nil\n", alias)
		}
		p("\t\t\t},\n")
		g.writeChrome(&b, f, use)
		p("\t\t},\n")
		g.pages = append(g.pages, Page{Pattern: f.pattern(), File: f.file(pageFile), Dynamic: x.revalidate, StaticParams: x.staticParams})
	}
	p("\t}\n}\n\n")

	p("// Register adds the app to e: the revalidation endpoint, every page\n// (GET and HEAD), route handler and public file, and the not-found pages.\nfunc Register(e *echo.Echo, a *framework.App) {\n\ta.Register(e)\n")
	var pageMiddleware []string
	for _, f := range pages {
		if chain := g.middleware(f, use); chain != "" {
			pageMiddleware = append(pageMiddleware, fmt.Sprintf("\t\t%q: {%s},\n", f.pattern(), strings.TrimPrefix(chain, ", ")))
		}
	}
	pageArgs := ""
	if len(pageMiddleware) > 0 {
		p("\t// The middleware.go chains of the pages that have one, outermost first.\n\tmiddleware := map[string][]echo.MiddlewareFunc{\n%s\t}\n", strings.Join(pageMiddleware, ""))
		pageArgs = ", middleware[rt.Pattern]..."
	}
	p("\tfor _, rt := range Routes() {\n\t\te.Match([]string{http.MethodGet, http.MethodHead}, rt.Pattern, a.Page(rt)%s)\n\t}\n", pageArgs)
	for _, f := range routes {
		x := g.exported[f.rel]
		alias := use(f)
		chain := g.middleware(f, use)
		for _, m := range x.handlers {
			p("\te.Add(http.Method%s, %q, a.Handler(%s.%s)%s)\n", methodConst(m), f.pattern(), alias, m, chain)
		}
		g.handlers = append(g.handlers, Handler{Pattern: f.pattern(), File: f.file(routeFile), Methods: x.handlers})
	}
	if len(g.public) > 0 {
		// public/ is served at /, so app/middleware.go covers it too.
		var rootChain string
		if root := g.byRel["app"]; root != nil {
			rootChain = g.middleware(root, use)
		}
		p("\tpublic, _ := fs.Sub(publicFiles, \"public\")\n")
		for _, file := range g.public {
			p("\te.FileFS(%q, %q, public%s)\n", "/"+file, file, rootChain)
		}
	}
	for _, f := range notFounds {
		prefix := f.pattern()
		if prefix == "/" {
			prefix = ""
		}
		p("\te.RouteNotFound(%q, a.NotFound(framework.Route{\n", prefix+"/*")
		g.writeChrome(&b, f, use)
		p("\t})%s)\n", g.middleware(f, use))
	}
	p("}\n")
	body := b.Bytes()

	var out bytes.Buffer
	fmt.Fprintf(&out, "// Code generated by framework codegen; DO NOT EDIT.\n\npackage %s\n\nimport (\n", pkgName)
	if len(pages) > 0 {
		out.WriteString("\t\"context\"\n")
	}
	if len(g.public) > 0 {
		out.WriteString("\t\"embed\"\n\t\"io/fs\"\n")
	}
	out.WriteString("\t\"net/http\"\n\n")
	if usesTempl || g.usesTempl {
		out.WriteString("\t\"github.com/a-h/templ\"\n")
	}
	out.WriteString("\t\"github.com/labstack/echo/v4\"\n\n\t\"" + frameworkPath + "\"\n\n")
	var rels []string
	for rel := range imports {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	for _, rel := range rels {
		fmt.Fprintf(&out, "\t%s %q\n", g.aliases[rel], g.exported[rel].pkgPath)
	}
	out.WriteString(")\n\n")
	if len(g.public) > 0 {
		out.WriteString("// publicFiles holds public/, served at /.\n//\n//go:embed all:public\nvar publicFiles embed.FS\n\n")
	}
	out.Write(body)
	src, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("codegen: formatting the generated file: %w\n%s", err, out.Bytes())
	}
	return src, nil
}

// writeChrome writes the Layouts, NotFound and Error fields of a route
// for f: the layouts above it and its nearest not-found and error pages.
func (g *generator) writeChrome(b *bytes.Buffer, f *folder, use func(*folder) string) {
	chain := g.ancestors(f)
	var layouts []string
	var notFound, errorPage string
	for _, a := range chain {
		if a.layout {
			layouts = append(layouts, use(a)+".Layout()")
		}
		if a.notFound {
			notFound = use(a) + ".NotFound()"
		}
		if a.errorPage {
			errorPage = use(a) + ".Error()"
		}
	}
	if len(layouts) > 0 {
		g.usesTempl = true
		fmt.Fprintf(b, "\t\t\tLayouts: []templ.Component{%s},\n", strings.Join(layouts, ", "))
	}
	if notFound != "" {
		fmt.Fprintf(b, "\t\t\tNotFound: %s,\n", notFound)
	}
	if errorPage != "" {
		fmt.Fprintf(b, "\t\t\tError: %s,\n", errorPage)
	}
}

// middleware returns the arguments that wrap f's routes in the
// middleware.go chain above and at f, outermost first: ", a.Middleware,
// b.Middleware", or "" when there is none.
func (g *generator) middleware(f *folder, use func(*folder) string) string {
	var chain strings.Builder
	for _, a := range g.ancestors(f) {
		if a.middleware {
			chain.WriteString(", " + use(a) + ".Middleware")
		}
	}
	return chain.String()
}

// methodConst maps "GET" to http.MethodGet's suffix, "Get".
func methodConst(m string) string {
	return m[:1] + strings.ToLower(m[1:])
}
