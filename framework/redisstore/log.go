package redisstore

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/isr-go/framework/framework/internal/ratelog"
)

// go-redis writes its own lines (a failed dial, a pool problem) straight to
// stderr in the log package's format. Sent to slog's default logger
// instead, they take the server's format (FRAMEWORK_LOG_FORMAT=json for a
// log collector) like every other line.
func init() { redis.SetLogger(redisLogger{}) }

// redisLogger sends go-redis's lines to slog as warnings, at most
// 20 a minute: while Redis is down go-redis logs every failed
// dial, and the store already says once that it is failing.
type redisLogger struct{}

var redisLog = ratelog.Limiter{Prefix: "redis: ", Burst: 20}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	redisLog.Log(ctx, slog.LevelWarn, fmt.Sprintf(format, v...))
}
