// Package framework is the runtime of an ISR (Incremental Static Regeneration)
// web app: it serves pages from a persistent cache as fast as static files,
// regenerates them in the background once their revalidate window has passed,
// and refreshes them on demand by path or by tag.
//
// An [App] owns the cache. Each page is a [Route]; [App.Page] turns it into an
// Echo handler:
//
//	app, err := framework.New(framework.Options{BuildID: "b1", CacheDir: ".framework/cache"})
//	if err != nil { ... }
//	defer app.Close()
//	e := echo.New()
//	app.Register(e) // POST /_framework/revalidate, GET /_framework/health
//	e.GET("/blog/:id", app.Page(framework.Route{
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
// [Cached] caches a component's HTML the same way, with its own window and
// tags. Draft mode ([EnableDraftMode], [DraftMode]) lets an editor see
// unpublished content: a request with the signed draft cookie is rendered for
// it alone, bypassing the cache (X-Framework-Cache: BYPASS).
//
// The sitemap ([SitemapRoutes], [AutoSitemapRoutes]) and robots.txt
// ([RobotsRoute]) are Routes too, cached like pages, whose Render writes XML
// or text ([Route.ContentType]) with absolute URLs made from
// [Options.SiteURL].
//
// Codegen (package codegen) writes the Route values and the Echo router from an
// app/ folder; nothing here depends on it.
package framework
