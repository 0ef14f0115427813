package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

// linkedRoute is a page with links, a missing fragment and a body that
// gzip keeps alone in its entry.
var linkedRoute = framework.Route{Pattern: "/linked", Revalidate: framework.Never, Render: func(context.Context, *framework.Request) (templ.Component, error) {
	return templ.Raw(`<h1 id="top-1">Linked</h1><a href="/blog/3#top-1">post</a> <a href="#nowhere">x</a> <a href="gone">gone</a>` +
		`<img src="/_framework/static/app.1.css" srcset="/_framework/image?w=8&amp;src=%2Fa.png 8w"><p>` + strings.Repeat("y", 2000) + `</p>`), nil
}}

// linkList is what a list of export or of prerender --links tells a link
// check.
type linkList struct {
	pages  map[string][]string // the missing fragments of each page
	others map[string]string   // "skip route path" and "file path": the reason
	links  map[string][]string // the pages that have each link, sorted
}

// readList decodes the events of a list on out, export's or prerender's.
func readList(t *testing.T, out *bytes.Buffer) linkList {
	t.Helper()
	l := linkList{pages: map[string][]string{}, others: map[string]string{}, links: map[string][]string{}}
	dec := json.NewDecoder(out)
	for dec.More() {
		var ev struct {
			PrerenderEvent
			Links []string `json:"links"` // export's
		}
		if err := dec.Decode(&ev); err != nil {
			t.Fatal(err)
		}
		switch ev.Event {
		case "page":
			l.pages[ev.Path] = ev.Fragments
			for _, link := range ev.Links {
				l.links[link] = append(l.links[link], ev.Path)
			}
		case "links":
			if len(ev.Pages) != ev.Total {
				t.Errorf("%s: %d pages of %d", ev.Path, len(ev.Pages), ev.Total)
			}
			l.links[ev.Path] = append(l.links[ev.Path], ev.Pages...)
		case "skip", "file":
			l.others[fmt.Sprintf("%s %s %s", ev.Event, ev.Route, ev.Path)] = ev.Reason
		}
	}
	for _, pages := range l.links {
		slices.Sort(pages)
	}
	return l
}

// TestPrerenderLinksListAsExportDoes: prerender --links lists what export's
// list (no --out) lists after it, from the pages as it renders them: each
// page's links and missing fragments, the routes and pages that need a
// server, and the files the server answers, those under /_framework/ the
// pages link to among them.
func TestPrerenderLinksListAsExportDoes(t *testing.T) {
	dir := t.TempDir()
	s := &source{}
	routes := append(exportRoutes(s), linkedRoute)
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"prerender", "--links", "--cache-dir", dir}, routes, registerWithNotFound(routes), &stdout, &stderr); code != 0 {
		t.Fatalf("prerender exit %d: %s", code, stderr.String())
	}
	got := readList(t, &stdout)
	stdout.Reset()
	if code := Run(context.Background(), []string{"export", "--cache-dir", dir}, routes, registerWithNotFound(routes), &stdout, &stderr); code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr.String())
	}
	want := readList(t, &stdout)
	// What export skips one page at a time, prerender lists as pages
	// without links: the server answers them, their links are not checked.
	for _, p := range []string{"/old", "/hello"} {
		if _, ok := want.others["skip "+p+" "+p]; !ok {
			t.Errorf("export does not skip %s: %v", p, want.others)
		}
		delete(want.others, "skip "+p+" "+p)
		want.pages[p] = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prerender --links lists\n%v\nexport lists\n%v", got, want)
	}
	for link, pages := range map[string][]string{
		"/_framework/image?w=8&src=%2Fa.png": {"/linked", "/styled"},
		"/_framework/static/app.1.css":       {"/linked", "/styled"},
		"/blog/3":                            {"/linked"},
		"/gone":                              {"/linked"},
	} {
		if !slices.Equal(got.links[link], pages) {
			t.Errorf("%s is linked from %q, want %q", link, got.links[link], pages)
		}
	}
	if !slices.Equal(got.pages["/linked"], []string{"#nowhere"}) {
		t.Errorf("/linked: missing fragments %q", got.pages["/linked"])
	}
	for _, f := range []string{"file  /_framework/image?w=8&src=%2Fa.png", "file  /_framework/static/app.1.css"} {
		if _, ok := got.others[f]; !ok {
			t.Errorf("no %q among %v", f, got.others)
		}
	}
}

// TestPrerenderLinksCountsEveryPage: a link of more pages than a "links"
// event names is counted with all of them.
func TestPrerenderLinksCountsEveryPage(t *testing.T) {
	routes := []framework.Route{{Pattern: "/p/:n", Revalidate: framework.Never, Render: func(context.Context, *framework.Request) (templ.Component, error) {
		return templ.Raw(`<a href="/home">home</a>`), nil
	}, StaticParams: func(context.Context) ([]framework.Params, error) {
		var ps []framework.Params
		for i := range 3 * LinkPages {
			ps = append(ps, framework.Params{"n": fmt.Sprint(i)})
		}
		return ps, nil
	}}}
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"prerender", "--links", "--cache-dir", t.TempDir()}, routes, register(routes), &stdout, &stderr); code != 0 {
		t.Fatalf("prerender exit %d: %s", code, stderr.String())
	}
	var links []PrerenderEvent
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var ev PrerenderEvent
		if err := dec.Decode(&ev); err != nil {
			t.Fatal(err)
		}
		if ev.Event == "links" {
			links = append(links, ev)
		}
	}
	if len(links) != 1 || links[0].Path != "/home" || links[0].Total != 3*LinkPages || len(links[0].Pages) != LinkPages {
		t.Errorf("links events %+v, want /home on %d pages, %d of them named", links, 3*LinkPages, LinkPages)
	}
}

// TestPrerenderWithoutLinksListsPagesOnly: without --links, prerender's
// events are the pages alone, without their links.
func TestPrerenderWithoutLinksListsPagesOnly(t *testing.T) {
	routes := append(exportRoutes(&source{}), linkedRoute)
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"prerender", "--cache-dir", t.TempDir()}, routes, registerWithNotFound(routes), &stdout, &stderr); code != 0 {
		t.Fatalf("prerender exit %d: %s", code, stderr.String())
	}
	l := readList(t, &stdout)
	if len(l.pages) != 26 || len(l.others) != 0 || len(l.links) != 0 || l.pages["/linked"] != nil {
		t.Errorf("prerender lists %d pages (want 26, without missing fragments), %v and links %v", len(l.pages), l.others, l.links)
	}
}
