package admin

import (
	"net/url"
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"/", true},
		{"/blog/7", true},
		{"/blog?page=2", true},
		{"/blog/7#comments", true},
		{"/caf%C3%A9", true},
		{"", false},
		{"blog/7", false},
		{"//evil.example", false},
		{"//evil.example/blog", false},
		{"/\\evil.example", false},
		{"/blog\\..\\x", false},
		{"https://evil.example/", false},
		{"javascript:alert(1)", false},
		{"/blog/", false},
		{"/blog//7", false},
		{"/blog/./7", false},
		{"/blog/../admin", false},
		{"/%2F%2Fevil.example", false},
		{"/%2e%2e/admin", false},
		{"/blog\t/7", false},
		{"/blog\n/7", false},
		{"/" + strings.Repeat("a", 3000), false},
	}
	for _, tc := range tests {
		got, err := LocalPath(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("LocalPath(%q) = %q, %v; want ok %v", tc.in, got, err, tc.ok)
		}
		if err == nil && got != tc.in {
			t.Errorf("LocalPath(%q) = %q, want it unchanged", tc.in, got)
		}
	}
}

// FuzzLocalPath: whatever LocalPath accepts stays on this site, as a
// browser resolves it against the site's URL.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/blog/7", "//x", "/\\x", "/%2F%2Fx", "/a?b=//c", "/a#//b", "/a/../b"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://blog.example/admin/preview")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := LocalPath(s)
		if err != nil {
			return
		}
		// Browsers drop tabs and newlines and read "\" as "/"; none may
		// be in an accepted path.
		if strings.ContainsAny(got, "\\\t\r\n") || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
			t.Fatalf("LocalPath(%q) = %q", s, got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("LocalPath(%q) = %q, which does not parse: %v", s, got, err)
		}
		if r := base.ResolveReference(u); r.Host != base.Host || r.Scheme != base.Scheme {
			t.Fatalf("LocalPath(%q) = %q leads to %s", s, got, r)
		}
	})
}
