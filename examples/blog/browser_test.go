package main_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBlogInBrowser walks the blog in a real headless Chromium: the list, a
// post, the admin behind its password, a new post, the list again, and the
// home page's greeting by name (a hole in a cached page). Screenshots of
// every step are kept (newBrowser), their paths logged.
func TestBlogInBrowser(t *testing.T) {
	chromium := findChromium(t)
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t, chromium)

	var title, heading, list string
	admin, _ := url.Parse(b.base + "/admin")
	admin.User = url.UserPassword("admin", password)
	err := chromedp.Run(ctx,
		chromedp.Navigate(b.base+"/blog"),
		chromedp.WaitVisible("ul.posts li a"),
		shot("list"),
		chromedp.Click(`ul.posts li:nth-child(3) a`),
		chromedp.WaitVisible("article.post h1"),
		chromedp.Text("article.post h1", &heading),
		chromedp.Title(&title),
		shot("post"),
		chromedp.Navigate(admin.String()),
		chromedp.WaitVisible("#title"),
		chromedp.SendKeys("#title", "Written in Chromium"),
		chromedp.SendKeys("#body", "This post was typed by a headless browser."),
		shot("admin"),
		chromedp.Click(`form.editor button[type=submit]`),
		chromedp.WaitVisible("article.post h1"),
		shot("new-post"),
		chromedp.Navigate(b.base+"/blog"),
		chromedp.WaitVisible("ul.posts"),
		chromedp.Text("ul.posts", &list),
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

	// The home page is cached with a hole greeting the visitor by the name
	// the form keeps in a cookie.
	var before, after string
	err = chromedp.Run(ctx,
		chromedp.Navigate(b.base+"/"),
		chromedp.WaitVisible(".greeting .hello"),
		chromedp.Text(".greeting .hello", &before),
		chromedp.SendKeys(`form.name input[name=name]`, "Ada"),
		chromedp.Click(`form.name button[type=submit]`),
		chromedp.WaitVisible(`//p[@class="hello"][contains(., "Ada")]`),
		chromedp.Text(".greeting .hello", &after),
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
	chromium := findChromium(t)
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t, chromium)

	admin, _ := url.Parse(b.base + "/admin")
	admin.User = url.UserPassword("admin", password)
	var banner, heading, afterExit, location string
	var bannerGone bool
	err := chromedp.Run(ctx,
		chromedp.Navigate(admin.String()),
		chromedp.WaitVisible("#title"),
		chromedp.SendKeys("#title", "Drafted in Chromium"),
		chromedp.SendKeys("#body", "Only the admin sees this, in preview."),
		chromedp.Click(`form.editor button[value=draft]`),
		chromedp.WaitVisible("#preview"),
		shot("draft-saved"),
		chromedp.Click("#preview"),
		chromedp.WaitVisible(".draft-banner"),
		chromedp.Text(".draft-banner", &banner),
		chromedp.Text("article.post h1", &heading),
		chromedp.Location(&location),
		shot("preview"),
		transitionDone(),
		chromedp.Click("#exit-preview"),
		chromedp.WaitVisible("main"),
		chromedp.Text("main", &afterExit),
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

// findChromium returns the path of chromium, or skips the test without it
// (fails it on CI).
func findChromium(t *testing.T) string {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed")
		}
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	return chromium
}

// newBrowser starts a headless Chromium for the test, bounded to 90 s, and
// returns its context and a screenshot action: screenshots are kept after
// the test in the temp dir's blog-browser-screenshots, their paths logged.
func newBrowser(t *testing.T, chromium string) (context.Context, func(name string) chromedp.Action) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)

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
