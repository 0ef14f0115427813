package codegen

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// router is everything routes_gen.go says, worked out before a line of it
// is written: which routes, in which order, wrapped in what, importing
// which packages. The writers in render.go only print it. Routes name the
// packages they use by import alias (app_blog); the writers add the
// exports (app_blog.Layout()).
type router struct {
	pkgName string
	imports [][]importSpec // groups: standard library, third party, framework, app

	pages            []pageRoute     // static, then params, then catch-alls
	handlers         []handlerRoute  // likewise
	public           []string        // files under public/, slash-separated
	static           bool            // static_gen.go serves public/ or assets/
	publicMiddleware []string        // app/middleware.go, which covers public/ (served at /)
	notFounds        []notFoundRoute // deepest first, so that each URL gets its nearest

	// sitemap says what makes /sitemap.xml (see Result.Sitemap); robots,
	// whether app/robots.go makes /robots.txt. Both come from the package
	// of app/ (alias rootPkg, exports rootX) and are wrapped in the
	// middleware of app/, as public files are.
	sitemap        string
	robots         bool
	rootPkg        string
	rootX          RootExports
	rootMiddleware []string

	content bool // the app has a content/ folder to embed
}

// importSpec is one import of the generated file.
type importSpec struct {
	alias string // "" for the package's own name
	path  string
}

// chrome is what a route renders its body in: the layouts above it and its
// nearest not-found and error pages.
type chrome struct {
	layouts   []string // aliases of the packages whose Layout wraps it, outermost first
	notFound  string   // alias of the package with its NotFound, or ""
	errorPage string   // alias of the package with its Error, or ""
}

func (c chrome) empty() bool {
	return len(c.layouts) == 0 && c.notFound == "" && c.errorPage == ""
}

// pageRoute is one page: one framework.Route in Routes.
type pageRoute struct {
	pattern    string // "/blog/:id"
	file       string // "app/blog/id_/page.templ"
	catchAll   string // the catch-all param's name, or ""
	pkg        string // alias of the page's package
	x          *exports
	chrome     chrome
	middleware []string // aliases of the packages whose Middleware wraps it, outermost first
	md         *mdPage  // a page.md's, or nil
}

// handlerRoute is one route.go: its methods, each an e.Add.
type handlerRoute struct {
	pattern    string
	file       string
	pkg        string
	methods    []string // in the order of methods
	middleware []string
	// crossOrigin: the route.go's AllowCrossOrigin, registered with
	// runtime.CrossOriginHandler instead of runtime.Handler.
	crossOrigin bool
}

// notFoundRoute answers unknown URLs below a folder with a not_found.templ,
// an error.templ or a middleware.go.
type notFoundRoute struct {
	pattern    string // "/blog/*"
	chrome     chrome
	middleware []string
}

// newRouter works out the router of an app from its checked folders.
func newRouter(pkgName string, folders []*folder, exported map[string]*exports, public []string, static bool, md markdownInput) *router {
	b := newRouterBuilder(folders)
	r := &router{pkgName: pkgName, public: public, static: static, content: md.content}
	for _, f := range byRank(folders, func(f *folder) bool { return f.page || md.pages[f.rel] != nil }) {
		if md := md.pages[f.rel]; md != nil {
			r.pages = append(r.pages, md.route(f, b))
			continue
		}
		r.pages = append(r.pages, pageRoute{
			pattern:    f.pattern(),
			file:       f.file(pageFile),
			catchAll:   f.catchAll,
			pkg:        b.use(f),
			x:          exported[f.rel],
			chrome:     b.chrome(f),
			middleware: b.middleware(f),
		})
	}
	for _, f := range byRank(folders, func(f *folder) bool { return f.route }) {
		r.handlers = append(r.handlers, handlerRoute{
			pattern:     f.pattern(),
			file:        f.file(routeFile),
			pkg:         b.use(f),
			methods:     exported[f.rel].handlers,
			middleware:  b.middleware(f),
			crossOrigin: exported[f.rel].allowCrossOrigin,
		})
	}
	root := b.byRel["app"]
	if root != nil && static {
		r.publicMiddleware = b.middleware(root)
	}
	r.sitemap = sitemapKind(root, folders, public)
	r.robots = root != nil && root.robots
	if r.sitemap != "" || r.robots {
		if root != nil {
			r.rootMiddleware = b.middleware(root)
		}
		if r.sitemap == "app/"+sitemapFile || r.robots {
			r.rootPkg = b.use(root)
			r.rootX = exported[root.rel].root
		}
	}
	// A middleware folder gets its own not-found route too, so that its
	// middleware sees unknown URLs below it as well; and an error.templ's
	// folder, so that the app's error handler (which finds error pages by
	// these routes' prefixes) answers a route handler's errors below it
	// with it.
	notFounds := slices.DeleteFunc(slices.Clone(folders), func(f *folder) bool { return !f.notFound && !f.middleware && !f.errorPage })
	slices.SortStableFunc(notFounds, func(a, b *folder) int { return cmp.Compare(len(b.segments), len(a.segments)) })
	for _, f := range notFounds {
		prefix := f.pattern()
		if prefix == "/" {
			prefix = ""
		}
		r.notFounds = append(r.notFounds, notFoundRoute{pattern: prefix + "/*", chrome: b.chrome(f), middleware: b.middleware(f)})
	}
	r.imports = r.importGroups(b, exported)
	return r
}

