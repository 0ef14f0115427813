package framework

import (
	"net/http"
	"time"
)

// deadlineWriter is the ResponseWriter of a route handler. Each Flush
// first moves the connection's write deadline (the server's WriteTimeout)
// that far past now, so that a handler that streams (server-sent events, a
// long download flushed as it goes) runs as long as it keeps flushing,
// while a client that stops reading is still cut off one WriteTimeout after
// the last flush. A handler that sets a deadline itself
// (http.ResponseController.SetWriteDeadline; the zero time for none) keeps
// it: Flush then leaves the deadline alone.
type deadlineWriter struct {
	http.ResponseWriter
	r   *http.Request
	own bool // the handler set its own deadline
}

// FlushError extends the write deadline, then flushes.
func (w *deadlineWriter) FlushError() error {
	if !w.own {
		if srv, _ := w.r.Context().Value(http.ServerContextKey).(*http.Server); srv != nil && srv.WriteTimeout > 0 {
			// An error means the connection cannot take deadlines; the
			// flush below then says what is wrong, if anything.
			_ = http.NewResponseController(w.ResponseWriter).SetWriteDeadline(time.Now().Add(srv.WriteTimeout))
		}
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for http.Flusher's users.
func (w *deadlineWriter) Flush() { _ = w.FlushError() }

// SetWriteDeadline sets the handler's own deadline, which Flush then keeps.
func (w *deadlineWriter) SetWriteDeadline(t time.Time) error {
	w.own = true
	return http.NewResponseController(w.ResponseWriter).SetWriteDeadline(t)
}

// Unwrap gives http.ResponseController the writer underneath, for Hijack
// and the read deadline.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
