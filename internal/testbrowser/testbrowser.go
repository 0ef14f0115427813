// Package testbrowser starts the headless Chromium of the repository's
// browser tests (chromedp), with the flags this machine's closed network
// needs.
//
// Tests name elements with chromedp.ByQuery (document.querySelector), not
// chromedp's default, chromedp.BySearch: that one is DevTools' Ctrl-F
// search (DOM.performSearch), which matches a selector as plain text too.
// A page's inline <style> (framework.Stylesheet) holds its selectors as
// text ("ul.posts", "#search-results"), so WaitVisible, Click or SendKeys
// by search also find that text node, which is never visible, and wait
// until the test's deadline. TestSelectorsQueryTheDOM holds the tests to
// it.
package testbrowser

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Start returns the context of a headless Chromium for t, bounded to 90 s
// and closed when t ends; opts add to its flags (a window size, say). It
// skips t when Chromium is not installed, and fails it then on CI (CI set),
// where .ci/test installs it.
func Start(t *testing.T, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed")
		}
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	all := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Without these Chromium dials hosts the sandbox refuses.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profileDir(t)),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(all, opts...)...)
	t.Cleanup(cancel)
	// TESTBROWSER_DEBUG=1 logs the DevTools protocol traffic, to see which
	// step of a stalled test waits for what.
	var copts []chromedp.ContextOption
	if os.Getenv("TESTBROWSER_DEBUG") != "" {
		copts = append(copts, chromedp.WithDebugf(t.Logf))
	}
	ctx, cancel := chromedp.NewContext(alloc, copts...)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// profileDir returns a new directory for Chromium's profile, removed when
// t ends, after the browser (cleanups run last registered first, and the
// browser's are registered after this one). Not t.TempDir: Chromium's
// helper processes can still write to the profile for a moment after the
// browser has exited, and t.TempDir's removal then fails the test
// ("directory not empty"); this one retries for up to 5 s.
func profileDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "testbrowser-profile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if err = os.RemoveAll(dir); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("profile %s left behind: %v", dir, err)
	})
	return dir
}
