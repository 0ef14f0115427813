package cli_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/isr-go/framework/internal/testbrowser"
)

// TestDevBrowserSeesTextEdit opens a page of framework dev in a headless
// Chromium, edits the page's text, and waits for the open tab to show it:
// the dev server's reload script must reload the page by itself. It marks
// the document first, so that a page the test navigated to again could not
// pass. With CI set, a missing Chromium fails the test.
func TestDevBrowserSeesTextEdit(t *testing.T) {
	d := startDev(t)
	ctx := testbrowser.Start(t) // after the server: its 90 s are the browser's

	var before string
	err := chromedp.Run(ctx,
		chromedp.Navigate(d.base+"/"),
		chromedp.WaitVisible("h1", chromedp.ByQuery),
		chromedp.Text("h1", &before, chromedp.ByQuery),
		// Wait for the reload stream to be open, or the edit could come
		// before the page listens.
		chromedp.Poll(`window.__frameworkDevConnected === true`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(`window.beforeEdit = true`, nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	if before != "Welcome" {
		t.Fatalf("h1 before the edit: %q", before)
	}
	start := time.Now()
	d.edit(t, "app/page.templ", "<h1>Welcome</h1>", "<h1>Edited in the browser test</h1>")
	// The tab reloads by itself; the test only looks. (chromedp.Poll fails
	// when the page navigates under it, so each look is its own call.)
	const want = "Edited in the browser test"
	var after string
	var marked bool
	for deadline := time.Now().Add(20 * time.Second); after != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the open page did not show the edit: h1 %q\n%s", after, d.out)
		}
		chromedp.Run(ctx, chromedp.Evaluate(`(document.querySelector("h1") || {}).textContent || ""`, &after))
	}
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.beforeEdit === true`, &marked)); err != nil {
		t.Fatal(err)
	}
	t.Logf("the open tab showed the edit %s after the save", time.Since(start).Round(time.Millisecond))
	if marked {
		t.Errorf("the page changed without a reload")
	}
	if strings.Contains(d.out.String(), "rebuilding") {
		t.Errorf("a text edit was rebuilt:\n%s", d.out)
	}
}
