package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// newLogger returns the server's logger, writing to w in format: "text"
// (or "", the default) for people, "json" for log collectors.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format %q (FRAMEWORK_LOG_FORMAT): want text or json", format)
}

// requestLog wraps h so that each request it answers is one log line:
// method, path (as the client escaped it, so that a non-canonical spelling
// shows beside its 308; without the query, which may carry tokens or
// personal data), status, X-Framework-Cache, bytes of body written and
// duration, and the trace_id and span_id of a request that is traced and
// sampled (App.Trace, outside this handler).
// serve installs it only when request logs are on, so that the hit path
// pays nothing for them when they are off.
func requestLog(h http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &loggedWriter{ResponseWriter: w}
		h.ServeHTTP(lw, r)
		status := lw.status
		if status == 0 {
			// A handler that writes nothing answers 200 (net/http).
			status = http.StatusOK
		}
		ctx := r.Context()
		if !logger.Enabled(ctx, slog.LevelInfo) {
			return
		}
		// A record made here, with no caller's PC, rather than
		// logger.LogAttrs: the source line would always be this one, and
		// finding it costs a tenth of the line.
		end := time.Now()
		rec := slog.NewRecord(end, slog.LevelInfo, "framework: request", 0)
		rec.AddAttrs(
			slog.String("method", r.Method),
			slog.String("path", r.URL.EscapedPath()),
			slog.Int("status", status),
			slog.String("cache", w.Header().Get("X-Framework-Cache")),
			slog.Int64("bytes", lw.bytes),
			slog.Duration("duration", end.Sub(start)),
		)
		if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
			// A sampled request's line leads to its trace.
			rec.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
		}
		logger.Handler().Handle(ctx, rec)
	})
}

// loggedWriter records the status and the body bytes of a response for
// requestLog.
type loggedWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *loggedWriter) WriteHeader(status int) {
	// 1xx are informational (103 Early Hints): the final status follows.
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *loggedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush flushes a streaming response (server-sent events), for handlers
// that look for http.Flusher rather than use http.ResponseController.
func (w *loggedWriter) Flush() {
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer, for
// Hijack (WebSockets), deadlines and Flush.
func (w *loggedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logFatal reports err, which ends the command: under the JSON format as a
// log line, which a log collector parses; as it is otherwise, for people.
func logFatal(stderr io.Writer, logger *slog.Logger, format string, err error) {
	if format == "json" {
		logger.Error(err.Error())
		return
	}
	fmt.Fprintln(stderr, err)
}
