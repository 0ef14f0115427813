package accept

import "testing"

// TestEncoding covers br beside gzip: the page cache's gzip cases are in
// package framework's TestAcceptsGzip and FuzzAcceptsGzip.
func TestEncodings(t *testing.T) {
	for _, c := range []struct {
		header, coding string
		want           bool
	}{
		{"gzip, deflate, br, zstd", "br", true},
		{"gzip, deflate", "br", false},
		{"br;q=0, *", "br", false},
		{"BR;Q=0.5", "br", true},
		{"*", "br", true},
		{"x-gzip", "br", false},
		{"x-gzip", "gzip", true},
		{"gzip;q=0, br", "gzip", false},
	} {
		gzip, br := Encodings([]string{c.header})
		got := gzip
		if c.coding == "br" {
			got = br
		}
		if got != c.want {
			t.Errorf("Encodings(%q): %s %v", c.header, c.coding, got)
		}
	}
}
