// Command server is this app's server, built by `framework build` and run by
// `framework start`. Routes and Register are generated from app/ into
// routes_gen.go; `go doc github.com/isr-go/framework/framework/server` lists
// its commands, flags and environment variables.
//
// The settings below are the app's. An operator overrides them with flags,
// environment variables or .env files (.env, .env.local, .env.production,
// .env.production.local; .env.development* under framework dev): flags beat
// the environment, which beats the files, which beat these Options.
package main

import (
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/server"
)

func main() {
	server.Main(Routes(), Register, server.Options{
		Options: framework.Options{
			// OnError hears of every failed render: in a request (a 500
			// unless an older page can stand in) and in the background
			// (the last good page keeps being served); and of every other
			// 5xx, from a route handler or a middleware (Method is then
			// the request's). Each is logged already, once, with its
			// cause; send them to your error tracker.
			// OnError: func(ctx context.Context, err *framework.RenderError) {
			// 	tracker.Capture(ctx, err) // err.Path, err.Route, err.Method, err.Err
			// },

			// CacheTagHeader adds a Cache-Tag header listing a page's data
			// tags, for CDNs that purge by tag (Cloudflare, Fastly).
			// CacheTagHeader: true,

			// MemoryCacheBytes bounds the in-memory tier (default 48 MiB).
			// MemoryCacheBytes: 64 << 20,
		},

		// Middleware runs on every request, before app/**/middleware.go:
		// security headers, CORS, authentication.
		// Middleware: []echo.MiddlewareFunc{middleware.Secure()},
	})
}
