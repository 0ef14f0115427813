package main_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCrossSiteFormRefusedInBrowser: a page of another origin (a second
// loopback port) whose form posts a name to the blog's /greeting as soon as
// it loads. Chromium sends it, says where it comes from (Sec-Fetch-Site,
// Origin), and the blog refuses it with its error page: the visitor's
// greeting is unchanged. TestBlogInBrowser posts the same form from the
// blog itself.
func TestCrossSiteFormRefusedInBrowser(t *testing.T) {
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>other site</title>
<form id="f" method="post" action="%s/greeting"><input name="name" value="Mallory"></form>
<script>document.getElementById("f").submit()</script>`, b.base)
	}))
	defer other.Close()

	var heading, greeting string
	err := chromedp.Run(ctx,
		chromedp.Navigate(other.URL),
		chromedp.WaitVisible("main h1, h1", chromedp.ByQuery),
		chromedp.Text("h1", &heading, chromedp.ByQuery),
		shot("refused"),
		chromedp.Navigate(b.base+"/hello"),
		chromedp.WaitVisible(".greeting .hello", chromedp.ByQuery),
		chromedp.Text(".greeting .hello", &greeting, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(heading, "cross-origin request refused") {
		t.Errorf("after the other site's form: heading %q, want the blog's error page refusing it", heading)
	}
	if !strings.Contains(greeting, "stranger") {
		t.Errorf("greeting %q: the other site's form set the name", greeting)
	}
}
