package content

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/contentfs"
)

type postMeta struct {
	Title string    `yaml:"title"`
	Date  time.Time `yaml:"date"`
	Tags  []string  `yaml:"tags,omitempty"`
	Cover *string   `yaml:"cover"`
}

// useFiles makes the collections read files, as --content-dir does.
func useFiles(files map[string]string) {
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	contentfs.SetDisk(fsys, "content")
}

func TestCollectionDecodesEntries(t *testing.T) {
	useFiles(map[string]string{
		"decodes/b-second.md": "---\ntitle: Second\ndate: 2026-12-02\ntags: [go, md]\n---\n\n# Second\n\nSee [the first](a-first.md#intro).\n\n```go\nx := 1\n```\n",
		"decodes/a-first.md":  "---\ntitle: First\ndate: 2026-12-01\n---\n\n## Intro\n\nHello.\n",
		"decodes/notes.txt":   "not an entry",
		"other/secret.md":     "---\ntitle: S\ndate: 2026-01-01\n---\n",
	})
	posts := Define[postMeta]("decodes")
	all, err := posts.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Slug != "a-first" || all[1].Slug != "b-second" {
		t.Fatalf("entries %+v, want a-first and b-second", all)
	}
	second := all[1]
	if second.Data.Title != "Second" || !second.Data.Date.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) || strings.Join(second.Data.Tags, ",") != "go,md" || second.Data.Cover != nil {
		t.Errorf("data %+v", second.Data)
	}
	for _, want := range []string{`<h1 id="second">Second`, `<a href="a-first#intro">the first</a>`, `<span class="nx">x</span>`, `<link rel="stylesheet" href="/_framework/markdown.css">`} {
		if !strings.Contains(second.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, second.HTML)
		}
	}
	if len(all[0].Headings) != 1 || all[0].Headings[0] != (Heading{Level: 2, ID: "intro", Text: "Intro"}) {
		t.Errorf("headings %+v", all[0].Headings)
	}
	if e, err := posts.Get(context.Background(), "a-first"); err != nil || e.Data.Title != "First" {
		t.Errorf("Get(a-first) = %+v, %v", e.Data, err)
	}
	for _, slug := range []string{"nope", "", "../other/secret", "a-first/../a-first", "/a-first", "notes"} {
		if _, err := posts.Get(context.Background(), slug); !errors.Is(err, framework.ErrNotFound) {
			t.Errorf("Get(%q): %v, want framework.ErrNotFound", slug, err)
		}
	}
	params, err := posts.Params(context.Background(), "slug")
	if err != nil || len(params) != 2 || params[1]["slug"] != "b-second" {
		t.Errorf("Params = %v, %v", params, err)
	}
}

// TestCollectionErrors: a file whose front matter does not fit the struct
// fails the read at file:line:col, naming the field.
func TestCollectionErrors(t *testing.T) {
	for i, tc := range []struct{ src, want string }{
		{"---\ntitle: T\ndate: soon\n---\n", `content/c0/bad.md:3:7: front matter: date (postMeta.Date, a time.Time): cannot be "soon"`},
		{"---\ntitle: T\n---\n", `content/c1/bad.md:1:1: front matter: missing date (postMeta.Date), which is required`},
		{"---\ntitle: T\ndate: 2026-01-01\ntitel: x\n---\n", `content/c2/bad.md:4:1: front matter: titel is not a field of postMeta`},
		{"---\ntitle: [a\n---\n", `content/c3/bad.md:`},
		{"---\ntitle: T\n", `content/c4/bad.md:1:1: front matter opened with --- is never closed`},
	} {
		name := "c" + string(rune('0'+i))
		useFiles(map[string]string{name + "/bad.md": tc.src})
		c := Define[postMeta](name)
		_, err := c.All(context.Background())
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to start %q", tc.src, err, tc.want)
		}
		if _, err := c.Get(context.Background(), "bad"); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: Get: error %v, want it to start %q", tc.src, err, tc.want)
		}
	}
}

func TestMissingCollection(t *testing.T) {
	useFiles(nil)
	_, err := Define[postMeta]("absent").All(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no collection absent: content/absent does not exist") {
		t.Errorf("error %v", err)
	}
}

func TestDefineTwicePanics(t *testing.T) {
	Define[postMeta]("twice")
	defer func() {
		if recover() == nil {
			t.Error("a second Define of one name did not panic")
		}
	}()
	Define[postMeta]("twice")
}

// TestNestedSlug: a file in a folder of the collection has the folder in
// its slug, for a catch-all page.
func TestNestedSlug(t *testing.T) {
	useFiles(map[string]string{"nested/2026/recap.md": "---\ntitle: Recap\ndate: 2026-12-31\n---\n"})
	c := Define[postMeta]("nested")
	all, err := c.All(context.Background())
	if err != nil || len(all) != 1 || all[0].Slug != "2026/recap" {
		t.Fatalf("All = %+v, %v", all, err)
	}
	if e, err := c.Get(context.Background(), "2026/recap"); err != nil || e.Data.Title != "Recap" || e.Slug != "2026/recap" {
		t.Errorf("Get(2026/recap) = %+v, %v", e, err)
	}
}
