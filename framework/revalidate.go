package framework

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// A RevalidateOption changes what a revalidation covers or when it acts.
type RevalidateOption int

const (
	// Layout makes RevalidatePath and ExpirePath cover every page at or
	// below the path, like Next.js's revalidatePath(path, "layout").
	Layout RevalidateOption = 1 << iota
	// Eager regenerates the affected pages in the background right away
	// instead of on their next request. It covers the pages in this
	// instance's memory tier: those it served recently.
	Eager
)

// RevalidatePath marks the page at path stale: its next request is served
// the cached page (STALE) and regenerates it. With Layout it covers every
// page below path too. ctx must come from a page render or a handler wrapped
// by App.Handler; elsewhere use App.RevalidatePath.
func RevalidatePath(ctx context.Context, path string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.RevalidatePath(ctx, path, opts...) })
}

// RevalidateTag marks every page built from data tagged tag stale.
func RevalidateTag(ctx context.Context, tag string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.RevalidateTag(ctx, tag, opts...) })
}

// ExpirePath expires the page at path: its next request renders it fresh
// (read-your-writes after a form post).
func ExpirePath(ctx context.Context, path string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.ExpirePath(ctx, path, opts...) })
}

// ExpireTag expires every page built from data tagged tag: their next
// requests render them fresh.
func ExpireTag(ctx context.Context, tag string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.ExpireTag(ctx, tag, opts...) })
}

// RevalidatePath is the package-level RevalidatePath for this app.
func (a *App) RevalidatePath(ctx context.Context, path string, opts ...RevalidateOption) error {
	tag, err := pathRevalidationTag(path, opts)
	if err != nil {
		return err
	}
	return a.revalidate(ctx, tag, false, opts)
}

// RevalidateTag is the package-level RevalidateTag for this app.
func (a *App) RevalidateTag(ctx context.Context, tag string, opts ...RevalidateOption) error {
	if err := checkTag(tag); err != nil {
		return err
	}
	return a.revalidate(ctx, tag, false, opts)
}

// ExpirePath is the package-level ExpirePath for this app.
func (a *App) ExpirePath(ctx context.Context, path string, opts ...RevalidateOption) error {
	tag, err := pathRevalidationTag(path, opts)
	if err != nil {
		return err
	}
	return a.revalidate(ctx, tag, true, opts)
}

// ExpireTag is the package-level ExpireTag for this app.
func (a *App) ExpireTag(ctx context.Context, tag string, opts ...RevalidateOption) error {
	if err := checkTag(tag); err != nil {
		return err
	}
	return a.revalidate(ctx, tag, true, opts)
}

// maxTagLength bounds tag names, which become store keys.
const maxTagLength = 256

func checkTag(tag string) error {
	if tag == "" || len(tag) > maxTagLength {
		return fmt.Errorf("framework: tag must be 1 to %d bytes, got %d", maxTagLength, len(tag))
	}
	return nil
}

// pathRevalidationTag returns the implicit tag that revalidating path sets.
func pathRevalidationTag(p string, opts []RevalidateOption) (string, error) {
	clean, status := cleanPath(p)
	if status != 0 {
		return "", fmt.Errorf("framework: cannot revalidate %q: want an absolute URL path", p)
	}
	if hasOption(opts, Layout) {
		return layoutTag(clean), nil
	}
	return pathTag(clean), nil
}

func hasOption(opts []RevalidateOption, o RevalidateOption) bool {
	for _, x := range opts {
		if x&o != 0 {
			return true
		}
	}
	return false
}

// revalidate records the time of tag's revalidation: in memory, where hits
// compare it with entries' generation times, and in the store. It costs the
// same whatever the number of entries: nothing is scanned or deleted.
func (a *App) revalidate(ctx context.Context, tag string, hard bool, opts []RevalidateOption) error {
	at := a.now().UnixNano()
	a.tags.mark(tag, at, hard)
	if hard {
		a.metrics.hardRevalidations.Add(1)
	} else {
		a.metrics.softRevalidations.Add(1)
	}
	err := a.store.SetTagTime(ctx, softTagPrefix+tag, at)
	if hard && err == nil {
		err = a.store.SetTagTime(ctx, hardTagPrefix+tag, at)
	}
	if hasOption(opts, Eager) {
		a.regenerateStale()
	}
	if err != nil {
		return fmt.Errorf("framework: revalidate %q: %w", tag, err)
	}
	return nil
}

