package framework

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework/images"
	"github.com/isr-go/framework/framework/internal/hook"
	"github.com/isr-go/framework/framework/store"
)

// ImageProps describe an image for Image: its Src in public/, its Alt (required;
// Decorative for alt=""), its Sizes and whether it has Priority.
type ImageProps = images.Props

// Image renders an <img> of a public/ file (or of an image on a host of
// Options.ImageHosts) through the image endpoint, /_framework/image: a
// srcset over Next.js's widths up to the file's own, its width and height
// read from the file's header, loading="lazy" and decoding="async", or
// fetchpriority="high" with Priority. Its URLs carry the file's content
// version, so browsers keep the variants for a year.
//
//	@framework.Image(framework.ImageProps{Src: "/photos/a.jpg", Alt: "A lake at dawn", Sizes: "(max-width: 768px) 100vw, 768px"})
//
// It renders in a page of an App (it finds the App in ctx); anywhere else,
// or with an empty Alt and no Decorative, it fails.
func Image(p ImageProps) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		a := appFrom(ctx)
		if a == nil {
			return errors.New("framework.Image rendered outside an App's page")
		}
		return a.imageServer().Render(ctx, w, p)
	})
}

// appImages is the App's image server, made at its first use: the public
// folder is recorded by generated code before then.
type appImages struct {
	once   sync.Once
	server *images.Server
	made   atomic.Pointer[images.Server] // server, once made: for the metrics
}

// imageServer returns the App's image server.
func (a *App) imageServer() *images.Server {
	a.images.once.Do(func() {
		opts := images.Options{
			Public:      hook.Public(),
			Cache:       a.store,
			RemoteHosts: a.opts.ImageHosts,
			Unoptimized: a.opts.UnoptimizedImages,
			Logger:      a.log,
		}
		if a.store.locker != nil {
			opts.Locker = storeLocker{a.store}
		}
		a.images.server = images.New(opts)
		a.images.made.Store(a.images.server)
	})
	return a.images.server
}

// storeLocker is the App's guarded store as the Locker it wraps.
type storeLocker struct{ s *guardedStore }

func (l storeLocker) TryLock(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	return l.s.TryLock(ctx, key, ttl)
}

var _ store.Locker = storeLocker{}

// registerImages serves the image endpoint.
func (a *App) registerImages(e *echo.Echo) {
	h := echo.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.imageServer().ServeHTTP(w, r)
	}))
	e.Match([]string{http.MethodGet, http.MethodHead}, images.Path, h)
}

// writeImageMetrics writes the image endpoint's metrics: zeros until its
// server is made, so that the series exist from the start.
func (a *App) writeImageMetrics(w *metricsWriter) {
	m := a.images.made.Load().Metrics()
	w.counter("framework_image_renders_total", "Image variants rendered (decoded, resized and encoded) rather than found in a cache.", m.Renders)
	w.family("framework_image_render_seconds", "histogram", "How long image variant renders take.")
	for i, le := range m.RenderBuckets {
		w.sample("framework_image_render_seconds_bucket", `le="`+strconv.FormatFloat(le, 'g', -1, 64)+`"`, float64(m.RenderCounts[i]))
	}
	w.sample("framework_image_render_seconds_bucket", `le="+Inf"`, float64(m.Renders))
	w.sample("framework_image_render_seconds_sum", "", m.RenderSeconds)
	w.sample("framework_image_render_seconds_count", "", float64(m.Renders))
	w.family("framework_image_refusals_total", "counter", "Image requests refused, by reason (bad_request: a width, quality, path or host not allowed).")
	for i, reason := range m.RefusalReasons {
		w.sample("framework_image_refusals_total", `reason="`+reason+`"`, float64(m.Refusals[i]))
	}
}
