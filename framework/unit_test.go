package framework

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"log/slog"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEntryRoundTrip(t *testing.T) {
	body := []byte(strings.Repeat("<p>hello</p>", 100))
	e := newPageEntry(200, htmlContentType, "", body, nil, time.Unix(100, 5), time.Minute, time.Hour, []string{"a", "b"})
	got, err := decodeEntry(e.encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.status != 200 || got.contentType != htmlContentType || got.etag != e.etag ||
		got.generatedAt != e.generatedAt || got.revalidate != time.Minute || got.expire != time.Hour ||
		!reflect.DeepEqual(got.tags, e.tags) || !bytes.Equal(got.body, body) || !bytes.Equal(got.gzipBody, e.gzipBody) {
		t.Fatalf("round trip changed the entry: %v", got)
	}
	if e.gzipBody == nil || len(e.gzipBody) >= len(body) {
		t.Fatal("a repetitive body was not compressed")
	}
	small := newPageEntry(200, htmlContentType, "", []byte("<p>hi</p>"), nil, time.Unix(1, 0), time.Minute, 0, nil)
	if small.gzipBody != nil {
		t.Fatal("a tiny body was compressed")
	}
}

// TestEntryChecksum: an entry with any one byte changed, or cut short, is
// rejected, never decoded into a page with other bytes.
func TestEntryChecksum(t *testing.T) {
	e := newPageEntry(200, htmlContentType, "", []byte(strings.Repeat("<p>hello</p>", 100)), nil, time.Unix(100, 5), time.Minute, time.Hour, []string{"a"})
	b := e.encode()
	if _, err := decodeEntry(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		damaged := bytes.Clone(b)
		damaged[i] ^= 0x20
		if _, err := decodeEntry(damaged); err == nil {
			t.Fatalf("byte %d of %d flipped: decoded", i, len(b))
		}
	}
	for _, n := range []int{0, 1, len(b) / 2, len(b) - 1} {
		if _, err := decodeEntry(b[:n]); err == nil {
			t.Fatalf("cut to %d of %d bytes: decoded", n, len(b))
		}
	}
}

// sealEntry appends the checksum encode would: the fuzzer's bytes reach the
// parser behind the checksum.
func sealEntry(b []byte) []byte {
	return binary.BigEndian.AppendUint32(bytes.Clone(b), crc32.Checksum(b, entryChecksum))
}

// FuzzDecodeEntry feeds the decoder entries without their checksum: each is
// decoded as it is and with a valid checksum appended, so that the parser
// behind the checksum is fuzzed too.
func FuzzDecodeEntry(f *testing.F) {
	unsealed := func(e *entry) []byte { b := e.encode(); return b[:len(b)-checksumSize] }
	f.Add(unsealed(newPageEntry(200, htmlContentType, "/x", []byte("body"), nil, time.Unix(1, 0), time.Minute, time.Hour, []string{"t"})))
	prepared := newPageEntry(200, htmlContentType, "", []byte(strings.Repeat("<p>x</p>", 100)), nil, time.Unix(1, 0), time.Minute, time.Hour, []string{"a", "b"})
	prepared.preparePage("/blog/7", true)
	f.Add(unsealed(prepared))
	f.Add([]byte{})
	f.Add([]byte{entryVersion, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, sealEntry(b)} {
			e, err := decodeEntry(in)
			if err != nil {
				continue
			}
			// What decodes must survive another round trip unchanged.
			again, err := decodeEntry(e.encode())
			if err != nil || !bytes.Equal(again.encode(), e.encode()) {
				t.Fatalf("round trip of a decoded entry: %v", err)
			}
		}
	})
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{
		"/":               "/",
		"/blog":           "/blog",
		"/blog/":          "/blog",
		"//blog//7/":      "/blog/7",
		"/blog/./7":       "/blog/7",
		"/blog/../7":      "/7",
		"/../../7":        "/7",
		"/a/b/..":         "/a",
		"/a/%2E%2E/b":     "/b",
		"/a/%2e/b":        "/a/b",
		"/%E2%9C%93":      "/%E2%9C%93",
		"/%e2%9c%93":      "/%E2%9C%93",
		"/blog/%39":       "/blog/9",
		"/blog/héllo":     "/blog/h%C3%A9llo",
		"/blog/7?q":       "/blog/7%3Fq",
		"/blog/a%2Fb":     "/blog/a%2Fb",
		"/blog/a%2fb":     "/blog/a%2Fb",
		"/a(b)!*'":        "/a(b)!*'",
		"/a%28b%29":       "/a(b)",
		"/a b":            "/a%20b",
		"/a\\b":           "/a%5Cb",
		"/.well-known/":   "/.well-known",
		"/$&+,;=:@-._~":   "/$&+,;=:@-._~",
		"/%24%26%2B%40":   "/$&+@",
		"/%25":            "/%25",
		"/a/..%2F..%2Fb/": "/a/..%2F..%2Fb",
	} {
		got, status := cleanPath(in)
		if status != 0 || got != want {
			t.Errorf("cleanPath(%q) = %q, %d; want %q", in, got, status, want)
		}
	}
	for in, want := range map[string]int{
		"":                                       400,
		"blog":                                   400,
		"/a\x00b":                                400,
		"/a%00b":                                 400,
		"/a%zzb":                                 400,
		"/100%":                                  400,
		"/" + strings.Repeat("a", maxPathLength): 414,
		"/" + strings.Repeat("é", maxPathLength/2-1): 414, // escaped, it triples
	} {
		if _, status := cleanPath(in); status != want {
			t.Errorf("cleanPath(%.20q) status %d, want %d", in, status, want)
		}
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "/a/b", "//x/../y/", "/./", "/a/%2F/b", "x", "/%2e%2E/", "/a b/é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, status := cleanPath(in)
		if status != 0 {
			return
		}
		if !strings.HasPrefix(got, "/") || (len(got) > 1 && strings.HasSuffix(got, "/")) || strings.Contains(got, "//") || strings.ContainsAny(got, "\\ ?#") {
			t.Fatalf("cleanPath(%q) = %q", in, got)
		}
		if again, status := cleanPath(got); again != got || status != 0 {
			t.Fatalf("cleanPath not idempotent: %q -> %q -> %q (%d)", in, got, again, status)
		}
		// A canonical path parsed back from a request line is canonical.
		u, err := url.ParseRequestURI(got)
		if err != nil {
			t.Fatalf("cleanPath(%q) = %q, not a request URI: %v", in, got, err)
		}
		if key, ok, status := canonicalPath(u); !ok || key != got || status != 0 {
			t.Fatalf("canonicalPath(%q) = %q, %v, %d", got, key, ok, status)
		}
	})
}

