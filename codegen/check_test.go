package codegen

import (
	"go/token"
	"testing"
)

func TestParsePos(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want token.Position
	}{
		{"/app/page.go:12:7", token.Position{Filename: "/app/page.go", Line: 12, Column: 7}},
		{"/app/page.go:12", token.Position{Filename: "/app/page.go", Line: 12}},
		{"/app/page.go", token.Position{Filename: "/app/page.go"}},
		{`C:\app\page.go:12:7`, token.Position{Filename: `C:\app\page.go`, Line: 12, Column: 7}},
		{"", token.Position{}},
		{"-", token.Position{}},
	} {
		if got := parsePos(tc.in); got != tc.want {
			t.Errorf("parsePos(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
