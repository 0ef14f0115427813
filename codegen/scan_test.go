package codegen

import (
	"strings"
	"testing"
)

func TestSegment(t *testing.T) {
	for _, tc := range []struct {
		name, seg, param string
		catchAll, bad    bool
	}{
		{"blog", "blog", "", false, false},
		{"id_", ":id", "id", false, false},
		{"post_id_", ":post_id", "post_id", false, false},
		{"slug__", "*", "slug", true, false},
		{"my-page.v2", "my-page.v2", "", false, false},
		{"_", "", "", false, true},
		{"__", "", "", false, true},
		{"1st_", "", "", false, true},
		{"a b", "", "", false, true},
		{"[id]", "", "", false, true},
	} {
		seg, param, catchAll, err := segment(tc.name)
		if (err != nil) != tc.bad || seg != tc.seg || param != tc.param || catchAll != tc.catchAll {
			t.Errorf("segment(%q) = %q %q %v %v", tc.name, seg, param, catchAll, err)
		}
	}
}

func FuzzSegment(f *testing.F) {
	for _, s := range []string{"blog", "id_", "slug__", "a_b_", "x__y", "_", "é", "a/b", ":id", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		seg, param, catchAll, err := segment(name)
		if err != nil {
			return
		}
		if seg == "" || strings.ContainsAny(seg, "/?#%") {
			t.Fatalf("segment(%q) = %q: not one URL segment", name, seg)
		}
		switch {
		case catchAll:
			if seg != "*" || !isIdentifier(param) || name != param+"__" {
				t.Fatalf("segment(%q): catch-all %q %q", name, seg, param)
			}
		case param != "":
			if seg != ":"+param || !isIdentifier(param) || name != param+"_" {
				t.Fatalf("segment(%q): param %q %q", name, seg, param)
			}
		default:
			if seg != name || strings.HasSuffix(name, "_") {
				t.Fatalf("segment(%q) = %q, a literal", name, seg)
			}
		}
	})
}

func TestAliasFor(t *testing.T) {
	for rel, want := range map[string]string{
		"app":                "app",
		"app/blog/id_":       "app_blog_id",
		"app/docs/slug__":    "app_docs_slug",
		"app/my-page.v2/x_y": "app_my_page_v2_x_y",
	} {
		if got := aliasFor(rel); got != want {
			t.Errorf("aliasFor(%q) = %q, want %q", rel, got, want)
		}
	}
}

func TestShapeAndRank(t *testing.T) {
	if shapeOf([]string{"blog", ":id"}) != shapeOf([]string{"blog", ":slug"}) {
		t.Error("params of different names have different shapes")
	}
	if shapeOf([]string{"blog", ":id"}) == shapeOf([]string{"blog", "*"}) {
		t.Error("a param and a catch-all have one shape")
	}
	if !(rank("/blog") < rank("/blog/:id") && rank("/blog/:id") < rank("/docs/*")) {
		t.Error("rank does not order static, param, catch-all")
	}
}
