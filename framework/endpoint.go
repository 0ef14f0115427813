package framework

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

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

// register adds the app's own routes to e (runtime.Register): POST
// /_framework/revalidate, GET and HEAD /_framework/health, and GET /metrics
// when Options.Metrics is on; and makes httpErrorHandler e's error handler.
func (a *App) register(e *echo.Echo) {
	e.HTTPErrorHandler = a.httpErrorHandler
	if a.tracer != nil {
		e.Use(a.traceRoute)
	}
	e.POST(RevalidateEndpoint, a.serveRevalidate)
	a.registerImages(e)
	e.Match([]string{http.MethodGet, http.MethodHead}, HealthPath, echo.WrapHandler(http.HandlerFunc(a.ServeHealth)))
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

// A refusal is why a revalidation call is refused: its status, the limit
// passed if any, and the message.
type refusal struct {
	status int
	limit  int64
	msg    string
}

// serveRevalidate is the on-demand revalidation endpoint. It answers 404
// when no secret is configured and 401 to a wrong or missing one. A call past
// a limit (Options.RevalidateLimit names, maxTagLength bytes a name,
// maxRevalidateBody bytes) is refused whole: nothing an outsider sends grows
// the server's state past them, and nothing is recorded unless all of it is
// valid.
func (a *App) serveRevalidate(c echo.Context) error {
	body, no := a.authorizeRevalidate(c)
	if no == nil {
		body, no = decodeRevalidateRequest(c)
	}
	if no == nil {
		no = a.checkRevalidateRequest(body)
	}
	if no != nil {
		return c.JSON(no.status, revalidateError{Error: strings.TrimPrefix(no.msg, "framework: "), Limit: no.limit})
	}
	ctx := c.Request().Context()
	var errs []error
	for _, p := range body.Paths {
		errs = append(errs, a.revalidatePath(ctx, p, body.Expire))
	}
	for _, p := range body.Layouts {
		errs = append(errs, a.revalidatePath(ctx, p, body.Expire, AndBelow))
	}
	for _, t := range body.Tags {
		errs = append(errs, a.revalidateTag(ctx, t, body.Expire))
	}
	if body.Eager {
		a.regenerateStale()
	}
	if err := errors.Join(errs...); err != nil {
		return c.JSON(http.StatusServiceUnavailable, revalidateError{Error: strings.TrimPrefix(err.Error(), "framework: ")})
	}
	return c.JSON(http.StatusOK, map[string]any{"revalidated": true, "now": a.now().UnixMilli()})
}

// authorizeRevalidate refuses a call when revalidation is off or the bearer
// token is not the secret.
func (a *App) authorizeRevalidate(c echo.Context) (RevalidateRequest, *refusal) {
	secret := a.opts.RevalidateSecret
	if secret == "" {
		return RevalidateRequest{}, &refusal{http.StatusNotFound, 0, "revalidation is disabled: FRAMEWORK_REVALIDATE_SECRET is not set"}
	}
	token, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	// Comparing digests keeps the time constant whatever the lengths.
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(secret))
	if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		c.Response().Header().Set("WWW-Authenticate", "Bearer")
		a.metrics.revalidateRefused.Add(1)
		a.refusals.note(a.log, c.Request().RemoteAddr, a.clock.local())
		return RevalidateRequest{}, &refusal{http.StatusUnauthorized, 0, "wrong or missing bearer token"}
	}
	return RevalidateRequest{}, nil
}

// decodeRevalidateRequest reads the call's body: one JSON object of known
// fields, nothing after it, at most maxRevalidateBody bytes.
func decodeRevalidateRequest(c echo.Context) (RevalidateRequest, *refusal) {
	var body RevalidateRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxRevalidateBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&body)
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("data after the JSON object")
		}
	}
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return body, &refusal{http.StatusRequestEntityTooLarge, maxRevalidateBody, fmt.Sprintf("body over %d bytes (1 MiB)", maxRevalidateBody)}
	}
	if err != nil {
		return body, &refusal{http.StatusBadRequest, 0, "body: " + err.Error()}
	}
	return body, nil
}

// checkRevalidateRequest checks every name of the call before anything is
// changed.
func (a *App) checkRevalidateRequest(body RevalidateRequest) *refusal {
	n := len(body.Paths) + len(body.Layouts) + len(body.Tags)
	if n == 0 {
		return &refusal{http.StatusBadRequest, 0, `body: nothing to revalidate: give "paths", "layouts" or "tags"`}
	}
	if limit := a.opts.RevalidateLimit; n > limit {
		return &refusal{http.StatusRequestEntityTooLarge, int64(limit),
			fmt.Sprintf("at most %d paths, layouts and tags in one call (Options.RevalidateLimit), got %d", limit, n)}
	}
	var err error
	for _, p := range body.Paths {
		if _, err = pathRevalidationTag(p, nil); err != nil {
			break
		}
	}
	for _, p := range body.Layouts {
		if _, e := pathRevalidationTag(p, []RevalidateOption{AndBelow}); e != nil && err == nil {
			err = e
		}
	}
	for _, t := range body.Tags {
		if e := checkTag(t); e != nil && err == nil {
			err = e
		}
	}
	if err == nil {
		return nil
	}
	var limit int64
	if le := (*limitError)(nil); errors.As(err, &le) {
		limit = le.limit
	}
	return &refusal{http.StatusBadRequest, limit, err.Error()}
}

// refusalLog logs the revalidation endpoint's refusals at most once a
// minute, with how many there were: someone guessing the secret must not
// fill the log, but must show in it.
type refusalLog struct {
	mu      sync.Mutex
	last    time.Time // of the last line
	pending int       // refusals since
}

// note counts a refusal of a call from remote, and logs the count when the
// last line is a minute old.
func (l *refusalLog) note(log *slog.Logger, remote string, now time.Time) {
	l.mu.Lock()
	l.pending++
	if !l.last.IsZero() && now.Sub(l.last) < time.Minute {
		l.mu.Unlock()
		return
	}
	n := l.pending
	l.pending, l.last = 0, now
	l.mu.Unlock()
	log.Warn("framework: revalidation refused: wrong or missing secret (framework_revalidate_refused_total counts every one)", "refused", n, "last_from", remote)
}
