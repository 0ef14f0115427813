package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/examples/docs/site"
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/badgerstore"
)

var update = flag.Bool("update", false, "copy ../../docs/*.md to content/docs/")

// doc is a file of the repository's docs/, as the site should show it.
type doc struct {
	slug, title string
	sections    []string // the ids of its ## and deeper headings
}

// repoDocs reads ../../docs/*.md: each file's slug and first "# " line.
func repoDocs(t *testing.T) []doc {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs in ../../docs: %v", err)
	}
	var docs []doc
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		d := doc{slug: strings.TrimSuffix(filepath.Base(f), ".md")}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if title, ok := strings.CutPrefix(sc.Text(), "# "); ok {
				d.title = strings.ReplaceAll(title, "`", "")
				break
			}
		}
		fh.Close()
		if d.title == "" {
			t.Fatalf("%s has no # heading", f)
		}
		docs = append(docs, d)
	}
	return docs
}

// serve starts the app over real HTTP with a real Badger cache.
func serve(t *testing.T) *httptest.Server {
	t.Helper()
	cache, err := badgerstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	app, err := framework.New(framework.Options{Store: cache, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	e := echo.New()
	Register(e, app)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

var (
	hrefRe = regexp.MustCompile(`href="([^"]*)"`)
	idRe   = regexp.MustCompile(` id="([^"]*)"`)
)

// TestEveryDocRenders: each file of docs/ is a page at /docs/<name> with
// its title, the sidebar listing every doc (itself marked current), and a
// table of contents linking its headings; every relative link on it (a
// link between docs, caching.md#anchor) leads to a page that has the
// anchor.
func TestEveryDocRenders(t *testing.T) {
	srv := serve(t)
	docs := repoDocs(t)
	for _, d := range docs {
		status, body := get(t, srv.URL+"/docs/"+d.slug)
		if status != 200 {
			t.Errorf("GET /docs/%s: %d", d.slug, status)
			continue
		}
		if want := "<title>" + html.EscapeString(d.title) + " · framework</title>"; !strings.Contains(body, want) {
			t.Errorf("/docs/%s lacks %q", d.slug, want)
		}
		nav := between(body, `<nav class="nav"`, `</nav>`)
		for _, o := range docs {
			link := `<a href="/docs/` + o.slug + `"`
			if o.slug == d.slug {
				link += ` aria-current="page"`
			}
			if !strings.Contains(nav, link+">"+html.EscapeString(o.title)+"</a>") {
				t.Errorf("/docs/%s: the sidebar lacks %s>%s</a>", d.slug, link, o.title)
			}
		}
		article := between(body, "<article>", "</article>")
		var headings []string
		for _, m := range regexp.MustCompile(`<h[2-6] id="([^"]*)"`).FindAllStringSubmatch(article, -1) {
			headings = append(headings, m[1])
		}
		toc := between(body, `<nav class="toc"`, `</nav>`)
		for _, id := range headings {
			if !strings.Contains(toc, `href="#`+id+`"`) {
				t.Errorf("/docs/%s: the table of contents lacks #%s", d.slug, id)
			}
		}
		if len(headings) == 0 && toc != "" {
			t.Errorf("/docs/%s has no sections but a table of contents", d.slug)
		}
		for _, m := range hrefRe.FindAllStringSubmatch(article, -1) {
			checkLink(t, srv.URL, "/docs/"+d.slug, html.UnescapeString(m[1]))
		}
	}
	// One cross-doc link, as written in docs/content.md: [Assets](assets.md).
	_, body := get(t, srv.URL+"/docs/content")
	if !strings.Contains(body, `<a href="assets">Assets</a>`) {
		t.Errorf("/docs/content: [Assets](assets.md) is not a link to assets")
	}
}

// checkLink follows a same-site link of page: the page it names answers
// 200 and has the fragment's id. Links outside docs/ point at GitHub.
func checkLink(t *testing.T, base, page, href string) {
	t.Helper()
	if strings.HasPrefix(href, site.Repo+"/") || strings.HasPrefix(href, "https://") || strings.HasPrefix(href, "http://") {
		return
	}
	u, err := url.Parse(base + page)
	if err != nil {
		t.Fatal(err)
	}
	target, err := u.Parse(href)
	if err != nil {
		t.Errorf("%s links to %q: %v", page, href, err)
		return
	}
	frag := target.Fragment
	target.Fragment = ""
	status, body := get(t, target.String())
	if status != 200 {
		t.Errorf("%s links to %s: %d", page, href, status)
		return
	}
	if frag != "" && !slices.ContainsFunc(idRe.FindAllStringSubmatch(body, -1), func(m []string) bool { return m[1] == frag }) {
		t.Errorf("%s links to %s: no id %q there", page, href, frag)
	}
}

// between returns the part of s from the first start to the next end.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// TestIndexAndSearch: / lists every doc in site.Order's order; /search
// carries the JSON index with every doc's title and sections, which the
// bundled search script (linked from every page) reads.
func TestIndexAndSearch(t *testing.T) {
	srv := serve(t)
	docs := repoDocs(t)

	_, home := get(t, srv.URL+"/")
	last := -1
	for _, slug := range site.Order {
		i := strings.Index(home, `<li><a href="/docs/`+slug+`">`)
		if i < 0 {
			t.Errorf("/ does not list /docs/%s", slug)
		} else if i < last {
			t.Errorf("/ lists /docs/%s out of site.Order's order", slug)
		}
		last = i
	}

	status, body := get(t, srv.URL+"/search")
	if status != 200 {
		t.Fatalf("GET /search: %d", status)
	}
	m := regexp.MustCompile(`(?s)<script id="search-index" type="application/json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/search has no search-index script:\n%s", body)
	}
	var index []site.Entry
	if err := json.Unmarshal([]byte(m[1]), &index); err != nil {
		t.Fatalf("the search index does not decode: %v", err)
	}
	if len(index) != len(docs) {
		t.Errorf("the search index has %d docs, docs/ %d", len(index), len(docs))
	}
	for _, d := range docs {
		i := slices.IndexFunc(index, func(e site.Entry) bool { return e.URL == "/docs/"+d.slug })
		if i < 0 {
			t.Errorf("the search index lacks /docs/%s", d.slug)
			continue
		}
		if index[i].Title != d.title {
			t.Errorf("the search index titles /docs/%s %q, want %q", d.slug, index[i].Title, d.title)
		}
		for _, s := range index[i].Sections {
			checkLink(t, srv.URL, "/search", s.URL)
		}
	}
	if !slices.ContainsFunc(index, func(e site.Entry) bool {
		return slices.ContainsFunc(e.Sections, func(s site.Section) bool { return s.URL == "/docs/export#broken-links" })
	}) {
		t.Errorf("the search index lacks the section /docs/export#broken-links")
	}

	script := regexp.MustCompile(`<script src="(/_framework/static/search\.[^"]+\.js)"`).FindStringSubmatch(body)
	if script == nil {
		t.Fatalf("/search does not load the search script")
	}
	status, js := get(t, srv.URL+script[1])
	if status != 200 || !strings.Contains(js, "search-index") {
		t.Errorf("GET %s: %d, want the bundled search script reading #search-index", script[1], status)
	}
}

// TestNavOrder: site.Order names every doc once, getting started first,
// benchmarks and the reference last, so that a new doc is placed on
// purpose.
func TestNavOrder(t *testing.T) {
	var slugs []string
	for _, d := range repoDocs(t) {
		slugs = append(slugs, d.slug)
	}
	for _, s := range slugs {
		if !slices.Contains(site.Order, s) {
			t.Errorf("docs/%s.md is not in site.Order (site/site.go): place it", s)
		}
	}
	for _, s := range site.Order {
		if !slices.Contains(slugs, s) {
			t.Errorf("site.Order names %s, which docs/ lacks", s)
		}
	}
	n := len(site.Order)
	if site.Order[0] != "getting-started" || site.Order[n-2] != "benchmarks" || site.Order[n-1] != "reference" {
		t.Errorf("site.Order = %v: want getting-started first, benchmarks and reference last", site.Order)
	}
}

// TestDocsCopyFresh: content/docs/ is the repository's docs/, byte for
// byte (go:embed cannot reach ../../docs; see README.md). -update copies
// them.
func TestDocsCopyFresh(t *testing.T) {
	want := make(map[string][]byte)
	for _, d := range repoDocs(t) {
		b, err := os.ReadFile(filepath.Join("../../docs", d.slug+".md"))
		if err != nil {
			t.Fatal(err)
		}
		want[d.slug+".md"] = b
	}
	if *update {
		if err := os.RemoveAll("content/docs"); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("content/docs", 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range want {
			if err := os.WriteFile(filepath.Join("content/docs", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir("content/docs")
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]bool)
	for _, e := range entries {
		got[e.Name()] = true
		b, err := os.ReadFile(filepath.Join("content/docs", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[e.Name()]; !ok {
			t.Errorf("content/docs/%s is not in docs/: run (cd examples/docs && go test -run TestDocsCopyFresh -update)", e.Name())
		} else if !bytes.Equal(b, w) {
			t.Errorf("content/docs/%s differs from docs/: run (cd examples/docs && go test -run TestDocsCopyFresh -update)", e.Name())
		}
	}
	for name := range want {
		if !got[name] {
			t.Errorf("docs/%s is not in content/docs/: run (cd examples/docs && go test -run TestDocsCopyFresh -update)", name)
		}
	}
}