// TestCanonicalPath parses request targets as net/http does and checks the
// key and whether the request must be redirected to it.
func TestCanonicalPath(t *testing.T) {
	tests := []struct {
		target    string
		key       string
		canonical bool
		status    int
	}{
		{"/", "/", true, 0},
		{"/blog/9", "/blog/9", true, 0},
		{"/blog/9?x=1", "/blog/9", true, 0},
		{"/blog/9/", "/blog/9", false, 0},
		{"/blog/./9", "/blog/9", false, 0},
		{"/blog/9/.", "/blog/9", false, 0},
		{"/blog//9", "/blog/9", false, 0},
		{"//blog/9", "/blog/9", false, 0},
		{"/x/../blog/9", "/blog/9", false, 0},
		{"/blog/%39", "/blog/9", false, 0},
		{"/blog/%2E/9", "/blog/9", false, 0},
		{"/blog/a%2Fb", "/blog/a%2Fb", true, 0},
		{"/blog/a%2fb", "/blog/a%2Fb", false, 0},
		{"/caf%C3%A9", "/caf%C3%A9", true, 0},
		{"/caf%c3%a9", "/caf%C3%A9", false, 0},
		{"/café", "/caf%C3%A9", false, 0},
		{"/a(b)", "/a(b)", true, 0},
		{"/a%28b%29", "/a(b)", false, 0},
		{"/100%25", "/100%25", true, 0},
		{"/a%20b", "/a%20b", true, 0},
		{"/a%5Cb", "/a%5Cb", true, 0},
		{"/a%00b", "", false, 400},
		{"/" + strings.Repeat("a", maxPathLength), "", false, 414},
	}
	for _, tc := range tests {
		u, err := url.ParseRequestURI(tc.target)
		if err != nil {
			t.Fatalf("%q: %v", tc.target, err)
		}
		key, canonical, status := canonicalPath(u)
		if key != tc.key || canonical != tc.canonical || status != tc.status {
			t.Errorf("canonicalPath(%q) = %q, %v, %d; want %q, %v, %d", tc.target, key, canonical, status, tc.key, tc.canonical, tc.status)
		}
	}
}

