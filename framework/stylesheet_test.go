package framework

import "testing"

// TestInlinable: a stylesheet with "</style" anywhere (a string, a
// comment) is never inlined, as it would end the <style> element early.
func TestInlinable(t *testing.T) {
	for _, tc := range []struct {
		css  string
		want bool
	}{
		{"a{color:red}", true},
		{`a::after{content:"</style><script>"}`, false},
		{"/* </STYLE > */a{}", false},
		{"", true},
	} {
		if _, ok := inlinable([]byte(tc.css), 100); ok != tc.want {
			t.Errorf("inlinable(%q) = %v, want %v", tc.css, ok, tc.want)
		}
	}
	if _, ok := inlinable(nil, 100); ok {
		t.Error("a body not held in memory was inlined")
	}
}
