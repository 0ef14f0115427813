package framework

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// reports collects what an App logs and passes to OnError.
type reports struct {
	mu   sync.Mutex
	errs []*RenderError
	log  bytes.Buffer
}

func (r *reports) options() Options {
	return Options{
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &r.log}, nil)),
		OnError: func(_ context.Context, err *RenderError) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.errs = append(r.errs, err)
		},
	}
}

// take returns the errors reported since the last call and the log.
func (r *reports) take() ([]*RenderError, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs, log := r.errs, r.log.String()
	r.errs = nil
	r.log.Reset()
	return errs, log
}

// TestFailedRendersAreReported: a render that fails in a request is logged
// and passed to OnError once, whatever the page: one rendered per request
// (Revalidate 0), the not-found page, a cached page.
func TestFailedRendersAreReported(t *testing.T) {
	var rep reports
	h := newHarness(t, rep.options())
	s := newSource("v1")
	s.fail(errContent)
	h.page(Route{Pattern: "/dynamic", Render: s.render})
	h.page(isrRoute("/cached", time.Minute, s))
	h.e.RouteNotFound("/*", h.app.NotFound(Route{Pattern: "/*", NotFound: templ.ComponentFunc(func(context.Context, io.Writer) error {
		return errContent
	})}))
	for _, path := range []string{"/dynamic", "/cached", "/nowhere"} {
		r := h.get(path)
		if r.status != http.StatusInternalServerError {
			t.Fatalf("%s: %d, want 500", path, r.status)
		}
		errs, log := rep.take()
		if len(errs) != 1 || errs[0].Path != path || errs[0].Background || !errors.Is(errs[0], errContent) {
			t.Fatalf("%s: OnError got %v, want the failed render once", path, errs)
		}
		if strings.Count(log, "content unavailable") != 1 || !strings.Contains(log, "path="+path) {
			t.Fatalf("%s: log:\n%s", path, log)
		}
	}
}
