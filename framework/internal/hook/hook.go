// Package hook hands package framework's unexported plumbing to package
// runtime, which exports it to generated code.
//
// Package runtime imports framework (its functions take *framework.App and
// framework.Route), so framework cannot call into runtime nor name it; and
// this package cannot name framework's types either, since framework
// imports it. Funcs therefore takes those types as type parameters:
// framework's init calls Set with its functions, runtime calls Get with the
// same types, and both ends are checked by the compiler. Only the one value
// in between is untyped, and Get with other types panics at runtime's
// initialisation, before any request.
package hook

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Funcs are the functions package runtime exports. App is *framework.App,
// Route framework.Route, Metadata framework.Metadata, Robots
// framework.Robots and Entry framework.SitemapEntry.
type Funcs[App, Route, Metadata, Robots, Entry any] struct {
	Register          func(a App, e *echo.Echo)
	Page              func(a App, rt Route) echo.HandlerFunc
	NotFound          func(a App, rt Route) echo.HandlerFunc
	Handler           func(a App, h echo.HandlerFunc, crossOrigin bool) echo.HandlerFunc
	SetMetadata       func(ctx context.Context, m Metadata)
	RobotsRoute       func(robots func(ctx context.Context) (Robots, error), revalidate time.Duration) Route
	SitemapRoutes     func(entries func(ctx context.Context) ([]Entry, error), revalidate time.Duration) []Route
	AutoSitemapRoutes func(routes func() []Route) []Route
	Prerender         func(a App, ctx context.Context, rt Route, params map[string]string) (path string, size, holes int, err error)
	CanonicalPaths    func(next http.Handler) http.Handler
	NoPrefetch        func(patterns ...string)
	HTTPErrorHandler  func(a App, err error, c echo.Context)
}

var funcs any

// Set records package framework's functions; its init calls it.
func Set[App, Route, Metadata, Robots, Entry any](f Funcs[App, Route, Metadata, Robots, Entry]) {
	funcs = f
}

// Get returns the functions Set recorded. It panics when they were
// recorded with other types, or not at all.
func Get[App, Route, Metadata, Robots, Entry any]() Funcs[App, Route, Metadata, Robots, Entry] {
	f, ok := funcs.(Funcs[App, Route, Metadata, Robots, Entry])
	if !ok {
		panic("framework/internal/hook: package framework set no functions of these types")
	}
	return f
}
