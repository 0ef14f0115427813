package framework

import (
	"context"

	"github.com/isr-go/framework/framework/internal/hook"
)

// init hands the plumbing of generated code to package runtime, which
// exports it, so that this package's documentation lists what apps call.
func init() {
	hook.Set(hook.Funcs[*App, Route, Metadata, Robots, SitemapEntry]{
		Register:          (*App).register,
		Page:              (*App).pageHandler,
		NotFound:          (*App).notFoundHandler,
		Handler:           (*App).wrapRoute,
		SetMetadata:       setMetadata,
		RobotsRoute:       robotsRoute,
		SitemapRoutes:     sitemapRoutesOf,
		AutoSitemapRoutes: autoSitemapRoutes,
		Prerender: func(a *App, ctx context.Context, rt Route, params map[string]string) (string, int, int, error) {
			return a.prerender(ctx, rt, params)
		},
		CanonicalPaths:   canonicalPaths,
		NoPrefetch:       setNoPrefetch,
		HTTPErrorHandler: (*App).httpErrorHandler,
	})
}
