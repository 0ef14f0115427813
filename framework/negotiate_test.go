package framework

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

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
