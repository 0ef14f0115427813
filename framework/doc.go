// Package framework is the runtime of an ISR (Incremental Static Regeneration)
// web app: it serves pages from a persistent cache as fast as static files,
// regenerates them in the background once their revalidate window has passed,
// and refreshes them on demand by path or by tag.
//
// An [App] owns the cache. Each page is a [Route], which the code
// `framework build` generates from an app/ folder (routes_gen.go) wires into
// Echo through package runtime; package server runs it:
//
//	func main() { server.Main(Routes(), Register) }
//
// The pieces, for an app that builds its own server:
//
//	store, err := badgerstore.OpenCache(".framework/cache/b1", slog.Default())
//	if err != nil { ... }
//	defer store.Close()
//	app, err := framework.New(framework.Options{BuildID: "b1", Store: store})
//	if err != nil { ... }
//	defer app.Close()
//	e := echo.New()
//	runtime.Register(e, app) // POST /_framework/revalidate, GET /_framework/health
//	e.GET("/blog/:id", runtime.Page(app, framework.Route{
//		Pattern:    "/blog/:id",
//		Revalidate: time.Minute,
//		Render: func(ctx context.Context, r *framework.Request) (templ.Component, error) {
//			post, err := loadPost(ctx, r.Param("id"))
//			if err != nil {
//				return nil, err // framework.ErrNotFound gives a cached 404
//			}
//			return PostPage(post), nil
//		},
//	}))
//
// Without a Store the cache lives in memory alone. Package store defines
// what a store implements; packages badgerstore and redisstore are the two
// the server opens.
//
// A response carries X-Framework-Cache: HIT (fresh from the cache), STALE
// (served from the cache while one background regeneration runs), MISS
// (rendered in the request because nothing was cached) or REVALIDATED
// (rendered in the request because the entry was expired on demand or was past
// its hard expiry), or BYPASS in draft mode.
//
// Pages read data through [Fetch] and [Cache], whose revalidate windows and
// tags flow into the page's cache entry, so that [RevalidateTag] marks every
// page built from that data stale. A window means the same on a page and on
// data: 0, the default of [FetchOptions] and [CacheOptions] as in Next.js 15,
// caches nothing (the data is read on every call and the page that reads it
// is rendered per request); [Never] caches until revalidated on demand.
//
// [CacheComponent] caches a component's HTML the same way, with its own window and
// tags. Draft mode ([EnableDraftMode], [DraftMode]) lets an editor see
// unpublished content: a request with the signed draft cookie is rendered for
// it alone, bypassing the cache (X-Framework-Cache: BYPASS).
//
// The sitemap (app/sitemap.go's Sitemap, a list of [SitemapEntry]) and
// robots.txt (app/robots.go's [Robots]) are Routes too, cached like pages, whose Render writes XML
// or text ([Route.ContentType]) with absolute URLs made from
// [Options.SiteURL].
//
// Codegen (package codegen) writes the Route values and the Echo router from an
// app/ folder; nothing here depends on it, nor on any store.
package framework
