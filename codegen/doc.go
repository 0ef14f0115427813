// Package codegen turns an app's app/ folder into the Go file that routes
// it: routes_gen.go, beside app/, with Routes (every page, for framework
// build) and Register (every page, route handler, static file, not-found
// page and the revalidation endpoint, on Echo, with their middleware).
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
//	public/                    static files at /
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
//	const Revalidate time.Duration  (0: dynamic; absent: framework.Never)
//	const Expire time.Duration
//	const DynamicParams bool       (false: only StaticParams are served)
//
// Layouts export templ Layout() (rendering { children... }), not-found pages
// templ NotFound(), error pages templ Error().
//
// Generate checks all of it with go/packages and the type checker, and
// reports every problem of a run at once, as file:line: message.
package codegen
