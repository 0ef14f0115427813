// Package codegen turns an app's app/ folder into the Go file that routes
// it: routes_gen.go, beside app/, with Routes (every page, for framework
// build) and Register (every page, route handler, static file, not-found
// page and the revalidation endpoint, on Echo, with their middleware). It
// embeds public/ and records it, when the program starts, for the images of
// framework.Image and /_framework/image (runtime.PublicFiles).
//
// # Conventions
//
// A folder under app/ is a URL segment; a folder with a page.templ is a
// route. Go import paths cannot hold Next.js's [id], so a param folder ends
// in one underscore and a catch-all in two:
//
//	app/page.templ             /
//	app/blog/page.templ        /blog
//	app/blog/id_/page.templ    /blog/:id      (param "id")
//	app/docs/slug__/page.templ /docs/*        (param "slug", one or more segments)
//	app/api/x/route.go         /api/x         (func GET(c echo.Context) error, POST, ...)
//	app/layout.templ           wraps every page below it, outermost first
//	app/not_found.templ        body of 404s below it
//	app/error.templ            body of 500s below it
//	app/admin/middleware.go    Middleware (an echo.MiddlewareFunc) wraps every page,
//	                           route handler and unknown URL below it, outermost
//	                           first (app/middleware.go covers public/ too)
//	app/sitemap.go             /sitemap.xml, split into /sitemap-N.xml past 50,000 URLs
//	                           (root of app/ only; without it, an automatic sitemap of
//	                           the cached pages and their StaticParams)
//	app/robots.go              /robots.txt (root of app/ only)
//	app/about/page.md          /about, a Markdown page (no params)
//	public/                    static files at /
//	content/                   embedded for package framework/content
//
// A page.md is converted here, at build (markdown.go): its front matter
// (title, description, draft, revalidate, the rest in Metadata.Extra) is
// checked at file:line:col and its HTML held in routes_gen.go, rendered by
// runtime.MarkdownPage inside the folder's layouts. Pages with draft: true
// are left out unless Generate is given Drafts(), as framework dev does.
//
// Folders starting with "_" or "." are skipped, like the go command does.
//
// # Page exports
//
// A page's package (page.templ and the .go files beside it) may export:
//
//	templ Page() / templ Page(data T)                                  required
//	func Load(ctx context.Context, r *framework.Request) (T, error)
//	func Metadata(ctx context.Context, data T) framework.Metadata     (or (ctx) without Load)
//	func StaticParams(ctx context.Context) ([]framework.Params, error)
//	const Revalidate time.Duration  (or seconds; 0: dynamic; absent: framework.Never)
//	const Expire time.Duration      (or seconds)
//	const DynamicParams bool        (false: only StaticParams are served)
//
// A window (Revalidate, Expire, SitemapRevalidate, RobotsRevalidate) is a
// time.Duration, or an untyped constant counting seconds, as Next.js's
// export const revalidate = 60: const Revalidate = 60 is a minute, and the
// generated code multiplies it by time.Second. Negative windows, fractions
// of a second in seconds, more seconds than a time.Duration holds and
// constants of other types are errors.
//
// A call of r.Param (the method of *framework.Request) in a page's package
// whose argument is a constant naming no param of the page's route is an
// error: it would return "" on every request.
//
// The package of app/ itself may export, in app/sitemap.go and
// app/robots.go (their windows have names of their own: Revalidate there
// is the home page's):
//
//	func Sitemap(ctx context.Context) ([]framework.SitemapEntry, error)
//	const SitemapRevalidate time.Duration  (or seconds; absent: framework.Never)
//	func Robots(ctx context.Context) (framework.Robots, error)
//	const RobotsRevalidate time.Duration   (or seconds; absent: framework.Never)
//
// A file in public/, or a page, that answers the same URL as app/sitemap.go
// or app/robots.go is an error; the automatic sitemap steps aside for them.
//
// Layouts export templ Layout() (rendering { children... }), not-found pages
// templ NotFound(), error pages templ Error() (which read the status and
// message with framework.ErrorFrom). A folder with a not_found.templ, an
// error.templ or a middleware.go gets a not-found route for the URLs below
// it (e.RouteNotFound), whose framework.Route carries its Pattern: the app's
// error handler finds the nearest error page of a URL by it.
//
// # Errors
//
// Generate checks all of it with go/packages and the type checker, and
// reports every problem of a run at once, like the Go compiler: one per
// line, file:line:col: message, sorted by file, then line and column:
//
//	app/blog/id_/page.go:9:7: DynamicParams must be a bool, got string
//	app/blog/id_/page.go:12:7: Revalidate must be 0 or more seconds, got -1
//	app/blog/id_/page.go:20:18: Param("idd"): route /blog/:id has no param "idd" (its params: id)
//	app/blog/id_/page.templ:3:7: Page must take Load's result (int), got (s string)
//	app/blog/id_/page.templ:5:7: undefined: title
//	app/docs/slug__/more: a catch-all folder (app/docs/slug__) cannot have routes below it
//
// Files are relative to the app's directory; columns count bytes, from 1.
// A problem in Go that templ generated (a templ signature, a type error in
// a { expression }) points into the .templ file, through templ's source
// map; one in templ's own render code names the .templ file alone. A
// problem that has no line (a missing export; a clash of two folders,
// reported at the later one and naming the other) names its file or
// folder alone.
//
// When a check depends on one that failed, only the first is reported:
// with a wrong Load, Page and Metadata are not checked against its T; a
// package that does not type-check has its type errors reported, not its
// exports.
//
// The page checks are CheckPage and CheckParams (and CheckSitemap,
// CheckRobots), on a package's go/types objects and syntax: the
// analyzer in package codegen/vet runs the same functions for framework vet
// and go vet -vettool, so both report what Generate reports, in the same
// words. GenerateTempl reports a .templ file templ cannot parse at its
// line and column, and SourcePositions places errors found by others (go
// build's output, go/packages) as Generate places its own.
//
// The error is an ErrorList of *Error, each with its token.Position and
// message, for callers that place them (editors, a dev server's overlay):
//
//	var e *codegen.Error
//	if errors.As(err, &e) {
//		fmt.Println(e.Pos.Filename, e.Pos.Line, e.Pos.Column, e.Msg)
//	}
package codegen
