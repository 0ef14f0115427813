package main_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// cspListener collects, in every document before its own scripts run, the
// securitypolicyviolation events the browser fires.
const cspListener = `window.__csp = [];
document.addEventListener("securitypolicyviolation", e =>
	window.__csp.push(e.effectiveDirective + " " + (e.blockedURI || "") + " " + (e.sample || "")));`

// TestNoCSPViolationsInBrowser walks every kind of page of the blog, which
// sends framework.DefaultContentSecurityPolicy, in a real Chromium: the
// home page, a static page with a hole whose inline script runs per request, the
// post list, an ISR post (JSON-LD), a 404, the admin (dynamic, with a
// CacheComponent holding an inline style), an error page, and a post in
// draft mode. None may violate the policy: the speculation rules of every
// page, and each inline script and style, are allowed by their hashes.
func TestNoCSPViolationsInBrowser(t *testing.T) {
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t)

	var mu sync.Mutex
	var logged []string // the console's CSP messages, as a second witness
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			logged = append(logged, e.Entry.URL+": "+e.Entry.Text)
			mu.Unlock()
		}
	})
	err := chromedp.Run(ctx, log.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(cspListener).Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}

	admin, _ := url.Parse(b.base)
	admin.User = url.UserPassword("admin", password)
	for _, tc := range []struct {
		name, path, ready string
		auth              bool
	}{
		{"home page", "/", "main", false},
		{"static page with a hole", "/hello", ".greeting .hello", false},
		{"post list", "/blog", "ul.posts li a", false},
		{"ISR post", "/blog/3", "article.post h1", false},
		{"not found", "/blog/99999", "main", false},
		{"admin with a cached component", "/admin", "aside.latest li a", true},
		{"error page", "/admin/preview?path=https://elsewhere.example/", "h1", true},
		{"draft mode", "/admin/preview?path=/blog/3", ".draft-banner", true},
	} {
		base := b.base
		if tc.auth {
			base = admin.String()
		}
		var violations []string
		err := chromedp.Run(ctx,
			chromedp.Navigate(base+tc.path),
			chromedp.WaitVisible(tc.ready, chromedp.ByQuery),
			shot("csp-"+strings.ReplaceAll(tc.name, " ", "-")),
			chromedp.Evaluate(`window.__csp`, &violations),
		)
		if err != nil {
			t.Fatalf("%s (%s): %v", tc.name, tc.path, err)
		}
		if len(violations) > 0 {
			t.Errorf("%s (%s): CSP violations %q", tc.name, tc.path, violations)
		}
	}
	// The hole's inline script ran: its hash was in the response's policy.
	var greeted string
	if err := chromedp.Run(ctx, chromedp.Navigate(b.base+"/hello"), chromedp.WaitVisible(".greeting .hello", chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.dataset.greeted || ""`, &greeted)); err != nil {
		t.Fatal(err)
	}
	if greeted != "yes" {
		t.Errorf("the greeting hole's inline script did not run")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) > 0 {
		t.Errorf("the console reports CSP violations:\n%s", strings.Join(logged, "\n"))
	}

	// The policy was there to be violated: strict, without 'unsafe-inline'.
	for _, path := range []string{"/", "/blog/3", "/blog/99999"} {
		csp := b.get(path).header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self' 'sha256-") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
	}
}
