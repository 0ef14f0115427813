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
// home page's greeting by name.
// Screenshots of every step are kept in the test's temp dir; the last one's
// path is logged.
func TestBlogInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed")
		}
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	b := buildBlog(t)
	b.start()

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
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

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
			path := filepath.Join(shots, fmt.Sprintf("%d-%s.png", step, name))
			t.Logf("screenshot %s", path)
			return os.WriteFile(path, png, 0o644)
		})
	}

	var title, heading, list string
	admin, _ := url.Parse(b.base + "/admin")
	admin.User = url.UserPassword("admin", password)
	err = chromedp.Run(ctx,
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
	t.Logf("final screenshot: %s", filepath.Join(shots, fmt.Sprintf("%d-greeting.png", step)))
}