// importGroups returns the imports the routes need, grouped as goimports
// groups them, with the framework's own package in a group of its own.
func (r *router) importGroups(b *routerBuilder, exported map[string]*exports) [][]importSpec {
	var std, third []importSpec
	// Each page's Render takes a context and returns a templ.Component;
	// a layout is a templ.Component too.
	usesTempl := len(r.pages) > 0
	if slices.ContainsFunc(r.pages, func(p pageRoute) bool { return p.md == nil }) {
		std = append(std, importSpec{path: "context"}) // in a Render func literal
	}
	for _, n := range r.notFounds {
		usesTempl = usesTempl || len(n.chrome.layouts) > 0
	}
	if r.content {
		std = append(std, importSpec{path: "embed"})
	}
	std = append(std, importSpec{path: "net/http"}) // http.MethodGet and the like
	if r.usesSeconds() {
		std = append(std, importSpec{path: "time"}) // windows in seconds, times time.Second
	}
	if usesTempl {
		third = append(third, importSpec{path: templPath})
	}
	third = append(third, importSpec{path: echoPath})
	var app []importSpec
	for _, rel := range b.used() {
		app = append(app, importSpec{alias: b.aliases[rel], path: exported[rel].pkgPath})
	}
	return [][]importSpec{std, third, {{path: frameworkPath}, {path: runtimePath}}, app}
}

// usesSeconds reports whether a window the routes read is in seconds.
func (r *router) usesSeconds() bool {
	for _, p := range r.pages {
		if p.x.revalidate == WindowSeconds || p.x.expire == WindowSeconds {
			return true
		}
	}
	return r.rootX.SitemapRevalidate == WindowSeconds && r.sitemap == "app/"+sitemapFile ||
		r.rootX.RobotsRevalidate == WindowSeconds && r.robots
}

// result describes the routes for Generate's caller.
func (r *router) result(output string) *Result {
	res := &Result{Output: output}
	for _, p := range r.pages {
		res.Pages = append(res.Pages, Page{Pattern: p.pattern, File: p.file, Dynamic: p.x.revalidate.Declared(), StaticParams: p.x.staticParams})
	}
	for _, h := range r.handlers {
		res.Handlers = append(res.Handlers, Handler{Pattern: h.pattern, File: h.file, Methods: h.methods})
	}
	res.Sitemap = r.sitemap
	if r.robots {
		res.Robots = "app/" + robotsFile
	}
	return res
}

// routerBuilder finds what wraps each folder and records which folders'
// packages the routes refer to, so that exactly those are imported.
type routerBuilder struct {
	byRel   map[string]*folder
	aliases map[string]string // folder rel -> import alias
	uses    map[string]bool   // folder rels referred to
}

func newRouterBuilder(folders []*folder) *routerBuilder {
	b := &routerBuilder{byRel: make(map[string]*folder), aliases: make(map[string]string), uses: make(map[string]bool)}
	taken := make(map[string]bool)
	for _, f := range folders {
		b.byRel[f.rel] = f
		alias := aliasFor(f.rel)
		for n := 2; taken[alias]; n++ {
			alias = aliasFor(f.rel) + strconv.Itoa(n)
		}
		taken[alias] = true
		b.aliases[f.rel] = alias
	}
	return b
}

// use returns the import alias of f's package, which the file then imports.
func (b *routerBuilder) use(f *folder) string {
	b.uses[f.rel] = true
	return b.aliases[f.rel]
}

// used returns the folders referred to, sorted by path.
func (b *routerBuilder) used() []string {
	rels := make([]string, 0, len(b.uses))
	for rel := range b.uses {
		rels = append(rels, rel)
	}
	slices.Sort(rels)
	return rels
}

// ancestors returns f's folders from app/ down to f itself.
func (b *routerBuilder) ancestors(f *folder) []*folder {
	var chain []*folder
	parts := strings.Split(f.rel, "/")
	for i := 1; i <= len(parts); i++ {
		if a := b.byRel[strings.Join(parts[:i], "/")]; a != nil {
			chain = append(chain, a)
		}
	}
	return chain
}

// chrome returns what a route for f renders in: the layouts above and at
// f, and the nearest not-found and error pages.
func (b *routerBuilder) chrome(f *folder) chrome {
	var c chrome
	for _, a := range b.ancestors(f) {
		if a.layout {
			c.layouts = append(c.layouts, b.use(a))
		}
		if a.notFound {
			c.notFound = b.use(a)
		}
		if a.errorPage {
			c.errorPage = b.use(a)
		}
	}
	return c
}

// middleware returns the middleware.go chain above and at f, outermost
// first.
func (b *routerBuilder) middleware(f *folder) []string {
	var chain []string
	for _, a := range b.ancestors(f) {
		if a.middleware {
			chain = append(chain, b.use(a))
		}
	}
	return chain
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

// ComparePatterns orders route patterns as the router registers and the
// route table lists them: static routes, then params, then catch-alls, each
// by pattern.
func ComparePatterns(a, b string) int {
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
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

// byRank returns the folders keep accepts, static routes first, then
// params, then catch-alls, each by pattern: the order they are registered
// and listed in.
func byRank(folders []*folder, keep func(*folder) bool) []*folder {
	list := slices.DeleteFunc(slices.Clone(folders), func(f *folder) bool { return !keep(f) })
	slices.SortStableFunc(list, func(a, b *folder) int {
		pa, pb := a.pattern(), b.pattern()
		return ComparePatterns(pa, pb)
	})
	return list
}