func BenchmarkCanonicalPath(b *testing.B) {
	u, _ := url.ParseRequestURI("/blog/2024/hello-world")
	b.ReportAllocs()
	for b.Loop() {
		canonicalPath(u)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"":                     false,
		"gzip":                 true,
		"GZIP":                 true,
		"br, gzip":             true,
		"gzip;q=0":             false,
		"gzip; q=0.000":        false,
		"gzip;q=0.5":           true,
		"*":                    true,
		"identity":             false,
		"deflate, br;q=1.0":    false,
		"x-gzip-ish, identity": false,
		// Parameter names are case-insensitive, and q need not come first.
		"gzip;Q=0":            false,
		"gzip;level=9;q=0":    false,
		"gzip ; level=9; Q=0": false,
		// gzip's own entry decides over "*", wherever each stands.
		"*;q=0, gzip":   true,
		"gzip;q=0, *":   false,
		"*, gzip;q=0":   false,
		"br, *;q=0":     false,
		"x-gzip":        true, // RFC 9110 12.5.3: the same as gzip
		"x-gzip;q=0, *": false,
	} {
		if got := acceptsGzip([]string{in}); got != want {
			t.Errorf("acceptsGzip(%q) = %v", in, got)
		}
	}
}

// qvalue is RFC 9110's weight value; headers with another are left out of
// FuzzAcceptsGzip, where the reference and acceptsGzip may read them apart.
var qvalue = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// FuzzAcceptsGzip compares acceptsGzip with a plain reading of RFC 9110's
// Accept-Encoding: gzip (or x-gzip) with a weight above 0, or, when
// neither is listed, "*" with one.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*;q=0, gzip", "br;q=1.0, gzip;Q=0.5", "x-gzip, *;q=0", "identity;q=0", ";;,,", "gzip;q=", "gzip;level=1;q=0.000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := acceptsGzip([]string{header}) // never panics
		want, listed := map[string]bool{}, map[string]bool{}
		for _, part := range strings.Split(header, ",") {
			fields := strings.Split(part, ";")
			coding := strings.ToLower(strings.TrimSpace(fields[0]))
			if coding == "x-gzip" {
				coding = "gzip"
			}
			q := 1.0
			for _, param := range fields[1:] {
				param = strings.TrimSpace(param)
				if len(param) >= 2 && strings.EqualFold(param[:2], "q=") {
					if !qvalue.MatchString(param[2:]) {
						return
					}
					q, _ = strconv.ParseFloat(param[2:], 64)
				}
			}
			if listed[coding] {
				return // listed twice: RFC 9110 does not say which wins
			}
			listed[coding], want[coding] = true, q > 0
		}
		expect := want["*"]
		if listed["gzip"] {
			expect = want["gzip"]
		}
		if got != expect {
			t.Fatalf("acceptsGzip(%q) = %v, want %v", header, got, expect)
		}
	})
}

func TestEtagMatches(t *testing.T) {
	etag := `W/"abc"`
	for in, want := range map[string]bool{
		`W/"abc"`:        true,
		`"abc"`:          true,
		`"x", W/"abc"`:   true,
		`*`:              true,
		`"abcd"`:         false,
		``:               false,
		`W/"ab", "c"`:    false,
		` "abc" , "zz" `: true,
	} {
		if got := etagMatches([]string{in}, etag); got != want {
			t.Errorf("etagMatches(%q) = %v", in, got)
		}
	}
}

func TestPathFor(t *testing.T) {
	tests := []struct {
		rt      Route
		params  Params
		want    string
		wantErr bool
	}{
		{Route{Pattern: "/"}, nil, "/", false},
		{Route{Pattern: "/blog/:id"}, Params{"id": "7"}, "/blog/7", false},
		{Route{Pattern: "/a/:x/b/:y"}, Params{"x": "1", "y": "2"}, "/a/1/b/2", false},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a/b/c"}, "/docs/a/b/c", false},
		{Route{Pattern: "/blog/:id"}, Params{}, "", true},
		{Route{Pattern: "/blog/:id"}, Params{"id": "a/b"}, "/blog/a%2Fb", false},
		{Route{Pattern: "/blog/:id"}, Params{"id": "café au lait"}, "/blog/caf%C3%A9%20au%20lait", false},
		{Route{Pattern: "/blog/:id"}, Params{"id": ".."}, "", true},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a//b"}, "", true},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a/../b"}, "", true},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a/b?"}, "/docs/a/b%3F", false},
		{Route{Pattern: "/über/:id"}, Params{"id": "1"}, "/%C3%BCber/1", false},
	}
	for _, tc := range tests {
		got, err := tc.rt.PathFor(tc.params)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("PathFor(%s, %v) = %q, %v", tc.rt.Pattern, tc.params, got, err)
		}
	}
}

