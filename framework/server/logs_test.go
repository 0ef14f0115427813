package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/isr-go/framework/framework"
)

// fetch GETs path from addr without following redirects or asking for
// gzip, so that the body read is the body the server wrote.
func fetch(t *testing.T, addr, path string) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestServeRequestLogs(t *testing.T) {
	addr, stop := serveArgs(t, "--cache-dir", t.TempDir(), "--log-requests")
	_, miss := fetch(t, addr, "/blog/3?token=s3cret")
	_, hit := fetch(t, addr, "/blog/3")
	if res, _ := fetch(t, addr, "/blog/3/"); res.StatusCode != http.StatusPermanentRedirect {
		t.Fatalf("/blog/3/: %d, want 308", res.StatusCode)
	}
	stderr := stop() // every request's line is written once it is served

	for _, want := range []struct {
		cache string
		bytes int
	}{{"MISS", len(miss)}, {"HIT", len(hit)}} {
		re := regexp.MustCompile(`(?m)^time=\S+ level=INFO msg="framework: request" method=GET path=/blog/3 status=200 cache=` + want.cache + ` bytes=(\d+) duration=\d\S*s$`)
		m := re.FindStringSubmatch(stderr)
		if m == nil {
			t.Errorf("no request line for the %s of /blog/3 (%s) in:\n%s", want.cache, re, stderr)
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n != want.bytes || n == 0 {
			t.Errorf("%s of /blog/3 logged %s bytes, the client read %d", want.cache, m[1], want.bytes)
		}
	}
	if !strings.Contains(stderr, `method=GET path=/blog/3/ status=308 cache="" bytes=`) {
		t.Errorf("no request line for the redirect of /blog/3/ in:\n%s", stderr)
	}
	if strings.Contains(stderr, "s3cret") {
		t.Errorf("the query was logged:\n%s", stderr)
	}
}

// TestServeNoRequestLogsByDefault: request logs are opt-in.
func TestServeNoRequestLogsByDefault(t *testing.T) {
	addr, stop := serveArgs(t, "--cache-dir", t.TempDir())
	fetch(t, addr, "/blog/3")
	stderr := stop()
	if !strings.Contains(stderr, "framework: serving") {
		t.Fatalf("the server's log was not captured: %q", stderr)
	}
	if strings.Contains(stderr, "framework: request") {
		t.Fatalf("request logged without --log-requests:\n%s", stderr)
	}
}

// TestServeJSONLogs: FRAMEWORK_LOG_FORMAT=json makes every line of the
// server's log a JSON object, the request lines' numbers numbers.
func TestServeJSONLogs(t *testing.T) {
	t.Setenv("FRAMEWORK_LOG_FORMAT", "json")
	t.Setenv("FRAMEWORK_LOG_REQUESTS", "1")
	addr, stop := serveArgs(t, "--cache-dir", t.TempDir())
	_, body := fetch(t, addr, "/blog/4")
	stderr := stop()

	var serving, request map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("log line not JSON: %q: %v", line, err)
		}
		switch {
		case v["msg"] == "framework: serving":
			serving = v
		case v["msg"] == "framework: request" && v["path"] == "/blog/4":
			request = v
		}
	}
	if serving == nil || serving["build"] != "development" {
		t.Errorf("no serving line in:\n%s", stderr)
	}
	if request == nil {
		t.Fatalf("no request line for /blog/4 in:\n%s", stderr)
	}
	for k, want := range map[string]any{"level": "INFO", "method": "GET", "status": 200.0, "cache": "MISS", "bytes": float64(len(body))} {
		if request[k] != want {
			t.Errorf("request line %s = %#v, want %#v", k, request[k], want)
		}
	}
	if d, ok := request["duration"].(float64); !ok || d <= 0 {
		t.Errorf("request line duration = %#v, want nanoseconds", request["duration"])
	}
}

func TestRunLogFormatUsage(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"--addr", "127.0.0.1:0", "--cache-dir", dir, "--log-format", "logfmt"}, nil, register(nil), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), `"logfmt"`) || !strings.Contains(errOut.String(), "text or json") {
		t.Fatalf("--log-format logfmt: exit %d, %q; want 2 naming the value and the choices", code, errOut.String())
	}
}

// benchWriter is a ResponseWriter that keeps nothing, so that the
// benchmarks measure the server, not a recorder.
type benchWriter struct {
	h      http.Header
	status int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(status int)      { w.status = status }

// benchmarkHit serves a cached page through the server's handler, with
// request logs on or off. Logged lines are formatted as in production
// (text) and written nowhere.
func benchmarkHit(b *testing.B, logRequests bool) {
	routes := testRoutes(&source{}, "")
	app, err := framework.New(framework.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	h := handler(app, nil, register(routes), DefaultLimits().MaxBodyBytes, logRequests, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest(http.MethodGet, "/blog/7", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	w := &benchWriter{h: http.Header{}}
	h.ServeHTTP(w, req) // the miss that caches it
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	if got := w.h.Get("X-Framework-Cache"); got != "HIT" {
		b.Fatalf("served %s, want %s", got, "HIT")
	}
}

func BenchmarkHit(b *testing.B)       { benchmarkHit(b, false) }
func BenchmarkHitLogged(b *testing.B) { benchmarkHit(b, true) }
