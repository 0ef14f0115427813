package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/server"
)

func TestMatchPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"/", "/", true},
		{"/blog", "/blog", true},
		{"/blog", "/blogs", false},
		{"/blog/:id", "/blog/7", true},
		{"/blog/:id", "/blog/", false},
		{"/blog/:id", "/blog/7/comments", false},
		{"/blog/:id/comments", "/blog/7/comments", true},
		{"/docs/*", "/docs/a/b", true},
		{"/docs/*", "/docs/", false},
		{"/sitemap-:part", "/sitemap-0.xml", true},
		{"/sitemap-:part", "/sitemap.xml", false},
	} {
		if got := matchPattern(tc.pattern, tc.path); got != tc.want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// TestCheckLinks: a link is broken when nothing answers it (a typo, a
// param a DynamicParams = false route does not list, a handler without
// GET); an export also breaks links to what it left out.
func TestCheckLinks(t *testing.T) {
	routes := []server.RouteInfo{
		{Pattern: "/", Kind: "static"},
		{Pattern: "/blog", Kind: "isr"},
		{Pattern: "/blog/:id", Kind: "isr", StaticParams: true},
		{Pattern: "/docs/:page", Kind: "static", StaticParams: true, StaticParamsOnly: true},
		{Pattern: "/admin", Kind: "dynamic"},
	}
	handlers := []codegen.Handler{{Pattern: "/api/hello", File: "app/api/hello/route.go", Methods: []string{"GET"}}, {Pattern: "/api/form", File: "app/api/form/route.go", Methods: []string{"POST"}}}
	events := []server.ExportEvent{
		{Event: "page", Route: "/", Path: "/", Links: []string{"/blog", "/blog/", "/blog/7", "/blog/99", "/blog/8", "/blgo/3", "/docs/a%20b", "/docs/c", "/admin", "/api/hello", "/api/form", "/styles.css", "/img/a%20b.png"}},
		{Event: "page", Route: "/blog", Path: "/blog", Links: []string{"/", "/_framework/static/a.1.css", "/_framework/image?w=640&src=%2Fa.png", "/_framework/static/gone.2.js"}, Fragments: []string{"#usage"}},
		{Event: "file", Path: "/_framework/static/a.1.css"},
		{Event: "skip", Path: "/_framework/image?w=640&src=%2Fa.png", Reason: "has a query string, which a static host ignores"},
		{Event: "page", Route: "/blog/:id", Path: "/blog/7"},
		{Event: "skip", Route: "/blog/:id", Path: "/blog/8", Reason: server.ReasonNotFound},
		{Event: "page", Route: "/docs/:page", Path: "/docs/a%20b"},
		{Event: "skip", Route: "/admin", Reason: "is rendered per request (Revalidate 0)"},
		{Event: "skip", Route: "/blog/:id", Reason: "renders params StaticParams does not list on request (DynamicParams)"},
		{Event: "file", Path: "/styles.css"},
		{Event: "file", Path: "/img/a%20b.png"},
	}
	c := newLinkChecker(routes, handlers)
	for _, ev := range events {
		c.add(ev)
	}
	var got []string
	for _, b := range c.check(false) {
		got = append(got, b.String())
	}
	want := []string{
		"/ links to /api/form: no such page: app/api/form/route.go answers POST, not GET",
		"/ links to /blgo/3: no such page",
		"/ links to /blog/8: no such page: /blog/8 is not found (404)",
		"/ links to /docs/c: no such page: StaticParams of /docs/:page does not list it (DynamicParams = false)",
		"/blog links to #usage: no element of the page has that id",
		"/blog links to /_framework/static/gone.2.js: no such page",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("server's broken links (-want +got):\n%s", diff)
	}
	got = nil
	for _, b := range c.check(true) {
		got = append(got, b.String())
	}
	want = []string{
		"/ links to /admin: needs a server: /admin is rendered per request (Revalidate 0)",
		"/ links to /api/hello: needs a server: app/api/hello/route.go is a route handler, run per request",
		"/ links to /blog/: a trailing slash: the server redirects it to /blog, a static host does not; link that",
		"/ links to /blog/99: needs a server: /blog/:id renders params StaticParams does not list on request (DynamicParams)",
		"/blog links to /_framework/image?w=640&src=%2Fa.png: needs a server: /_framework/image?w=640&src=%2Fa.png has a query string, which a static host ignores",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export's broken links (-want +got):\n%s", diff)
	}
}

// TestReportLinksGroupsPages: a link broken on many pages (in a layout) is
// one line naming the first pages.
func TestReportLinksGroupsPages(t *testing.T) {
	var broken []brokenLink
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e"} {
		broken = append(broken, brokenLink{page: p, link: "/admin", reason: "no such page"})
	}
	broken = append(broken, brokenLink{page: "/a", link: "/blgo/3", reason: "no such page"})
	var out strings.Builder
	err := reportLinks(&out, broken, true)
	want := "\nBroken links (6):\n  /a, /b, /c and 2 other pages link to /admin: no such page\n  /a links to /blgo/3: no such page\n"
	if out.String() != want || err == nil || err.Error() != "6 broken links (--strict-links)" {
		t.Errorf("reportLinks: %v\n%s\nwant\n%s", err, out.String(), want)
	}
}

