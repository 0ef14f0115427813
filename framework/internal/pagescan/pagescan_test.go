package pagescan

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestScanOnceIsBothScans: one pass for the sources and the links gives
// what a pass for each does, on a page whose scripts and styles hold what
// looks like links and tags.
func TestScanOnceIsBothScans(t *testing.T) {
	site, _ := url.Parse("https://example.com")
	page := []byte(`<!doctype html><html><head><style>a[href="/no"]{color:red}</style>` +
		`<script src="/a.js"></script><script>var s = '<a href="/in-a-script">';</script>` +
		`<SCRIPT type="speculationrules">{"prefetch":[]}</SCRIPT><link rel="stylesheet" href="/s.css"></head>` +
		`<body><h2 id="usage">Usage</h2><a href="#usage">u</a><a href="#gone">g</a><img src="/i.png" srcset="/i-2.png 2x"/>` +
		`<a href="https://example.com/abs?q=1">abs</a><a href="rel">rel</a><style>p{}</style><script>done()` + "\r\n" + `</script></body></html>`)
	sources := Sources(page)
	alone := &Links{Path: "/docs/page", Site: site}
	if got := Scan(page, false, alone); got != "" {
		t.Errorf("Scan without sources returned %q", got)
	}
	both := &Links{Path: "/docs/page", Site: site}
	if got := Scan(page, true, both); got != sources {
		t.Errorf("sources with links:\n%s\nwithout:\n%s", got, sources)
	}
	if !slices.Equal(both.Links, alone.Links) || !slices.Equal(both.Missing, alone.Missing) {
		t.Errorf("links with sources %q %q, without %q %q", both.Links, both.Missing, alone.Links, alone.Missing)
	}
	if want := []string{"/a.js", "/abs", "/docs/rel", "/i-2.png", "/i.png", "/s.css"}; !slices.Equal(both.Links, want) {
		t.Errorf("links %q, want %q", both.Links, want)
	}
	if !slices.Equal(both.Missing, []string{"#gone"}) {
		t.Errorf("missing %q, want [#gone]", both.Missing)
	}
	scripts, styles, _ := strings.Cut(sources, "\n")
	if n := len(strings.Fields(scripts)); n != 3 {
		t.Errorf("%d script sources, want 3: %s", n, scripts)
	}
	if n := len(strings.Fields(styles)); n != 2 {
		t.Errorf("%d style sources, want 2: %s", n, styles)
	}
}

// TestLinksResolvedOnceKeepTheirPage: a link resolved once for every page
// (from the root, or absolute) is still its own for each site, and a
// relative one is resolved against each page.
func TestLinksResolvedOnceKeepTheirPage(t *testing.T) {
	page := []byte(`<a href="/x">x</a><a href="https://example.com/y">y</a><a href="z">z</a>`)
	site, _ := url.Parse("https://example.com")
	for _, tc := range []struct {
		path string
		site *url.URL
		want []string
	}{
		{"/a/1", site, []string{"/a/z", "/x", "/y"}},
		{"/b/2", site, []string{"/b/z", "/x", "/y"}},
		{"/a/1", nil, []string{"/a/z", "/x"}},
		{"/c/3", site, []string{"/c/z", "/x", "/y"}},
	} {
		l := &Links{Path: tc.path, Site: tc.site}
		Scan(page, false, l)
		if !slices.Equal(l.Links, tc.want) {
			t.Errorf("%s on %v: %q, want %q", tc.path, tc.site, l.Links, tc.want)
		}
	}
}

// TestSourcesOfPagesWithoutInlineElements: a page without a script or a
// style element has no sources, and one whose only script is in capitals,
// or whose style comes last, has them.
func TestSourcesOfPagesWithoutInlineElements(t *testing.T) {
	for page, want := range map[string]int{
		"<p>plain</p>": 0,
		"<p>a <strong>script</strong> and <sub>style</sub></p><":         0,
		"<p>x</p><SCRIPT>go()</SCRIPT>":                                  1,
		"<p>x</p><Style>p{}</Style>":                                     1,
		"<p>x</p><style>p{}</style><script src=/a.js></script>":          1,
		"<p>x<script>a()</script><style>p{}</style><script>b()</script>": 3,
	} {
		if got := len(strings.Fields(Sources([]byte(page)))); got != want {
			t.Errorf("%s: %d sources, want %d", page, got, want)
		}
	}
}

// TestDataBlocksHaveNoSource: a script that never runs (JSON-LD, a
// template) is not hashed, whatever case or spacing its type has; every
// type a browser runs is.
func TestDataBlocksHaveNoSource(t *testing.T) {
	for tag, runs := range map[string]bool{
		"<script>":                                       true,
		`<script type="">`:                               true,
		`<script type=" TEXT/JavaScript ">`:              true,
		`<script type="application/x-javascript">`:       true,
		`<script type="module">`:                         true,
		`<script type="ImportMap">`:                      true,
		`<script type="speculationrules">`:               true,
		`<script language="">`:                           true,
		`<script language="javascript">`:                 true,
		`<script language="JavaScript1.5">`:              true,
		`<script type="module" type="text/plain">`:       true, // the first attribute counts
		`<script type="application/ld+json">`:            false,
		`<script id="data" type="application/json">`:     false,
		`<script type="text/template">`:                  false,
		`<script type="text/javascript; charset=utf-8">`: false, // not an essence match: HTML does not run it
		`<script language="vbscript">`:                   false,
		`<script type="x" language="javascript">`:        false, // type wins
	} {
		page := "<p>x</p>" + tag + "{}</script>"
		if got := len(strings.Fields(Sources([]byte(page)))); got != map[bool]int{true: 1, false: 0}[runs] {
			t.Errorf("%s: %d sources, want the script hashed: %v", tag, got, runs)
		}
	}
}
