package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// go-redis writes its own lines (a failed dial, a pool problem) straight to
// stderr in the log package's format. Sent to slog's default logger
// instead, they take the server's format (FRAMEWORK_LOG_FORMAT=json for a
// log collector) like every other line.
func init() { redis.SetLogger(redisLogger{}) }

// redisLogger sends go-redis's lines to slog as warnings, at most
// redisLogBurst a minute: while Redis is down go-redis logs every failed
// dial, and the store already says once that it is failing.
type redisLogger struct{}

const redisLogBurst = 20

var redisLogWindow struct {
	mu         sync.Mutex
	start      time.Time
	lines      int
	suppressed int
}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	w := &redisLogWindow
	w.mu.Lock()
	if now := time.Now(); now.Sub(w.start) >= time.Minute {
		if w.suppressed > 0 {
			slog.Warn("redis: log lines suppressed", "count", w.suppressed)
		}
		w.start, w.lines, w.suppressed = now, 0, 0
	}
	w.lines++
	if w.lines > redisLogBurst {
		w.suppressed++
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	msg := strings.TrimSpace(fmt.Sprintf(format, v...))
	if !strings.HasPrefix(msg, "redis: ") {
		msg = "redis: " + msg
	}
	slog.Log(ctx, slog.LevelWarn, msg)
}
