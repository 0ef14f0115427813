package cli_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/isr-go/framework/internal/testbrowser"
)

// TestDevBrowserSwapsStylesheet opens a page of framework dev in headless
// Chromium, edits assets/styles.css, and waits for the open tab to apply
// it: the same document (a mark set on it survives), its stylesheet
// swapped in place, with no reload.
func TestDevBrowserSwapsStylesheet(t *testing.T) {
	d := startDev(t)
	ctx := testbrowser.Start(t) // after the server: its 90 s are the browser's

	const color = `getComputedStyle(document.body).color`
	var before, after string
	var marked bool
	err := chromedp.Run(ctx,
		chromedp.Navigate(d.base+"/"),
		chromedp.WaitVisible("h1", chromedp.ByQuery),
		chromedp.Poll(`window.__frameworkDevConnected === true`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(color, &before),
		chromedp.Evaluate(`window.beforeEdit = true`, nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	d.edit(t, "assets/styles.css", "color: #1f2328;", "color: #ff0000;")
	err = chromedp.Run(ctx,
		chromedp.Poll(color+` === "rgb(255, 0, 0)"`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(color, &after),
		chromedp.Evaluate(`window.beforeEdit === true`, &marked),
	)
	if err != nil {
		t.Fatalf("the tab did not apply the edited stylesheet (body color %s): %v", before, err)
	}
	if !marked {
		t.Error("the tab reloaded: a CSS edit must swap the stylesheet in place")
	}
	t.Logf("body color %s, then %s", before, after)
}
