package markdown

import (
	"strings"
	"testing"
)

func TestConvert(t *testing.T) {
	src := "# Intro\n\n## Intro\n\n## `Code` and *more*\n\n" +
		"[next](next.md) [site](https://go.dev) ![cat](/cat.png) ![dog](dog.png)\n\n" +
		"```go\nx := 1\n```\n\n```nosuchlanguage\nplain\n```\n\n    indented\n\n<details><summary>More</summary>raw</details>\n"
	doc, err := Convert([]byte(src), Options{
		Link: func(dest string) string { return strings.TrimSuffix(dest, ".md") },
		Image: func(src string) (string, int, int) {
			if src == "/cat.png" {
				return src, 30, 20
			}
			return src, 0, 0
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<h1 id="intro">Intro <a href="#intro" class="anchor">#</a></h1>`,
		`<h2 id="intro-1">Intro <a href="#intro-1" class="anchor">#</a></h2>`, // a repeat gets a suffix
		`<h2 id="code-and-more"><code>Code</code> and <em>more</em> <a href="#code-and-more" class="anchor">#</a></h2>`,
		`<a href="next">next</a>`,
		`<a href="https://go.dev">site</a>`,
		`<img src="/cat.png" alt="cat" width="30" height="20" loading="lazy">`,
		`<img src="dog.png" alt="dog" loading="lazy">`,
		`<pre class="chroma"><code><span class="line"><span class="cl"><span class="nx">x</span>`,
		`<span class="cl">plain`, // an unknown language: plain text in the same block
		"<pre><code>indented\n</code></pre>",
		"<details><summary>More</summary>raw</details>",
	} {
		if !strings.Contains(doc.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, doc.HTML)
		}
	}
	want := []Heading{{1, "intro", "Intro"}, {2, "intro-1", "Intro"}, {2, "code-and-more", "Code and more"}}
	if len(doc.Headings) != len(want) {
		t.Fatalf("headings %+v, want %+v", doc.Headings, want)
	}
	for i := range want {
		if doc.Headings[i] != want[i] {
			t.Errorf("heading %d: %+v, want %+v", i, doc.Headings[i], want[i])
		}
	}
	if !doc.Code {
		t.Error("Code is false with two fenced blocks")
	}
	if doc, _ := Convert([]byte("no code\n"), Options{}); doc.Code {
		t.Error("Code is true without a code block")
	}
}

func TestStylesheet(t *testing.T) {
	css, err := Stylesheet()
	if err != nil {
		t.Fatal(err)
	}
	light, dark, ok := strings.Cut(css, "@media (prefers-color-scheme: dark) {")
	if !ok || !strings.Contains(light, ".chroma .kd {") || !strings.Contains(dark, ".chroma .kd {") || strings.Contains(css, ".bg {") {
		t.Errorf("stylesheet:\n%s", css)
	}
}

// TestImageTag: an image the ImageTag hook takes is its tag, with the
// Markdown title added; one it does not take is a plain <img>.
func TestImageTag(t *testing.T) {
	doc, err := Convert([]byte("![A cat](/cat.png \"The cat\") ![dog](dog.png)\n"), Options{
		ImageTag: func(src, alt string) (string, bool) {
			if src != "/cat.png" {
				return "", false
			}
			return `<img alt="` + alt + `" srcset="/v 640w">`, true
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<img alt="A cat" srcset="/v 640w" title="The cat">`, `<img src="dog.png" alt="dog" loading="lazy">`} {
		if !strings.Contains(doc.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, doc.HTML)
		}
	}
}
