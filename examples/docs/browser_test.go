package main

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/isr-go/framework/internal/testbrowser"
)

// TestSearchInBrowser types into the sidebar's search box in headless
// Chromium: the bundled script loads the index from /search and lists the
// matching section, and Enter goes to the first hit. docs.css is in the
// page (framework.Stylesheet), not requested, and applied.
func TestSearchInBrowser(t *testing.T) {
	srv := serve(t)
	ctx := testbrowser.Start(t) // after the server: its 90 s are the browser's

	var first, doc, location, resultsPosition string
	var cssRequests int
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/docs/getting-started"),
		chromedp.WaitVisible("#search", chromedp.ByQuery),
		chromedp.Evaluate(`performance.getEntriesByType("resource").filter(e => e.name.includes("/_framework/static/docs.")).length`, &cssRequests),
		chromedp.Evaluate(`getComputedStyle(document.querySelector("#search-results")).position`, &resultsPosition),
		chromedp.SendKeys("#search", "broken LINKS", chromedp.ByQuery),
		chromedp.WaitVisible(`#search-results a[href="/docs/export#broken-links"]`, chromedp.ByQuery),
		chromedp.Text(`#search-results li:first-child a`, &first, chromedp.ByQuery),
		chromedp.Text(`#search-results li:first-child small`, &doc, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Enter goes to the first hit: RunResponse waits for that document.
	res, err := chromedp.RunResponse(ctx, chromedp.SendKeys("#search", "\r", chromedp.ByQuery))
	if err != nil {
		t.Fatal(err)
	}
	if res.URL != srv.URL+"/docs/export" || res.Status != 200 {
		t.Errorf("Enter loaded %s (%d), want /docs/export", res.URL, res.Status)
	}
	if err := chromedp.Run(ctx, chromedp.Location(&location)); err != nil {
		t.Fatal(err)
	}
	if cssRequests != 0 || resultsPosition != "absolute" {
		t.Errorf("docs.css: %d requests, #search-results position %q; want it inline and applied", cssRequests, resultsPosition)
	}
	if first != "Broken links" || doc != "Static export" {
		t.Errorf("first hit %q in %q, want Broken links in Static export", first, doc)
	}
	if location != srv.URL+"/docs/export#broken-links" {
		t.Errorf("Enter went to %s, want /docs/export#broken-links", location)
	}
}

// TestSidebarHoldsStillInBrowser: on a phone's screen, where the sidebar
// sits above the page, its height does not depend on how much of main has
// arrived. Chromium paints a page before it has parsed all of it; had the
// sidebar's row grown to fill the screen while main was short, main would
// move up as the rest streamed in (a layout shift Lighthouse measured).
func TestSidebarHoldsStillInBrowser(t *testing.T) {
	srv := serve(t)
	ctx := testbrowser.Start(t)

	var full, short float64
	err := chromedp.Run(ctx,
		// Lighthouse's phone: 412 by 823 CSS pixels.
		emulation.SetDeviceMetricsOverride(412, 823, 1.75, true),
		chromedp.Navigate(srv.URL+"/docs/assets"),
		chromedp.WaitVisible("aside.sidebar", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("aside.sidebar").getBoundingClientRect().height`, &full),
		// main as it is early in the stream: its first heading only.
		chromedp.Evaluate(`document.querySelector("main").replaceChildren(document.createElement("h1")); document.querySelector("aside.sidebar").getBoundingClientRect().height`, &short),
	)
	if err != nil {
		t.Fatal(err)
	}
	if full == 0 || short != full {
		t.Errorf("sidebar %.0f px tall beside the whole page, %.0f px beside its start; want the same", full, short)
	}
}