// regenerateStale starts the regeneration of every page in the memory tier
// that is no longer fresh.
func (a *App) regenerateStale() {
	now := a.now().UnixNano()
	a.hot.each(func(path string, e *entry) {
		if src := e.source.Load(); src != nil && a.tags.freshness(e, now) != fresh {
			src.page.regenerate(path, src.params)
		}
	})
}

type appKey struct{}

// Handler wraps an Echo handler (an app's route.go GET, POST, ...) so that
// the package-level RevalidatePath, RevalidateTag, Fetch and Cache find the
// app through the request's context.
func (a *App) Handler(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(a.Context(r.Context())))
		return h(c)
	}
}

// Context returns ctx carrying the app, for the package-level functions.
func (a *App) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, appKey{}, a)
}

// appFrom returns the app a context carries, from a render or App.Context.
func appFrom(ctx context.Context) *App {
	if st := stateFrom(ctx); st != nil {
		return st.app
	}
	a, _ := ctx.Value(appKey{}).(*App)
	return a
}

// errNoApp is returned by the package-level revalidation functions called
// with a context that carries no app.
var errNoApp = errors.New("framework: no app in context: call from a page render or a handler wrapped by App.Handler, or use the App's method")

func withApp(ctx context.Context, f func(*App) error) error {
	a := appFrom(ctx)
	if a == nil {
		return errNoApp
	}
	return f(a)
}

// RevalidateEndpoint is the path of the on-demand revalidation endpoint.
const RevalidateEndpoint = "/_framework/revalidate"

// maxRevalidateBody bounds the JSON a revalidation request may send.
const maxRevalidateBody = 1 << 20

// RevalidateRequest is the JSON body of POST /_framework/revalidate.
type RevalidateRequest struct {
	Paths   []string `json:"paths,omitempty"`   // pages to revalidate
	Layouts []string `json:"layouts,omitempty"` // paths whose every page below to revalidate
	Tags    []string `json:"tags,omitempty"`    // data tags to revalidate
	Expire  bool     `json:"expire,omitempty"`  // expire (render fresh) instead of mark stale
	Eager   bool     `json:"eager,omitempty"`   // regenerate right away
}

// Register adds the app's own routes to e: POST /_framework/revalidate,
// and GET /metrics when Options.Metrics is on.
func (a *App) Register(e *echo.Echo) {
	e.POST(RevalidateEndpoint, a.serveRevalidate)
	if a.opts.Metrics {
		e.GET(MetricsPath, echo.WrapHandler(http.HandlerFunc(a.ServeMetrics)))
	}
}

// serveRevalidate is the on-demand revalidation endpoint. It answers 404
// when no secret is configured and 401 to a wrong or missing one.
func (a *App) serveRevalidate(c echo.Context) error {
	secret := a.opts.RevalidateSecret
	if secret == "" {
		return echo.NewHTTPError(http.StatusNotFound, "revalidation is disabled: FRAMEWORK_REVALIDATE_SECRET is not set")
	}
	token, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	// Comparing digests keeps the time constant whatever the lengths.
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(secret))
	if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return echo.NewHTTPError(http.StatusUnauthorized, "wrong or missing bearer token")
	}
	var body RevalidateRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxRevalidateBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "body: "+err.Error())
	}
	if len(body.Paths)+len(body.Layouts)+len(body.Tags) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, `body: nothing to revalidate: give "paths", "layouts" or "tags"`)
	}
	// Check everything before changing anything.
	for _, p := range append(body.Paths, body.Layouts...) {
		if _, status := cleanPath(p); status != 0 {
			return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("path %q: want an absolute URL path", p))
		}
	}
	for _, t := range body.Tags {
		if err := checkTag(t); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
	}

	ctx := c.Request().Context()
	revalidatePath, revalidateTag := a.RevalidatePath, a.RevalidateTag
	if body.Expire {
		revalidatePath, revalidateTag = a.ExpirePath, a.ExpireTag
	}
	var errs []error
	for _, p := range body.Paths {
		errs = append(errs, revalidatePath(ctx, p))
	}
	for _, p := range body.Layouts {
		errs = append(errs, revalidatePath(ctx, p, Layout))
	}
	for _, t := range body.Tags {
		errs = append(errs, revalidateTag(ctx, t))
	}
	if body.Eager {
		a.regenerateStale()
	}
	if err := errors.Join(errs...); err != nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, err.Error())
	}
	return c.JSON(http.StatusOK, map[string]any{"revalidated": true, "now": a.now().UnixMilli()})
}
