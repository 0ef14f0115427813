package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestGeneratedFilesCommitted: framework build, run on a copy of the blog,
// writes the same routes_gen.go, static_gen.go and static_gen/ as those
// committed, which go vet and go test compile on a fresh clone.
func TestGeneratedFilesCommitted(t *testing.T) {
	b := buildBlog(t)
	files := func(dir string) map[string][]byte {
		m := make(map[string][]byte)
		for _, name := range []string{"routes_gen.go", "static_gen.go"} {
			m[name], _ = os.ReadFile(filepath.Join(dir, name))
		}
		filepath.WalkDir(filepath.Join(dir, "static_gen"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				m[rel], _ = os.ReadFile(p)
			}
			return nil
		})
		return m
	}
	committed, built := files("."), files(b.dir)
	for name, body := range built {
		if !bytes.Equal(committed[name], body) {
			t.Errorf("%s differs from what framework build writes: run framework build in examples/blog and commit it", name)
		}
	}
	for name := range committed {
		if _, ok := built[name]; !ok {
			t.Errorf("%s is committed but framework build no longer writes it", name)
		}
	}
}

// TestAssetsInBrowser: in a real headless Chromium, the stylesheet from
// assets/, under framework.Stylesheet's limit, is in the page and applied
// (no request for it), @view-transition included, and its source map
// comment leads DevTools to assets/styles.css; the copy-link script,
// bundled from TypeScript, runs on a post; the layout's speculation rules
// are ones Chromium accepts, and a prefetch of a post (Sec-Purpose:
// prefetch) is answered from the ISR cache.
func TestAssetsInBrowser(t *testing.T) {
	b := buildBlog(t)
	b.start()
	ctx, shot := newBrowser(t)

	const cssRequests = `performance.getEntriesByType("resource").filter(e => e.name.includes("/_framework/static/styles.")).length`
	// The map named by the inline stylesheet's sourceMappingURL comment,
	// resolved as DevTools does, against the page's URL.
	const sourceMap = `(async () => {
		const css = [...document.head.querySelectorAll("style")].find(s => s.textContent.includes("@view-transition"));
		const url = css && css.textContent.match(/sourceMappingURL=(\S+)/);
		if (!url) return "no sourceMappingURL";
		const r = await fetch(new URL(url[1], location.href));
		return r.status + " " + (await r.json()).sources.join(" ");
	})()`
	var first, second int
	var inline bool
	var sources string
	var font, rules string
	var copyHidden bool
	var copied string
	var supports, transitions bool
	err := chromedp.Run(ctx,
		chromedp.Navigate(b.base+"/blog"),
		chromedp.WaitVisible("ul.posts li a", chromedp.ByQuery),
		chromedp.Evaluate(cssRequests, &first),
		chromedp.Evaluate(`[...document.head.querySelectorAll("style")].some(s => s.textContent.includes("@view-transition"))`, &inline),
		chromedp.Evaluate(sourceMap, &sources, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.Click(`ul.posts li:nth-child(2) a`, chromedp.ByQuery),
		chromedp.WaitVisible("article.post h1", chromedp.ByQuery),
		chromedp.Evaluate(cssRequests, &second),
		chromedp.Evaluate(`getComputedStyle(document.body).fontFamily`, &font),
		// The deferred script shows the button when it runs.
		chromedp.WaitVisible("button.copy-link", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("button.copy-link").hidden`, &copyHidden),
		chromedp.Evaluate(`HTMLScriptElement.supports("speculationrules")`, &supports),
		chromedp.Evaluate(`document.querySelector("script[type=speculationrules]").textContent`, &rules),
		chromedp.Evaluate(`[...document.styleSheets].some(s => [...s.cssRules].some(r => r.cssText.startsWith("@view-transition")))`, &transitions),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Headless Chromium's clipboard waits on a user it does not have: the
	// test stands in for it, and checks what the script gave it. The click
	// waits for the cross-document view transition to end: a browser
	// delivers no input to the page while it runs.
	var pasted, href string
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`navigator.clipboard.writeText = async text => { window.pasted = text }; 1`, nil),
		transitionDone(),
		chromedp.Click(`button.copy-link`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("button.copy-link").dataset.copied`, &copied),
		chromedp.Evaluate(`window.pasted`, &pasted),
		chromedp.Evaluate(`location.href`, &href),
		shot("post"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if first != 0 || second != 0 || !inline {
		t.Errorf("stylesheet requests %d then %d, inline in <head>: %v; want it inlined, no request", first, second, inline)
	}
	if sources != "200 ../../assets/styles.css" {
		t.Errorf("the inline stylesheet's source map: %q, want 200 naming assets/styles.css", sources)
	}
	if !strings.Contains(font, "Charter") {
		t.Errorf("second page: body font %q: the stylesheet is not applied", font)
	}
	if copyHidden || copied != "yes" || pasted != href {
		t.Errorf("copy-link button: hidden %v, data-copied %q: the bundled script did not run", copyHidden, copied)
	}
	if !supports || !strings.Contains(rules, `"eagerness":"moderate"`) || !strings.Contains(rules, `"/_framework/*"`) || !strings.Contains(rules, `"/preview/exit"`) {
		t.Errorf("speculation rules (supported: %v): %s", supports, rules)
	}

	if !transitions {
		t.Error("the stylesheet has no @view-transition rule")
	}

	r := b.get("/blog/7", "Sec-Purpose", "prefetch")
	if r.status != 200 || r.header.Get("X-Framework-Cache") != "HIT" {
		t.Errorf("prefetch of a post: %d, X-Framework-Cache %q, want a HIT", r.status, r.header.Get("X-Framework-Cache"))
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("a page without X-Content-Type-Options: nosniff")
	}
}

// transitionDone waits until the page's animations, those of a
// cross-document view transition (the blog's CSS opts into them) among
// them, have ended: until then the browser delivers no input to the page.
// Headless Chromium on a busy machine has left a transition running past
// 10 s: the test waits up to 30 s, then finishes the animations itself
// (what it checks next is the page, not the transition) and says which
// were left if they still do not end.
func transitionDone() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		wait := chromedp.Poll(`document.getAnimations().length === 0`, nil, chromedp.WithPollingTimeout(30*time.Second))
		if wait.Do(ctx) == nil {
			return nil
		}
		var left int
		if err := chromedp.Evaluate(`document.getAnimations().forEach(a => a.finish()); document.getAnimations().length`, &left).Do(ctx); err != nil {
			return err
		}
		if err := chromedp.Poll(`document.getAnimations().length === 0`, nil, chromedp.WithPollingTimeout(5*time.Second)).Do(ctx); err != nil {
			var what string
			chromedp.Evaluate(`JSON.stringify(document.getAnimations().map(a => [a.constructor.name, a.animationName || a.transitionProperty || "", a.effect && a.effect.pseudoElement, a.playState, a.effect && a.effect.target && a.effect.target.tagName]))`, &what).Do(ctx)
			return fmt.Errorf("%d animations did not end, nor when finished: %s: %w", left, what, err)
		}
		return nil
	})
}
