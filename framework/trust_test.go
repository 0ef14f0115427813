package framework

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestShortRevalidateSecretRefused: an app does not start with a
// revalidation secret that can be guessed, and says how to make one.
func TestShortRevalidateSecretRefused(t *testing.T) {
	for _, secret := range []string{"secret", "bench", strings.Repeat("x", MinRevalidateSecret-1)} {
		a, err := New(Options{RevalidateSecret: secret})
		if err == nil {
			a.Close()
			t.Fatalf("a %d-byte secret was taken", len(secret))
		}
		if !strings.Contains(err.Error(), "openssl rand -hex 32") || !strings.Contains(err.Error(), "FRAMEWORK_REVALIDATE_SECRET") {
			t.Errorf("%q: %v; want it to name the variable and how to make a secret", secret, err)
		}
	}
	a, err := New(Options{RevalidateSecret: strings.Repeat("x", MinRevalidateSecret)})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
}

// metricValue returns the line of the named metric in the app's metrics.
func metricValue(t *testing.T, a *App, name string) string {
	t.Helper()
	w := httptest.NewRecorder()
	a.ServeMetrics(w, httptest.NewRequest(http.MethodGet, MetricsPath, nil))
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, name+" ") {
			return line
		}
	}
	t.Fatalf("no %s in the metrics", name)
	return ""
}

// TestRevalidateRefusalsCountedAndLogged: every call with a wrong or
// missing secret is counted; the log says so at most once a minute, with
// how many there were.
func TestRevalidateRefusalsCountedAndLogged(t *testing.T) {
	logs := newLogBuffer()
	h := newHarness(t, Options{RevalidateSecret: strings.Repeat("s", 40), Logger: logs.logger()})
	for _, auth := range []string{"", "Bearer nope", "Bearer " + strings.Repeat("s", 39), "Basic x", "Bearer wrong"} {
		if r := h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(`{"tags":["a"]}`), "Authorization", auth); r.status != http.StatusUnauthorized {
			t.Fatalf("%q: %d, want 401", auth, r.status)
		}
	}
	if got := metricValue(t, h.app, "framework_revalidate_refused_total"); got != "framework_revalidate_refused_total 5" {
		t.Errorf("metric %q, want 5", got)
	}
	if n := strings.Count(logs.String(), "revalidation refused"); n != 1 {
		t.Fatalf("%d log lines for 5 refusals within a minute, want 1:\n%s", n, logs)
	}
	h.clock.Advance(61 * time.Second)
	h.do(http.MethodPost, RevalidateEndpoint, strings.NewReader(`{}`), "Authorization", "Bearer nope")
	if n := strings.Count(logs.String(), "revalidation refused"); n != 2 || !strings.Contains(logs.String(), "refused=5") {
		t.Fatalf("%d log lines after a minute, want 2, the first counting 5:\n%s", n, logs)
	}
}

// TestCrossOriginWrites: a route handler's POST that a browser sends from
// another site is refused 403 before the handler runs, as the app's error
// page for a browser and JSON for others; from the site itself, from a
// trusted origin, or without browser headers it runs; GET is never refused.
func TestCrossOriginWrites(t *testing.T) {
	h := newHarness(t, Options{TrustedOrigins: []string{"https://admin.example"}})
	ran := 0
	handler := func(c echo.Context) error { ran++; return c.String(http.StatusOK, "done") }
	h.e.POST("/api/save", h.app.routeHandler(handler))
	h.e.GET("/api/save", h.app.routeHandler(handler))
	h.e.POST("/api/hook", h.app.wrapRoute(handler, true))
	host := strings.TrimPrefix(h.srv.URL, "http://")
	for _, tc := range []struct {
		method, path string
		header       []string
		status       int
		body         string
	}{
		{"POST", "/api/save", []string{"Sec-Fetch-Site", "cross-site"}, 403, `"cross-origin request refused`},
		{"POST", "/api/save", []string{"Sec-Fetch-Site", "same-site"}, 403, ""},
		{"POST", "/api/save", []string{"Sec-Fetch-Site", "cross-site", "Accept", "text/html"}, 403, "<h1>403"},
		{"POST", "/api/save", []string{"Origin", "https://evil.example"}, 403, ""},
		{"POST", "/api/save", []string{"Origin", "http://" + host}, 200, "done"},
		{"POST", "/api/save", []string{"Sec-Fetch-Site", "same-origin"}, 200, "done"},
		{"POST", "/api/save", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://admin.example"}, 200, "done"},
		{"POST", "/api/save", nil, 200, "done"},
		{"GET", "/api/save", []string{"Sec-Fetch-Site", "cross-site"}, 200, "done"},
		{"POST", "/api/hook", []string{"Sec-Fetch-Site", "cross-site"}, 200, "done"},
	} {
		before := ran
		r := h.do(tc.method, tc.path, nil, tc.header...)
		if r.status != tc.status || !strings.Contains(r.body, tc.body) {
			t.Errorf("%s %s %v: %d %q, want %d with %q", tc.method, tc.path, tc.header, r.status, r.body, tc.status, tc.body)
		}
		if refused := ran == before; refused != (tc.status == 403) {
			t.Errorf("%s %s %v: the handler ran %v", tc.method, tc.path, tc.header, !refused)
		}
	}
	if got := metricValue(t, h.app, "framework_cross_origin_refused_total"); got != "framework_cross_origin_refused_total 4" {
		t.Errorf("metric %q, want 4", got)
	}
	if _, err := New(Options{TrustedOrigins: []string{"admin.example"}}); err == nil || !strings.Contains(err.Error(), "FRAMEWORK_TRUSTED_ORIGINS") {
		t.Errorf("a trusted origin without a scheme: %v, want an error naming the variable", err)
	}
}
