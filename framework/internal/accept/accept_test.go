package accept

import "testing"

// TestEncoding covers br beside gzip: the page cache's gzip cases are in
// package framework's TestAcceptsGzip and FuzzAcceptsGzip.
func TestEncoding(t *testing.T) {
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
		if got := Encoding([]string{c.header}, c.coding); got != c.want {
			t.Errorf("Encoding(%q, %q) = %v", c.header, c.coding, got)
		}
	}
}