// TestReportLinksNeedsServer: an export's links to pages that need a
// server are listed apart from broken ones, both warnings, and both count
// in the error of --strict-links.
func TestReportLinksNeedsServer(t *testing.T) {
	c := newLinkChecker([]server.RouteInfo{{Pattern: "/", Kind: "static"}, {Pattern: "/blog/:id", Kind: "isr", StaticParams: true}, {Pattern: "/admin", Kind: "dynamic"}}, nil)
	for _, ev := range []server.ExportEvent{
		{Event: "page", Route: "/", Path: "/", Links: []string{"/admin", "/blog/1", "/blog/2/"}},
		{Event: "page", Route: "/blog/:id", Path: "/blog/1", Links: []string{"/admin"}},
		{Event: "skip", Route: "/admin", Reason: "is rendered per request (Revalidate 0)"},
	} {
		c.add(ev)
	}
	var out strings.Builder
	if err := reportLinks(&out, c.check(true), false); err != nil {
		t.Errorf("reportLinks without --strict-links: %v", err)
	}
	want := "\nBroken links (1):\n  / links to /blog/2/: a trailing slash: the server redirects it to /blog/2, a static host does not; link that\n" +
		"\nLinks to pages that need a server (2):\n  /, /blog/1 link to /admin: needs a server: /admin is rendered per request (Revalidate 0)\n" +
		"warning: --strict-links makes them an error\n"
	if out.String() != want {
		t.Errorf("reportLinks:\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	err := reportLinks(&out, c.check(true), true)
	if err == nil || err.Error() != "1 broken links and 2 links to pages that need a server (--strict-links)" {
		t.Errorf("reportLinks with --strict-links: %v", err)
	}
}

// TestLinkCheckerCountsEveryPage: the checker keeps a few of the pages that
// share a broken link (a layout's) and counts the rest, so that a large
// site's report names the first pages and the total.
func TestLinkCheckerCountsEveryPage(t *testing.T) {
	c := newLinkChecker([]server.RouteInfo{{Pattern: "/p/:n", Kind: "isr", StaticParams: true}}, nil)
	for i := range 10 {
		c.add(server.ExportEvent{Event: "page", Route: "/p/:n", Path: fmt.Sprintf("/p/%d", i), Links: []string{"/admin", fmt.Sprintf("/p/%d", i+1)}})
	}
	var out strings.Builder
	err := reportLinks(&out, c.check(false), false)
	want := "\nBroken links (10):\n  /p/0, /p/1, /p/2 and 7 other pages link to /admin: no such page\nwarning: --strict-links makes them an error\n"
	if out.String() != want || err != nil {
		t.Errorf("reportLinks: %v\n%s\nwant\n%s", err, out.String(), want)
	}
}

// TestLinkCheckerTakesPrerenderedLinks: the events of prerender --links,
// each link once with its first pages and their count, make the report
// the same pages' export events make.
func TestLinkCheckerTakesPrerenderedLinks(t *testing.T) {
	c := newLinkChecker([]server.RouteInfo{{Pattern: "/p/:n", Kind: "isr", StaticParams: true}}, nil)
	for i := range 10 {
		c.addPrerendered(server.PrerenderEvent{Event: "page", Route: "/p/:n", Path: fmt.Sprintf("/p/%d", i)})
	}
	c.addPrerendered(server.PrerenderEvent{Event: "page", Route: "/p/:n", Path: "/p/10", Fragments: []string{"#gone"}})
	c.addPrerendered(server.PrerenderEvent{Event: "file", Path: "/logo.png"})
	c.addPrerendered(server.PrerenderEvent{Event: "links", Path: "/admin", Pages: []string{"/p/0", "/p/1", "/p/2", "/p/3"}, Total: 10})
	c.addPrerendered(server.PrerenderEvent{Event: "links", Path: "/logo.png", Pages: []string{"/p/0"}, Total: 10})
	c.addPrerendered(server.PrerenderEvent{Event: "links", Path: "/p/10", Pages: []string{"/p/9"}, Total: 1})
	var out strings.Builder
	err := reportLinks(&out, c.check(false), false)
	want := "\nBroken links (11):\n  /p/0, /p/1, /p/2 and 7 other pages link to /admin: no such page\n" +
		"  /p/10 links to #gone: no element of the page has that id\nwarning: --strict-links makes them an error\n"
	if out.String() != want || err != nil {
		t.Errorf("reportLinks: %v\n%s\nwant\n%s", err, out.String(), want)
	}
}
