package main_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// raw sends req, a whole HTTP/1.1 request as an attacker writes it, on
// its own connection to the blog, and reads the response (nil body for
// HEAD).
func (b *blog) raw(req string) response {
	b.t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(b.base, "http://"), waitTimeout)
	if err != nil {
		b.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := io.WriteString(conn, req); err != nil {
		b.t.Fatal(err)
	}
	method, _, _ := strings.Cut(req, " ")
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		b.t.Fatalf("%.80q: %v", req, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(body)}
}

// metric returns the value of a gauge or counter without labels from
// /metrics.
func (b *blog) metric(name string) float64 {
	b.t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(b.get("/metrics").body)
	if m == nil {
		b.t.Fatalf("no %s in /metrics", name)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// TestBlogUnderAttack sends the built blog, over real HTTP, what an outsider
// tries first: odd spellings of paths, methods, spoofed hosts, forged
// cookies, huge headers and bodies, the revalidation endpoint without its
// secret. None may answer 5xx, and after each one a second client still
// gets /blog/1 as the same HIT, and robots.txt and the sitemap name the
// real host. Then growth: distinct query strings add no entries, and a
// revalidation of paths that do not exist evicts no page.
func TestBlogUnderAttack(t *testing.T) {
	b := buildBlog(t)
	const secret = "attack-test-secret-0123456789abcdef0123456789"
	b.env = append(b.env, "FRAMEWORK_METRICS=1", "FRAMEWORK_REVALIDATE_SECRET="+secret)
	b.start()
	host := strings.TrimPrefix(b.base, "http://")

	control := b.get("/blog/1")
	if control.status != 200 || control.header.Get("X-Framework-Cache") != "HIT" {
		t.Fatalf("/blog/1: %d %s", control.status, control.header.Get("X-Framework-Cache"))
	}
	check := func(after string) {
		t.Helper()
		if r := b.get("/blog/1"); r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" || r.body != control.body {
			t.Fatalf("after %s: /blog/1 answers %d %s, same bytes %v", after, r.status, r.header.Get("X-Framework-Cache"), r.body == control.body)
		}
		for _, p := range []string{"/robots.txt", "/sitemap.xml"} {
			if r := b.get(p); r.status != 200 || strings.Contains(r.body, "evil") || !strings.Contains(r.body, host) {
				t.Fatalf("after %s: %s answers %d %.200q", after, p, r.status, r.body)
			}
		}
	}

	// multipartForm is a form with a file of n bytes, for POST /greeting.
	multipartForm := func(n int) (string, string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("name", "Ada")
		f, _ := w.CreateFormFile("f", "big.bin")
		f.Write(make([]byte, n))
		w.Close()
		return w.FormDataContentType(), body.String()
	}
	bigType, bigBody := multipartForm(2 << 20)
	get := func(target string, header ...string) string {
		return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + strings.Join(header, "") + "Connection: close\r\n\r\n"
	}
	const anyClientError = -1 // a 4xx, whichever
	for _, tc := range []struct {
		name, req string
		want      int
		cache     string // X-Framework-Cache wanted, when not ""
	}{
		{"encoded slash in a param", get("/blog/1%2F"), 404, ""},
		{"encoded slash between segments", get("/blog%2F1"), 404, ""},
		{"encoded dot segments", get("/blog/%2e%2e/blog/1"), 308, ""},
		{"dot segments out of a private path", get("/_framework/../blog/1"), 308, ""},
		{"a matrix param", get("/blog/1;x=1"), 404, ""},
		{"NUL", get("/blog/1%00"), 400, ""},
		{"a control byte", get("/blog/%01"), 404, ""},
		{"overlong UTF-8 dots", get("/blog/%C0%AE%C0%AE"), 404, ""},
		{"malformed escape", get("/blog/%zz"), 400, ""},
		{"2 KiB path", get("/" + strings.Repeat("a", 2048)), 414, ""},
		{"1,000 segments", get(strings.Repeat("/a", 1000)), 404, ""},
		{"an exponent", get("/blog/1e3"), 404, ""},
		{"a negative id", get("/blog/-1"), 404, ""},
		{"a huge id", get("/blog/99999999999999999999999"), 404, ""},
		{"upper case", get("/BLOG/1"), 404, ""},
		{"a query string", get("/blog/1?utm_source=x&draft=1"), 200, "HIT"},
		{"a sitemap part that does not exist", get("/sitemap-999999.xml"), 404, ""},
		{"a zero-padded sitemap part", get("/sitemap-01.xml"), 404, ""},
		{"traversal to the sources", get("/..%2fgo.mod"), 308, ""},
		{"a public file from its folder", get("/public/styles.css"), 404, ""},
		{"HEAD", "HEAD /blog/1 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", 200, "HIT"},
		{"PUT", "PUT /blog/1 HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 405, ""},
		{"DELETE", "DELETE /blog/1 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", 405, ""},
		{"TRACE", "TRACE /blog/1 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", anyClientError, ""},
		{"OPTIONS", "OPTIONS /blog/1 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", anyClientError, ""},
		{"no Host", "GET /blog/1 HTTP/1.1\r\nConnection: close\r\n\r\n", 400, ""},
		{"a spoofed Host on robots.txt", "GET /robots.txt HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n", 200, ""},
		{"a spoofed Host on the sitemap", "GET /sitemap.xml HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n", 200, ""},
		{"an absolute URL with another host", "GET http://evil.com/sitemap.xml HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", 200, ""},
		{"X-Forwarded-Host", get("/sitemap.xml", "X-Forwarded-Host: evil.com\r\n", "X-Forwarded-Proto: https\r\n"), 200, ""},
		{"X-Forwarded-Host on a page", get("/blog/1", "X-Forwarded-Host: evil.com\r\n"), 200, "HIT"},
		{"70 KB of headers", get("/blog/1", "X-Junk: "+strings.Repeat("a", 70000)+"\r\n"), 431, ""},
		{"1,000 cookies", get("/blog/1", "Cookie: "+strings.Repeat("c=v; ", 1000)+"\r\n"), 200, "HIT"},
		{"a forged draft cookie", get("/blog/1", "Cookie: __framework_draft=9999999999.AAAA\r\n"), 200, "HIT"},
		{"a bogus If-None-Match", get("/blog/1", `If-None-Match: W/"`+"\r\n"), 200, "HIT"},
		{"If-None-Match: *", get("/blog/1", "If-None-Match: *\r\n"), 304, "HIT"},
		{"gzip refused", get("/blog/1", "Accept-Encoding: gzip;q=0, identity;q=0\r\n"), 200, "HIT"},
		{"a Range", get("/blog/1", "Range: bytes=0-10\r\n"), 200, "HIT"},
		{"revalidate without a secret", "POST /_framework/revalidate HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 14\r\nConnection: close\r\n\r\n" + `{"tags":["x"]}`, 401, ""},
		{"revalidate with a wrong secret", "POST /_framework/revalidate HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + secret + "x\r\nContent-Length: 14\r\nConnection: close\r\n\r\n" + `{"tags":["x"]}`, 401, ""},
		{"the admin without a password", get("/admin/preview?path=//evil.com"), 401, ""},
	} {
		r := b.raw(tc.req)
		if r.status >= 500 || (tc.want == anyClientError && (r.status < 400 || r.status > 499)) || (tc.want > 0 && r.status != tc.want) {
			t.Errorf("%s: %d %.100q, want %d", tc.name, r.status, r.body, tc.want)
		}
		if tc.cache != "" && r.header.Get("X-Framework-Cache") != tc.cache {
			t.Errorf("%s: X-Framework-Cache %q, want %q", tc.name, r.header.Get("X-Framework-Cache"), tc.cache)
		}
		if tc.want == 200 && strings.Contains(tc.req, "gzip;q=0") && r.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding %q", tc.name, r.header.Get("Content-Encoding"))
		}
		check(tc.name)
	}

	// A 2 MiB upload is refused before it is read. (Go's client, unlike a
	// raw write, reads the answer the server sends while the body is still
	// being written, before it closes the connection.)
	req, _ := http.NewRequest(http.MethodPost, b.base+"/greeting", strings.NewReader(bigBody))
	req.Header.Set("Content-Type", bigType)
	if r := b.do(nil, req); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB upload: %d %.100q, want 413", r.status, r.body)
	}
	check("a 2 MiB upload")
	// A person's browser is told so on the blog's error page, not in JSON.
	req, _ = http.NewRequest(http.MethodPost, b.base+"/greeting", strings.NewReader(bigBody))
	req.Header.Set("Content-Type", bigType)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if r := b.do(nil, req); r.status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.body, "The ISR Blog") || !strings.Contains(r.body, "request body over 1048576 bytes") {
		t.Errorf("a 2 MiB upload from a browser: %d %s %.300q, want the blog's 413 page with the message", r.status, r.header.Get("Content-Type"), r.body)
	}
	// Sent without a length (chunked), it is cut at the limit: the form
	// cannot be read, which is a 413 too, not an empty name that forgets
	// the visitor's.
	req, _ = http.NewRequest(http.MethodPost, b.base+"/greeting", io.MultiReader(strings.NewReader(bigBody)))
	req.Header.Set("Content-Type", bigType)
	if r := b.do(nil, req); r.status != http.StatusRequestEntityTooLarge || r.header.Get("Set-Cookie") != "" {
		t.Errorf("a 2 MiB upload without a length: %d, Set-Cookie %q, want 413 and none", r.status, r.header.Get("Set-Cookie"))
	}
	check("a 2 MiB upload without a length")

	// A method a route.go does not export is a 405 naming the ones it
	// does (OPTIONS a 204), as Next.js answers, not the 404 page; HEAD goes
	// through GET.
	exit := b.get("/preview/exit")
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/greeting", http.StatusMethodNotAllowed, "POST, OPTIONS"},
		{http.MethodPut, "/greeting", http.StatusMethodNotAllowed, "POST, OPTIONS"},
		{http.MethodOptions, "/greeting", http.StatusNoContent, "POST, OPTIONS"},
		{http.MethodDelete, "/preview/exit", http.StatusMethodNotAllowed, "GET, HEAD, OPTIONS"},
		{http.MethodHead, "/preview/exit", exit.status, ""},
	} {
		req, _ := http.NewRequest(tc.method, b.base+tc.path, nil)
		r := b.do(nil, req)
		if r.status != tc.status || r.header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d, Allow %q; want %d, %q", tc.method, tc.path, r.status, r.header.Get("Allow"), tc.status, tc.allow)
		}
		check(tc.method + " " + tc.path)
	}

	// Distinct query strings on cached pages are all the same HITs and add
	// no entry.
	entries := b.metric("framework_memory_cache_entries")
	notFound := b.metric("framework_not_found_cache_entries")
	for i := range 300 {
		if r := b.get(fmt.Sprintf("/blog/1?q=%d", i)); r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" || r.body != control.body {
			t.Fatalf("/blog/1?q=%d: %d %s", i, r.status, r.header.Get("X-Framework-Cache"))
		}
	}
	if e, n := b.metric("framework_memory_cache_entries"), b.metric("framework_not_found_cache_entries"); e != entries || n != notFound {
		t.Errorf("300 query strings: %v pages and %v 404s cached, were %v and %v", e, n, entries, notFound)
	}

	// A revalidation of 1,000 paths that do not exist is accepted and
	// leaves every page fresh.
	var paths []string
	for i := range 1000 {
		paths = append(paths, fmt.Sprintf(`"/no/such/page/%d"`, i))
	}
	body := `{"paths":[` + strings.Join(paths, ",") + `]}`
	r := b.raw("POST /_framework/revalidate HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + secret + "\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body)
	if r.status != 200 {
		t.Fatalf("revalidate 1,000 unknown paths: %d %s", r.status, r.body)
	}
	check("a revalidation of 1,000 unknown paths")
	if r := b.get("/blog/2"); r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" {
		t.Errorf("/blog/2 after a revalidation of unknown paths: %d %s", r.status, r.header.Get("X-Framework-Cache"))
	}
}
