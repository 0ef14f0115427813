package framework

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// by runtime.Handler; elsewhere use App.RevalidatePath.
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
// same whatever the number of entries: nothing is scanned or deleted. (Past
// Options.TagTimeLimit, one call in a tenth of the limit sorts the names to
// forget the oldest.)
func (a *App) revalidate(ctx context.Context, tag string, hard bool, opts []RevalidateOption) error {
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
	err := a.store.SetTagTime(ctx, softTagPrefix+tag, at)
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
func (a *App) regenerateStale() {
	now := a.now().UnixNano()
	a.hot.each(func(path string, e *entry) {
		if src := e.source.Load(); src != nil && a.tags.freshness(e, now) != fresh {
			a.regenerate(src.page, path, src.params)
		}
	})
}

type appKey struct{}

// routeHandler wraps a route.go's handler (runtime.Handler).
func (a *App) routeHandler(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if key, ok, status := canonicalPath(r.URL); !ok {
			return redirectCanonical(c, key, status)
		}
		ctx := a.Context(r.Context())
		if a.isDraft(r) {
			ctx = withDraftMode(ctx)
		}
		c.SetRequest(r.WithContext(ctx))
		defer removeUploads(c, r)
		return h(c)
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

// RevalidateEndpoint is the path of the on-demand revalidation endpoint.
const RevalidateEndpoint = "/_framework/revalidate"

// maxRevalidateBody bounds the JSON a revalidation request may send; a
// larger body is answered 413.
const maxRevalidateBody = 1 << 20

// RevalidateRequest is the JSON body of POST /_framework/revalidate.
type RevalidateRequest struct {
	Paths   []string `json:"paths,omitempty"`   // pages to revalidate
	Layouts []string `json:"layouts,omitempty"` // paths whose every page below to revalidate
	Tags    []string `json:"tags,omitempty"`    // data tags to revalidate
	Expire  bool     `json:"expire,omitempty"`  // expire (render fresh) instead of mark stale
	Eager   bool     `json:"eager,omitempty"`   // regenerate right away
}

// register adds the app's own routes to e (runtime.Register).
func (a *App) register(e *echo.Echo) {
	e.POST(RevalidateEndpoint, a.serveRevalidate)
	e.Match([]string{http.MethodGet, http.MethodHead}, HealthPath, echo.WrapHandler(http.HandlerFunc(a.ServeHealth)))
	a.registerImages(e)
	if a.opts.Metrics {
		e.GET(MetricsPath, echo.WrapHandler(http.HandlerFunc(a.ServeMetrics)))
	}
}

// revalidateError is the JSON body of every error answer of the revalidation
// endpoint: {"error": "..."}, with "limit" when a limit was passed.
type revalidateError struct {
	Error string `json:"error"`
	Limit int64  `json:"limit,omitempty"`
}

// revalidateFail answers a refused revalidation call.
func revalidateFail(c echo.Context, status int, limit int64, msg string) error {
	return c.JSON(status, revalidateError{Error: strings.TrimPrefix(msg, "framework: "), Limit: limit})
}

// serveRevalidate is the on-demand revalidation endpoint. It answers 404
// when no secret is configured and 401 to a wrong or missing one. A call past
// a limit (Options.RevalidateLimit names, maxTagLength bytes a name,
// maxRevalidateBody bytes) is refused whole: nothing an outsider sends grows
// the server's state past them, and nothing is recorded unless all of it is
// valid.
func (a *App) serveRevalidate(c echo.Context) error {
	secret := a.opts.RevalidateSecret
	if secret == "" {
		return revalidateFail(c, http.StatusNotFound, 0, "revalidation is disabled: FRAMEWORK_REVALIDATE_SECRET is not set")
	}
	token, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	// Comparing digests keeps the time constant whatever the lengths.
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(secret))
	if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		c.Response().Header().Set("WWW-Authenticate", "Bearer")
		return revalidateFail(c, http.StatusUnauthorized, 0, "wrong or missing bearer token")
	}
	var body RevalidateRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxRevalidateBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&body)
	if err == nil {
		// One JSON object, nothing after it.
		if _, err = dec.Token(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("data after the JSON object")
		}
	}
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return revalidateFail(c, http.StatusRequestEntityTooLarge, maxRevalidateBody,
			fmt.Sprintf("body over %d bytes (1 MiB)", maxRevalidateBody))
	}
	if err != nil {
		return revalidateFail(c, http.StatusBadRequest, 0, "body: "+err.Error())
	}
	n := len(body.Paths) + len(body.Layouts) + len(body.Tags)
	if n == 0 {
		return revalidateFail(c, http.StatusBadRequest, 0, `body: nothing to revalidate: give "paths", "layouts" or "tags"`)
	}
	if limit := a.opts.RevalidateLimit; n > limit {
		return revalidateFail(c, http.StatusRequestEntityTooLarge, int64(limit),
			fmt.Sprintf("at most %d paths, layouts and tags in one call (Options.RevalidateLimit), got %d", limit, n))
	}
	// Check everything before changing anything.
	bad := func() error {
		for _, p := range body.Paths {
			if _, err := pathRevalidationTag(p, nil); err != nil {
				return err
			}
		}
		for _, p := range body.Layouts {
			if _, err := pathRevalidationTag(p, []RevalidateOption{Layout}); err != nil {
				return err
			}
		}
		for _, t := range body.Tags {
			if err := checkTag(t); err != nil {
				return err
			}
		}
		return nil
	}()
	if bad != nil {
		var limit int64
		if le := (*limitError)(nil); errors.As(bad, &le) {
			limit = le.limit
		}
		return revalidateFail(c, http.StatusBadRequest, limit, bad.Error())
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
		return revalidateFail(c, http.StatusServiceUnavailable, 0, err.Error())
	}
	return c.JSON(http.StatusOK, map[string]any{"revalidated": true, "now": a.now().UnixMilli()})
}
