package server

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPageLinks(t *testing.T) {
	site, _ := url.Parse("https://example.com")
	body := `<!doctype html><html><head>
<link rel="stylesheet" href="/styles.css?v=2">
<link rel="preconnect" href="https://fonts.example.net">
<script src="/app.js"></script>
<script>var s = '<a href="/in-a-script">';</script>
</head><body>
<a href="/blog">Blog</a> <a href="/blog#top">again</a> <a href="#here">here</a> <a href="#usage">usage</a> <a href="#top">top</a>
<h2 id="usage">Usage</h2> <a name="old-anchor"></a> <a href="#old-anchor">old</a>
<img src="/_framework/image?src=%2Fa.png&amp;w=640#x"> <link rel="stylesheet" href="/_framework/static/app.1a2b.css?v=1">
<a href="2">relative</a> <a href="../docs/a%20b">up</a> <a href="https://example.com/about?x=1">absolute</a>
<a href="//example.com/protocol-relative">pr</a> <a href="https://other.example/x">other host</a>
<a href="mailto:a@example.com">mail</a> <a href="javascript:void(0)">js</a> <a href="/q?a=1&amp;b=2">entity</a>
<img src="/a.png" srcset="/a-1x.png 1x, /a-2x.png 2x,/a-3x.png 3x"><img src="data:image/png;base64,AAAA">
</body></html>`
	got, missing := pageLinks([]byte(body), "/blog/1", site)
	want := []string{"/_framework/image?src=%2Fa.png&w=640", "/_framework/static/app.1a2b.css?v=1", "/a-1x.png", "/a-2x.png", "/a-3x.png", "/a.png", "/about", "/app.js", "/blog", "/blog/2", "/docs/a%20b", "/protocol-relative", "/q", "/styles.css"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pageLinks (-want +got):\n%s", diff)
	}
	if !cmp.Equal(missing, []string{"#here"}) {
		t.Errorf("missing fragments %q, want [#here]", missing)
	}
	// Without a site URL, absolute URLs are another origin.
	if got, _ := pageLinks([]byte(`<a href="https://example.com/about">x</a><a href="/b">b</a>`), "/", nil); !cmp.Equal(got, []string{"/b"}) {
		t.Errorf("pageLinks without a site URL: %q, want [/b]", got)
	}
}

func TestExportFileName(t *testing.T) {
	for _, tc := range []struct {
		path   string
		html   bool
		want   string
		hasErr bool
	}{
		{"/", true, "index.html", false},
		{"/blog", true, "blog.html", false},
		{"/blog/7", true, "blog/7.html", false},
		{"/blog/a%20b", true, "blog/a b.html", false},
		{"/sitemap.xml", false, "sitemap.xml", false},
		{"/img/logo.svg", false, "img/logo.svg", false},
		{"/a/%2E%2E/b", true, "", true},
		{"/a//b", true, "", true},
		{"/a%00", true, "", true},
	} {
		got, err := exportFileName(tc.path, tc.html)
		if got != tc.want || (err != nil) != tc.hasErr {
			t.Errorf("exportFileName(%q, %v) = %q, %v; want %q (error %v)", tc.path, tc.html, got, err, tc.want, tc.hasErr)
		}
	}
}
