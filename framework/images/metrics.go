package images

import (
	"net/http"
	"slices"
	"sort"
	"sync/atomic"
	"time"
)

// renderBuckets are the upper bounds, in seconds, of the render-time
// histogram: from a thumbnail to a 50-megapixel source on a busy machine.
var renderBuckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// refusalReasons name the kinds of refused requests, by the status they
// are answered with (refusalReason).
var refusalReasons = [...]string{"bad_request", "method", "not_found", "changed", "too_large", "not_an_image", "undecodable", "remote", "busy"}

// refusalReason is the index in refusalReasons of a refusal's status.
func refusalReason(status int) int {
	switch status {
	case http.StatusMethodNotAllowed:
		return 1
	case http.StatusNotFound:
		return 2
	case http.StatusConflict:
		return 3
	case http.StatusRequestEntityTooLarge:
		return 4
	case http.StatusUnsupportedMediaType:
		return 5
	case http.StatusUnprocessableEntity:
		return 6
	case http.StatusBadGateway:
		return 7
	case http.StatusServiceUnavailable:
		return 8
	}
	return 0
}

// counters are a Server's atomic counts: a request adds to one at most,
// without a lock.
type counters struct {
	renderCounts [len(renderBuckets) + 1]atomic.Uint64 // then +Inf
	renderNanos  atomic.Int64
	refusals     [len(refusalReasons)]atomic.Uint64
}

func (c *counters) rendered(d time.Duration) {
	c.renderCounts[sort.SearchFloat64s(renderBuckets[:], d.Seconds())].Add(1)
	c.renderNanos.Add(int64(d))
}

// Metrics are a Server's counts since it was made, for Prometheus.
type Metrics struct {
	// Renders are the variants rendered (decoded, resized and encoded,
	// successfully or not), and RenderSeconds their time in all.
	Renders       uint64
	RenderSeconds float64
	// RenderCounts[i] are the renders that took at most RenderBuckets[i]
	// seconds: a cumulative histogram.
	RenderBuckets []float64
	RenderCounts  []uint64
	// Refusals[i] are the requests refused for RefusalReasons[i]: a
	// bad_request is a query no variant answers (a width not listed, a
	// path out of public/, a host off the allow-list), the others are
	// named after their status.
	RefusalReasons []string
	Refusals       []uint64
}

// Metrics returns the Server's counts; a nil Server's are zeros.
func (s *Server) Metrics() Metrics {
	m := Metrics{
		RenderBuckets:  slices.Clone(renderBuckets[:]),
		RenderCounts:   make([]uint64, len(renderBuckets)),
		RefusalReasons: slices.Clone(refusalReasons[:]),
		Refusals:       make([]uint64, len(refusalReasons)),
	}
	if s == nil {
		return m
	}
	for i := range s.counts.renderCounts {
		m.Renders += s.counts.renderCounts[i].Load()
		if i < len(renderBuckets) {
			m.RenderCounts[i] = m.Renders
		}
	}
	m.RenderSeconds = time.Duration(s.counts.renderNanos.Load()).Seconds()
	for i := range m.Refusals {
		m.Refusals[i] = s.counts.refusals[i].Load()
	}
	return m
}
