package framework

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// A RevalidateOption changes what a revalidation covers or when it acts.
type RevalidateOption int

const (
	// AndBelow makes RevalidatePath and ExpirePath cover every page at or
	// below the path, like Next.js's revalidatePath(path, "layout").
	AndBelow RevalidateOption = 1 << iota
	// Eager regenerates the affected pages in the background right away
	// instead of on their next request. It covers the pages in this
	// instance's memory tier: those it served recently.
	Eager
)

// RevalidatePath marks the page at path stale: its next request is served
// the cached page (STALE) and regenerates it. With AndBelow it covers every
// page below path too. ctx must come from a page render or a handler wrapped
// by runtime.Handler; elsewhere (a job in main.go, say) pass App.Context(ctx).
func RevalidatePath(ctx context.Context, path string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.revalidatePath(ctx, path, false, opts...) })
}

// RevalidateTag marks every page built from data tagged tag stale.
func RevalidateTag(ctx context.Context, tag string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.revalidateTag(ctx, tag, false, opts...) })
}

// ExpirePath expires the page at path: its next request renders it fresh
// (read-your-writes after a form post).
func ExpirePath(ctx context.Context, path string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.revalidatePath(ctx, path, true, opts...) })
}

// ExpireTag expires every page built from data tagged tag: their next
// requests render them fresh.
func ExpireTag(ctx context.Context, tag string, opts ...RevalidateOption) error {
	return withApp(ctx, func(a *App) error { return a.revalidateTag(ctx, tag, true, opts...) })
}

// revalidatePath marks the page at path stale, or expires it when hard.
func (a *App) revalidatePath(ctx context.Context, path string, hard bool, opts ...RevalidateOption) error {
	tag, err := pathRevalidationTag(path, opts)
	if err != nil {
		return err
	}
	return a.revalidate(ctx, tag, hard, opts)
}

// revalidateTag marks every page built from data tagged tag stale, or
// expires them when hard.
func (a *App) revalidateTag(ctx context.Context, tag string, hard bool, opts ...RevalidateOption) error {
	if err := checkTag(tag); err != nil {
		return err
	}
	return a.revalidate(ctx, tag, hard, opts)
}

// maxTagLength bounds tags and the paths given to revalidate, which become
// store keys and (tags) a Cache-Tag header.
const maxTagLength = 256

// A limitError is a refusal because a value is past a limit, which the
// revalidation endpoint reports in its answer.
type limitError struct {
	msg   string
	limit int64
}

func (e *limitError) Error() string { return e.msg }

// checkTag reports whether tag may be revalidated: 1 to maxTagLength bytes,
// no control characters (a tag becomes a store key and a Cache-Tag header
// value, where a newline would split it).
func checkTag(tag string) error {
	if tag == "" || len(tag) > maxTagLength {
		return &limitError{fmt.Sprintf("framework: tag %s must be 1 to %d bytes, got %d", quotePrefix(tag), maxTagLength, len(tag)), maxTagLength}
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("framework: tag %s has a control character (byte %d is %#02x): tags become store keys and a Cache-Tag header", quotePrefix(tag), i, c)
		}
	}
	return nil
}

// quotePrefix quotes s, cut short if long, for an error message.
func quotePrefix(s string) string {
	const n = 32
	if len(s) <= n {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", s[:n])
}

// pathRevalidationTag returns the implicit tag that revalidating path sets.
func pathRevalidationTag(p string, opts []RevalidateOption) (string, error) {
	if len(p) > maxTagLength {
		return "", &limitError{fmt.Sprintf("framework: cannot revalidate path %s: at most %d bytes, got %d", quotePrefix(p), maxTagLength, len(p)), maxTagLength}
	}
	clean, status := cleanPath(p)
	if status != 0 {
		return "", fmt.Errorf("framework: cannot revalidate %q: want an absolute URL path", p)
	}
	if hasOption(opts, AndBelow) {
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
// same whatever the number of entries: nothing is scanned or deleted. (Past
// Options.TagTimeLimit, one call in a tenth of the limit sorts the names to
// forget the oldest.)
func (a *App) revalidate(ctx context.Context, tag string, hard bool, opts []RevalidateOption) (err error) {
	if a.tracer != nil {
		var span trace.Span
		ctx, span = a.tracer.Start(ctx, "revalidate", trace.WithAttributes(
			attribute.String("framework.tag", tag), attribute.Bool("framework.expire", hard)))
		defer func() { endSpan(span, err) }()
	}
	at := a.now().UnixNano()
	// Held shared so that forgetTagTimes, which deletes names from the
	// store, never deletes this time once it is in memory.
	a.tagWrites.RLock()
	forgotten := a.tags.mark(tag, at, hard)
	if hard {
		a.metrics.hardRevalidations.Add(1)
	} else {
		a.metrics.softRevalidations.Add(1)
	}
	err = a.store.SetTagTime(ctx, softTagPrefix+tag, at)
	if hard && err == nil {
		err = a.store.SetTagTime(ctx, hardTagPrefix+tag, at)
	}
	a.tagWrites.RUnlock()
	if forgotten != nil {
		// Not ctx: a client that hangs up must not leave the floor
		// unrecorded.
		a.forgetTagTimes(context.WithoutCancel(ctx), forgotten)
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
func (a *App) regenerateStale() { a.cache.regenerateStale(a.now().UnixNano()) }

type appKey struct{}

// routeHandler wraps a route.go's handler (runtime.Handler).
func (a *App) routeHandler(h echo.HandlerFunc) echo.HandlerFunc { return a.wrapRoute(h, false) }

// wrapRoute wraps a route.go's handler: unsafe methods from other sites are
// refused unless crossOrigin (the route.go's AllowCrossOrigin), and a Flush
// extends the write deadline (deadlineWriter).
func (a *App) wrapRoute(h echo.HandlerFunc, crossOrigin bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !crossOrigin {
			if err := a.checkCrossOrigin(r); err != nil {
				return err
			}
		}
		if key, _, err := a.enter(c, true); key == "" {
			return err
		}
		defer removeUploads(c, r)
		res := c.Response()
		res.Writer = &deadlineWriter{ResponseWriter: res.Writer, r: r}
		return callHandler(h, c)
	}
}

// removeUploads deletes the temporary files of a multipart form that the
// handler parsed on a copy of the server's request r (the one Handler gave
// a context, or another it made itself). net/http removes those of r's own
// form only, so without this every upload past the form's 32 MiB in memory
// would stay on disk for good, and anybody could fill the disk with POSTs.
func removeUploads(c echo.Context, r *http.Request) {
	if f := c.Request().MultipartForm; f != nil && f != r.MultipartForm {
		f.RemoveAll()
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
var errNoApp = errors.New("framework: no app in context: call from a page render or a handler wrapped by runtime.Handler, or use the App's method")

func withApp(ctx context.Context, f func(*App) error) error {
	a := appFrom(ctx)
	if a == nil {
		return errNoApp
	}
	return f(a)
}