func TestImplicitTags(t *testing.T) {
	for path, want := range map[string]string{
		"/":       "_path:/ _layout:/",
		"/blog":   "_path:/blog _layout:/ _layout:/blog",
		"/blog/7": "_path:/blog/7 _layout:/ _layout:/blog _layout:/blog/7",
	} {
		if got := strings.Join(implicitTags(path), " "); got != want {
			t.Errorf("implicitTags(%q) = %q", path, got)
		}
	}
}

func TestCacheControl(t *testing.T) {
	for _, tc := range []struct {
		revalidate, expire time.Duration
		want               string
	}{
		{time.Minute, DefaultExpire, "s-maxage=60, stale-while-revalidate=31536000"},
		{1500 * time.Millisecond, time.Hour, "s-maxage=2, stale-while-revalidate=3600"},
		{Never, DefaultExpire, "s-maxage=31536000"},
		{time.Minute, 0, "s-maxage=60"},
	} {
		if got := cacheControl(tc.revalidate, tc.expire); got != tc.want {
			t.Errorf("cacheControl(%v, %v) = %q, want %q", tc.revalidate, tc.expire, got, tc.want)
		}
	}
}

func TestBackoffGrows(t *testing.T) {
	var b backoff
	var delays []time.Duration
	for range 7 {
		delays = append(delays, b.fail("k", 0))
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	if !reflect.DeepEqual(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	if b.allow("k", int64(29*time.Second)) || !b.allow("k", int64(30*time.Second)) || !b.allow("other", 0) {
		t.Fatal("allow disagrees with the last delay")
	}
	b.succeed("k")
	if !b.allow("k", 0) {
		t.Fatal("success did not reset the backoff")
	}
}

func TestDebugCacheLogs(t *testing.T) {
	var buf bytes.Buffer
	h := newHarness(t, Options{DebugCache: true, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, nil))})
	s := newSource("v1")
	h.page(isrRoute("/post", time.Minute, s))
	h.get("/post")
	h.get("/post")
	h.clock.Advance(2 * time.Minute)
	h.get("/post")
	h.waitBackground()
	log := buf.String()
	for _, want := range []string{"event=MISS path=/post", "event=HIT path=/post", "event=STALE path=/post", "event=REGENERATED path=/post"} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
}

// An entry read from the store carries what preparePage gives a rendered
// one: its encoding holds the derived header values and implicit tags.
func TestDecodedEntryIsPrepared(t *testing.T) {
	body := []byte(strings.Repeat("<p>hello</p>", 100))
	for _, tc := range []struct {
		location string
		tags     []string
		window   time.Duration
	}{
		{"", []string{"posts", "authors"}, time.Minute},
		{"/elsewhere", nil, Never},
	} {
		e := newPageEntry(200, htmlContentType, tc.location, body, nil, time.Unix(100, 5), tc.window, time.Hour, tc.tags)
		e.preparePage("/blog/7", true)
		got, err := decodeEntry(e.encode())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.header, e.header) || !reflect.DeepEqual(got.checkTags, e.checkTags) ||
			!reflect.DeepEqual(got.tags, e.tags) || got.location != e.location {
			t.Errorf("decoded %+v %q %q, want %+v %q %q", got.header, got.checkTags, got.tags, e.header, e.checkTags, e.tags)
		}
		if again := got.encode(); !bytes.Equal(again, e.encode()) {
			t.Error("a decoded entry encodes differently")
		}
	}
}

// BenchmarkDecodeEntry is what a read from the store costs on top of the
// store's: checking the checksum and parsing an entry of a 3 KB page with
// its gzip'd copy.
func BenchmarkDecodeEntry(b *testing.B) {
	body := bytes.Repeat([]byte("<p>Paragraph about caching, rendered once.</p>"), 64)
	e := newPageEntry(200, htmlContentType, "", body, nil, time.Unix(1, 0), time.Minute, time.Hour, []string{"posts"})
	e.preparePage("/blog/7", true)
	enc := e.encode()
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeEntry(enc); err != nil {
			b.Fatal(err)
		}
	}
}
