package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
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

// listEvents decodes the events of out, as export's list has them, by
// kind and path ("page /linked", "skip /dash", "file /favicon.ico"): for
// prerender, its "page" events as export would send them (a page with
// holes or a redirect is a "skip" there, a "page" without links here).
func listEvents(t *testing.T, out *bytes.Buffer) map[string]ExportEvent {
	t.Helper()
	events := map[string]ExportEvent{}
	dec := json.NewDecoder(out)
	for dec.More() {
		var ev PrerenderEvent
		if err := dec.Decode(&ev); err != nil {
			t.Fatal(err)
		}
		if ev.Event == "start" || ev.Event == "done" {
			continue
		}
		x := ev.Export()
		x.Bytes = 0 // export counts a redirect's body
		events[fmt.Sprintf("%s %s %s", ev.Event, ev.Route, ev.Path)] = x
	}
	return events
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
	got := listEvents(t, &stdout)
	stdout.Reset()
	if code := Run(context.Background(), []string{"export", "--cache-dir", dir}, routes, registerWithNotFound(routes), &stdout, &stderr); code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr.String())
	}
	want := listEvents(t, &stdout)
	// What export skips one page at a time, prerender lists as pages
	// without links: the server answers them, their links are not checked.
	for _, p := range []string{"/old", "/hello"} {
		if _, ok := want["skip "+p+" "+p]; !ok {
			t.Errorf("export does not skip %s: %v", p, want)
		}
		delete(want, "skip "+p+" "+p)
		want["page "+p+" "+p] = ExportEvent{Event: "page", Route: p, Path: p}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prerender --links lists\n%v\nexport lists\n%v", got, want)
	}
	linked := got["page /linked /linked"]
	if wantLinks := []string{"/_framework/image?w=8&src=%2Fa.png", "/_framework/static/app.1.css", "/blog/3", "/gone"}; !reflect.DeepEqual(linked.Links, wantLinks) || !reflect.DeepEqual(linked.Fragments, []string{"#nowhere"}) {
		t.Errorf("/linked: links %q, fragments %q", linked.Links, linked.Fragments)
	}
	for _, f := range []string{"file  /_framework/image?w=8&src=%2Fa.png", "file  /_framework/static/app.1.css"} {
		if _, ok := got[f]; !ok {
			t.Errorf("no %q among %v", f, got)
		}
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
	for key, ev := range listEvents(t, &stdout) {
		if ev.Event != "page" || ev.Links != nil || ev.Fragments != nil {
			t.Errorf("%s: %+v", key, ev)
		}
	}
}
