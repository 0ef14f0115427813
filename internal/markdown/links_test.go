package markdown

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLinks: each link of a body, inline or by reference, with the line
// and column of its "["; code holds no links.
func TestLinks(t *testing.T) {
	body := "# Title\n\nSee [setup](setup/page.md) and\n  [`go` code](../x.md#a).\n\n- item [ref][r]\n\n`[not](a.md)`\n\n    [nor](b.md)\n\n[r]: other.md\n"
	want := []Link{
		{Dest: "setup/page.md", Line: 3, Col: 5},
		{Dest: "../x.md#a", Line: 4, Col: 3},
		{Dest: "other.md", Line: 6, Col: 8},
	}
	if diff := cmp.Diff(want, Links([]byte(body))); diff != "" {
		t.Errorf("Links (-want +got):\n%s", diff)
	}
}
