package frontmatter

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		src, front, body string
		bodyLine         int
	}{
		{"# Hi\n", "", "# Hi\n", 1},
		{"---\ntitle: A\n---\n# Hi\n", "title: A\n", "# Hi\n", 4},
		{"---\r\ntitle: A\r\n---\r\nbody", "title: A\r\n", "body", 4},
		{"---\ntitle: A\n...\nbody", "title: A\n", "body", 4},
		{"---\n---\n", "", "", 3},
		{"---\ntitle: A\n---", "title: A\n", "", 4},
		{"--- \nx: 1\n---\n", "x: 1\n", "", 4},
		{"----\nnot front matter\n", "", "----\nnot front matter\n", 1},
		{"\uFEFF---\ntitle: A\n---\nbody", "title: A\n", "body", 4},
	} {
		front, body, line, err := Split([]byte(tc.src))
		if err != nil || string(front) != tc.front || string(body) != tc.body || line != tc.bodyLine {
			t.Errorf("Split(%q) = %q, %q, %d, %v; want %q, %q, %d", tc.src, front, body, line, err, tc.front, tc.body, tc.bodyLine)
		}
	}
	_, _, _, err := Split([]byte("---\ntitle: A\n"))
	var fe *Error
	if !errors.As(err, &fe) || fe.Line != 1 {
		t.Errorf("unclosed front matter: %v, want an Error at line 1", err)
	}
}

func TestDecodePage(t *testing.T) {
	p, err := DecodePage([]byte("title: T\ndescription: D\ndraft: true\nrevalidate: 1h\ndate: 2026-12-01\nauthor: Ada\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "T" || p.Description != "D" || !p.Draft || !p.HasRevalidate || p.Revalidate != time.Hour || p.Extra["author"] != "Ada" {
		t.Errorf("page %+v", p)
	}
	if d, ok := p.Extra["date"].(time.Time); !ok || d.Day() != 1 {
		t.Errorf("date %#v, want a time.Time", p.Extra["date"])
	}
	if p, err := DecodePage([]byte("revalidate: 0\n")); err != nil || !p.HasRevalidate || p.Revalidate != 0 {
		t.Errorf("revalidate: 0 = %+v, %v", p, err)
	}
	for src, want := range map[string]string{
		"title: [a]\n":       "2:8: title must be a string, got a list",
		"draft: maybe\n":     `2:8: draft must be true or false, got "maybe"`,
		"revalidate: -1\n":   "2:13: revalidate must be a number of seconds or a duration like 1h, got -1",
		"x: 1\ny: [\n":       "front matter:",
		"- a\n- b\n":         "2:1: front matter is a list of name: value lines, got a list",
		"title: a\ntitle: b": "front matter:",
	} {
		_, err := DecodePage([]byte(src))
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("DecodePage(%q): %v, want %q", src, err, want)
		}
	}
}

// FuzzSplit: Split never panics, and what it returns is src cut in
// order: the front matter is src's own bytes after the opening line, the
// body is src's end, and the body line counts the lines before it.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "---", "---\n", "---\n---\n", "---\na: 1\n---\nbody\n", "---\r\na\r\n...\r\n", "# x\n---\n", "---\n\n\n---"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		front, body, line, err := Split(src)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.Line != 1 {
				t.Fatalf("error %v, want an Error at line 1", err)
			}
			return
		}
		if !bytes.HasSuffix(src, body) {
			t.Fatalf("body %q is not the end of %q", body, src)
		}
		if front == nil {
			if !bytes.Equal(body, src) || line != 1 {
				t.Fatalf("no front matter but body %q, line %d", body, line)
			}
			return
		}
		if !bytes.Contains(src, front) {
			t.Fatalf("front %q not in %q", front, src)
		}
		if want := bytes.Count(src[:len(src)-len(body)], []byte("\n")) + 1; line != want && len(body) > 0 {
			t.Fatalf("body line %d, want %d", line, want)
		}
	})
}
