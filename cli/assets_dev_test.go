package cli_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// devEvents connects to the dev server's event stream and returns a
// channel of the names of its events ("reload", "css"), once it is open.
func devEvents(t *testing.T, base string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_framework/dev/events", nil)
	res, err := http.DefaultClient.Do(req) // no timeout: a stream
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	sc := bufio.NewScanner(res.Body)
	if !sc.Scan() || sc.Text() != ": connected" {
		t.Fatalf("event stream: %q, %v", sc.Text(), sc.Err())
	}
	events := make(chan string, 10)
	go func() {
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				select {
				case events <- name:
				default:
				}
			}
		}
	}()
	return events
}

// TestDevAssetEdits: framework dev bundles assets/ again on an edit,
// without a Go rebuild, and serves the new bundle at the URL the page
// already names; a CSS edit sends "css" (the tab swaps its stylesheet),
// a script edit "reload"; a syntax error shows as a build error until it
// is fixed.
func TestDevAssetEdits(t *testing.T) {
	d := startDev(t)
	page := fetchPage(d.base + "/")
	css := regexp.MustCompile(`href="(/_framework/static/styles\.[A-Z2-7]{8}\.css)"`).FindStringSubmatch(page.body)
	js := regexp.MustCompile(`src="(/_framework/static/main\.[A-Z2-7]{8}\.js)"`).FindStringSubmatch(page.body)
	if css == nil || js == nil {
		t.Fatalf("the page links no bundles: %.1000q", page.body)
	}
	if !strings.Contains(page.body, `addEventListener("css"`) {
		t.Fatalf("the dev script does not listen for stylesheet swaps: %.1000q", page.body)
	}
	binaries := d.binaries()
	events := devEvents(t, d.base)
	get := func(path string) string {
		t.Helper()
		res, err := client.Get(d.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	wait := func(want string) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			select {
			case e := <-events:
				if e == want {
					return time.Since(start)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("no %q event", want)
			}
		}
	}

	d.edit(t, "assets/styles.css", "max-width: 42rem", "max-width: 51rem")
	took := wait("css")
	if body := get(css[1]); !strings.Contains(body, "max-width:51rem") {
		t.Errorf("the stylesheet after the edit: %.300q", body)
	}
	t.Logf("CSS edit to css event: %s", took)

	d.edit(t, "assets/main.ts", `"aria-current"`, `"data-current"`)
	wait("reload")
	if body := get(js[1]); !strings.Contains(body, "data-current") {
		t.Errorf("the script after the edit: %.300q", body)
	}

	d.edit(t, "assets/main.ts", "for (const link", "for (const link of of")
	wait("reload")
	if p := fetchPage(d.base + "/"); !strings.Contains(p.body, "build error") || !strings.Contains(p.body, "assets/main.ts:") {
		t.Errorf("a syntax error in assets/: %.500q", p.body)
	}
	d.edit(t, "assets/main.ts", "for (const link of of", "for (const link")
	wait("reload")
	if p := fetchPage(d.base + "/"); p.status != 200 {
		t.Errorf("after the fix: %d %.300q", p.status, p.body)
	}
	if got := d.binaries(); strings.Join(got, " ") != strings.Join(binaries, " ") {
		t.Errorf("dev built the app again (binaries %v, then %v): asset edits need no Go build", binaries, got)
	}
	if strings.Contains(d.out.String(), "rebuilding") {
		t.Errorf("dev rebuilt on an asset edit:\n%s", d.out)
	}
}
