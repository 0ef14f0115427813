package ratelog

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestLimiter: past the burst, lines are dropped (counted), and each line
// has the prefix once.
func TestLimiter(t *testing.T) {
	var buf bytes.Buffer
	defer func(l *slog.Logger) { slog.SetDefault(l) }(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	l := Limiter{Prefix: "lib: ", Burst: 3}
	for i := range 10 {
		msg := "failed dial"
		if i%2 == 0 {
			msg = "lib: failed read\n"
		}
		l.Log(context.Background(), slog.LevelWarn, msg)
	}
	if n := strings.Count(buf.String(), "\n"); n != 3 {
		t.Fatalf("%d lines logged, want the burst of 3:\n%s", n, buf.String())
	}
	if strings.Contains(buf.String(), "lib: lib:") || strings.Count(buf.String(), `msg="lib: `) != 3 {
		t.Fatalf("prefix not once per line:\n%s", buf.String())
	}
	if l.suppressed != 7 {
		t.Fatalf("suppressed %d, want 7", l.suppressed)
	}
}
