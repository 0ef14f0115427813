package cli

import (
	"strings"
	"testing"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/server"
)

// TestRouteTableListsHandlers checks that route.go handlers are rows of the
// table, λ with their methods, among the pages in the router's order
// (static, params, catch-alls, each by pattern), and that the legend says
// what they are.
func TestRouteTableListsHandlers(t *testing.T) {
	routes := []server.RouteInfo{
		{Pattern: "/", Kind: "static"},
		{Pattern: "/blog", Kind: "isr", Revalidate: 600},
		{Pattern: "/blog/:id", Kind: "isr", Revalidate: 60, StaticParams: true},
		{Pattern: "/docs/*", Kind: "dynamic"},
	}
	handlers := []codegen.Handler{
		{Pattern: "/api/hello", File: "app/api/hello/route.go", Methods: []string{"GET", "POST"}},
		{Pattern: "/api/posts/:id", File: "app/api/posts/id_/route.go", Methods: []string{"DELETE"}},
		{Pattern: "/blog", File: "app/blog/route.go", Methods: []string{"POST"}},
	}
	stats := map[string]*routeStats{"/": {pages: 1, bytes: 2100}, "/blog": {pages: 1, bytes: 900}, "/blog/:id": {pages: 3, bytes: 7500}}
	var b strings.Builder
	printRouteTable(&b, routes, handlers, stats)
	want := `
Route              Kind        Prerendered   Size
○ /                static      1             2.1 kB
λ /api/hello       GET, POST   -             -
◐ /blog            ISR 10m     1             900 B
λ /blog            POST        -             -
λ /api/posts/:id   DELETE      -             -
◐ /blog/:id        ISR 1m      3             2.5 kB
λ /docs/*          dynamic     -             -

○ static: cached until revalidated   ◐ ISR: regenerated after its window   λ dynamic: rendered per request
λ with methods (GET, POST, ...): a route.go handler, run per request.
Size is the average HTML of the route's prerendered pages.
`
	if got := b.String(); got != want {
		t.Errorf("route table:\n%s\nwant:\n%s", got, want)
	}
}

// TestRouteTableMarksHoles checks that a route whose prerendered pages have
// PerRequest holes says so, and that the legend then explains it.
func TestRouteTableMarksHoles(t *testing.T) {
	routes := []server.RouteInfo{{Pattern: "/", Kind: "static"}, {Pattern: "/blog", Kind: "isr", Revalidate: 60}}
	stats := map[string]*routeStats{"/": {pages: 1, bytes: 700, partial: true}, "/blog": {pages: 1, bytes: 900}}
	var b strings.Builder
	printRouteTable(&b, routes, nil, stats)
	want := `
Route     Kind             Prerendered   Size
○ /       static + holes   1             700 B
◐ /blog   ISR 1m           1             900 B

○ static: cached until revalidated   ◐ ISR: regenerated after its window   λ dynamic: rendered per request
λ with methods (GET, POST, ...): a route.go handler, run per request.
+ holes: a cached shell with framework.PerRequest holes rendered per request (partial prerendering).
Size is the average HTML of the route's prerendered pages.
`
	if got := b.String(); got != want {
		t.Errorf("route table:\n%s\nwant:\n%s", got, want)
	}
}
