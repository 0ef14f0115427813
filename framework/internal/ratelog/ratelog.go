// Package ratelog sends the log lines of a library the stores wrap (Badger,
// go-redis) to slog, at most a burst of them a minute: those libraries log on
// every failed operation, and a damaged file or an unreachable server would
// otherwise flood the log, which the store guard already tells once.
package ratelog

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// A Limiter passes at most Burst lines a minute to slog, each with Prefix,
// and says how many it dropped when the minute is over.
type Limiter struct {
	Prefix string // "badger: "
	Burst  int

	mu         sync.Mutex
	start      time.Time
	lines      int
	suppressed int
}

// Log logs msg at level unless the minute's burst is spent.
func (l *Limiter) Log(ctx context.Context, level slog.Level, msg string) {
	l.mu.Lock()
	if now := time.Now(); now.Sub(l.start) >= time.Minute {
		if l.suppressed > 0 {
			slog.Warn(l.Prefix+"log lines suppressed", "count", l.suppressed)
		}
		l.start, l.lines, l.suppressed = now, 0, 0
	}
	l.lines++
	if l.lines > l.Burst {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	msg = strings.TrimSpace(msg)
	if !strings.HasPrefix(msg, l.Prefix) {
		msg = l.Prefix + msg
	}
	slog.Log(ctx, level, msg)
}
