package main_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gen2brain/webp"
	"github.com/isr-go/framework/internal/testbrowser"
)

// TestBlogInBrowser walks the blog in a real headless Chromium: the list, a
// post, the admin behind its password, a new post, the list again, and
// /hello's greeting by name (a hole in a cached page). Screenshots of
// every step are kept (newBrowser), their paths logged.
func TestBlogInBrowser(t *testing.T) {
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t)

	var title, heading, list string
	admin, _ := url.Parse(b.base + "/admin")
	admin.User = url.UserPassword("admin", password)
	err := chromedp.Run(ctx,
		chromedp.Navigate(b.base+"/blog"),
		chromedp.WaitVisible("ul.posts li a", chromedp.ByQuery),
		shot("list"),
		chromedp.Click(`ul.posts li:nth-child(3) a`, chromedp.ByQuery),
		chromedp.WaitVisible("article.post h1", chromedp.ByQuery),
		chromedp.Text("article.post h1", &heading, chromedp.ByQuery),
		chromedp.Title(&title),
		shot("post"),
		chromedp.Navigate(admin.String()),
		chromedp.WaitVisible("#title", chromedp.ByQuery),
		chromedp.SendKeys("#title", "Written in Chromium", chromedp.ByQuery),
		chromedp.SendKeys("#body", "This post was typed by a headless browser.", chromedp.ByQuery),
		shot("admin"),
		chromedp.Click(`form.editor button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("article.post h1", chromedp.ByQuery),
		shot("new-post"),
		chromedp.Navigate(b.base+"/blog"),
		chromedp.WaitVisible("ul.posts", chromedp.ByQuery),
		chromedp.Text("ul.posts", &list, chromedp.ByQuery),
		shot("list-after"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(heading, "Notes on") || !strings.Contains(title, heading) {
		t.Errorf("post page: heading %q, title %q", heading, title)
	}
	if !strings.Contains(list, "Written in Chromium") {
		t.Errorf("the new post is not listed:\n%s", list)
	}

	// /hello is cached with a hole greeting the visitor by the name the
	// form keeps in a cookie.
	var before, after string
	err = chromedp.Run(ctx,
		chromedp.Navigate(b.base+"/hello"),
		chromedp.WaitVisible(".greeting .hello", chromedp.ByQuery),
		chromedp.Text(".greeting .hello", &before, chromedp.ByQuery),
		chromedp.SendKeys(`form.name input[name=name]`, "Ada", chromedp.ByQuery),
		chromedp.Click(`form.name button[type=submit]`, chromedp.ByQuery),
		// BySearch is the query that takes XPath; no page text holds this one.
		chromedp.WaitVisible(`//p[@class="hello"][contains(., "Ada")]`, chromedp.BySearch),
		chromedp.Text(".greeting .hello", &after, chromedp.ByQuery),
		shot("greeting"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, "stranger") || after != "Hello, Ada!" {
		t.Errorf("greeting before %q, after %q", before, after)
	}
}

// TestDraftPreviewInBrowser: in a real Chromium, the admin saves a draft,
// follows its preview link, sees the post under the preview banner, and
// leaves the preview through the banner's link, after which the draft is a
// 404 again.
func TestDraftPreviewInBrowser(t *testing.T) {
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t)

	admin, _ := url.Parse(b.base + "/admin")
	admin.User = url.UserPassword("admin", password)
	var banner, heading, afterExit, location string
	var bannerGone bool
	err := chromedp.Run(ctx,
		chromedp.Navigate(admin.String()),
		chromedp.WaitVisible("#title", chromedp.ByQuery),
		chromedp.SendKeys("#title", "Drafted in Chromium", chromedp.ByQuery),
		chromedp.SendKeys("#body", "Only the admin sees this, in preview.", chromedp.ByQuery),
		chromedp.Click(`form.editor button[value=draft]`, chromedp.ByQuery),
		chromedp.WaitVisible("#preview", chromedp.ByQuery),
		shot("draft-saved"),
		chromedp.Click("#preview", chromedp.ByQuery),
		chromedp.WaitVisible(".draft-banner", chromedp.ByQuery),
		chromedp.Text(".draft-banner", &banner, chromedp.ByQuery),
		chromedp.Text("article.post h1", &heading, chromedp.ByQuery),
		chromedp.Location(&location),
		shot("preview"),
		transitionDone(),
		chromedp.Click("#exit-preview", chromedp.ByQuery),
		chromedp.WaitVisible("main", chromedp.ByQuery),
		chromedp.Text("main", &afterExit, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(".draft-banner") === null`, &bannerGone),
		shot("after-exit"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(banner, "Preview: you are seeing drafts") || !strings.Contains(banner, "Exit preview") {
		t.Errorf("banner %q", banner)
	}
	if heading != "Drafted in Chromium" || !strings.Contains(location, "/blog/") {
		t.Errorf("preview: heading %q at %s", heading, location)
	}
	if !bannerGone || !strings.Contains(afterExit, "There is no such page") {
		t.Errorf("after leaving the preview: banner gone %v, page %q", bannerGone, afterExit)
	}
	if r := b.get(strings.TrimPrefix(location, b.base)); r.status != 404 {
		t.Errorf("the draft for a visitor: %d", r.status)
	}
}

// TestCoverImageInBrowser: on a phone (375 CSS pixels wide at DPR 2), a
// post's cover loads as the 750 (or 828) pixel variant, in WebP: Chromium
// picks it from the srcset framework.Image writes, and the endpoint
// answers its Accept with WebP.
func TestCoverImageInBrowser(t *testing.T) {
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t)

	type response struct {
		mime string
		id   network.RequestID
	}
	var mu sync.Mutex
	images := map[string]response{} // by URL, the image responses
	chromedp.ListenTarget(ctx, func(ev any) {
		if r, ok := ev.(*network.EventResponseReceived); ok && strings.Contains(r.Response.URL, "/_framework/image") {
			mu.Lock()
			images[r.Response.URL] = response{r.Response.MimeType, r.RequestID}
			mu.Unlock()
		}
	})
	var loaded bool
	var src string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)),
		chromedp.Navigate(b.base+"/blog/1"),
		chromedp.WaitVisible("article.post img.cover", chromedp.ByQuery),
		chromedp.Poll(`(() => { const i = document.querySelector("article.post img.cover"); return i.complete && i.naturalWidth > 0 })()`, &loaded),
		chromedp.Evaluate(`document.querySelector("article.post img.cover").currentSrc`, &src),
		shot("cover-375"),
	)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	res := images[src]
	mu.Unlock()
	var body []byte
	if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) (err error) {
		body, err = network.GetResponseBody(res.id).Do(ctx)
		return err
	})); err != nil {
		t.Fatalf("the cover's response (%s): %v", src, err)
	}
	cfg, err := webp.DecodeConfig(bytes.NewReader(body))
	u, _ := url.Parse(src)
	w := u.Query().Get("w")
	if (w != "750" && w != "828") || u.Query().Get("v") == "" || res.mime != "image/webp" || err != nil || cfg.Width != 750 {
		t.Errorf("on 375 px at DPR 2 the cover is %s, %s, %d pixels wide (%v); want the 750 or 828 variant, versioned, in WebP, 750 wide", src, res.mime, cfg.Width, err)
	}
}

// newBrowser starts a headless Chromium for the test, bounded to 90 s, and
// returns its context and a screenshot action: screenshots are kept after
// the test in the temp dir's blog-browser-screenshots, their paths logged.
func newBrowser(t *testing.T) (context.Context, func(name string) chromedp.Action) {
	t.Helper()
	ctx := testbrowser.Start(t, chromedp.WindowSize(1100, 900))

	// Kept after the test, so that the logged paths can be opened.
	shots := filepath.Join(os.TempDir(), "blog-browser-screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	step := 0
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var png []byte
			if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
				return err
			}
			step++
			path := filepath.Join(shots, fmt.Sprintf("%s-%d-%s.png", t.Name(), step, name))
			t.Logf("screenshot %s", path)
			return os.WriteFile(path, png, 0o644)
		})
	}

	return ctx, shot
}
