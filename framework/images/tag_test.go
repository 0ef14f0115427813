package images

import (
	"context"
	"strings"
	"testing"
)

// TestRender: the <img> lists the widths up to the source's own (the
// next one up served at the source's width), points src at the largest,
// carries the source's version, its size from its header, and lazy
// loading unless Priority; an empty Alt without Decorative is an error.
func TestRender(t *testing.T) {
	f := newFixture(t, Options{RemoteHosts: []string{"cdn.example"}})
	meta, p := f.srv.localMeta("photos/a.jpg")
	if p != nil {
		t.Fatal(p)
	}
	v := "&amp;v=" + meta.version()
	for _, tc := range []struct {
		name  string
		props Props
		want  []string
		not   []string
	}{
		{"device sizes", Props{Src: "/photos/a.jpg", Alt: "A <gradient>"}, []string{
			`<img alt="A &lt;gradient&gt;" width="1200" height="900" loading="lazy" decoding="async" srcset="`,
			`/_framework/image?src=/photos/a.jpg&amp;w=640&amp;q=75` + v + ` 640w, `,
			`w=1080&amp;q=75` + v + ` 1080w, `,
			`w=1200&amp;q=75` + v + ` 1200w" src="/_framework/image?src=/photos/a.jpg&amp;w=1200&amp;q=75` + v + `">`,
		}, []string{"w=16&", "w=1920", "fetchpriority", "sizes="}},
		// At 100vw on the narrowest screen (640 px) the image is never
		// drawn narrower than 640 px: no smaller widths, as in Next.js.
		{"sizes and priority", Props{Src: "/photos/a.jpg", Alt: "x", Sizes: "(max-width: 768px) 100vw, 768px", Priority: true, Quality: 60, Class: "cover"}, []string{
			`fetchpriority="high" decoding="async" class="cover" sizes="(max-width: 768px) 100vw, 768px" srcset="/_framework/image?src=/photos/a.jpg&amp;w=640&amp;q=60` + v + ` 640w, `,
			` 750w, `, ` 1200w"`,
		}, []string{"loading=", "1920w", " 384w", " 16w"}},
		{"half the viewport", Props{Src: "/photos/a.jpg", Alt: "x", Sizes: "(min-width: 800px) 50vw, 100vw"}, []string{
			`srcset="/_framework/image?src=/photos/a.jpg&amp;w=384&amp;q=75` + v + ` 384w, `, ` 640w, `, ` 1200w"`,
		}, []string{" 256w", "1920w"}},
		{"fixed width", Props{Src: "/photos/a.jpg", Alt: "x", Sizes: "64px"}, []string{
			`srcset="/_framework/image?src=/photos/a.jpg&amp;w=16&amp;q=75` + v + ` 16w, `, ` 64w, `, ` 1200w"`,
		}, nil},
		{"source narrower than the least", Props{Src: "/logo.png", Alt: "x", Sizes: "100vw"}, []string{
			`srcset="/_framework/image?src=/logo.png&amp;w=640&amp;q=75`, ` 828w"`,
		}, []string{" 384w", "1080w"}},
		{"decorative", Props{Src: "/logo.png", Decorative: true}, []string{`<img alt="" width="800" height="400"`, ` 828w"`}, []string{"1080w"}},
		{"remote", Props{Src: "https://cdn.example/p.jpg", Alt: "p", Width: 700, Height: 500}, []string{`src=https%3A//cdn.example/p.jpg&amp;w=750&amp;q=75 750w" src=`}, []string{"v="}},
	} {
		var b strings.Builder
		if err := f.srv.Render(context.Background(), &b, tc.props); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: %s\nlacks %s", tc.name, b.String(), w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(b.String(), n) {
				t.Errorf("%s: %s\nhas %s", tc.name, b.String(), n)
			}
		}
	}
	for _, tc := range []struct {
		props  Props
		reason string
	}{
		{Props{Src: "/photos/a.jpg"}, "Alt is empty"},
		{Props{Src: "/photos/a.jpg", Alt: "x", Decorative: true}, "Decorative with an Alt"},
		{Props{Src: "/photos/nope.jpg", Alt: "x"}, "no such file"},
		{Props{Src: "/../secret.jpg", Alt: "x"}, "not a path inside public/"},
		{Props{Src: "/bomb.png", Alt: "x"}, "the limit is 50"},
		{Props{Src: "https://cdn.example/p.jpg", Alt: "x"}, "needs its Width and Height"},
		{Props{Src: "https://other.example/p.jpg", Alt: "x", Width: 1, Height: 1}, "not on the allow-list"},
		{Props{Src: "/photos/a.jpg", Alt: "x", Quality: 101}, "not from 1 to 100"},
	} {
		err := f.srv.Render(context.Background(), &strings.Builder{}, tc.props)
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%+v: %v; want an error with %q", tc.props, err, tc.reason)
		}
	}
}

// TestRenderUnoptimized: with Unoptimized the <img> links the source as
// it is, its size and loading as usual, no srcset or sizes, so that a
// static host serves it.
func TestRenderUnoptimized(t *testing.T) {
	f := newFixture(t, Options{Unoptimized: true, RemoteHosts: []string{"cdn.example"}})
	for _, tc := range []struct {
		props Props
		want  string
	}{
		{Props{Src: "/photos/a.jpg", Alt: "A <gradient>", Sizes: "100vw", Priority: true, Class: "cover"},
			`<img alt="A &lt;gradient&gt;" width="1200" height="900" fetchpriority="high" decoding="async" class="cover" src="/photos/a.jpg">`},
		{Props{Src: "https://cdn.example/p.jpg?a=1&b=2", Alt: "p", Width: 700, Height: 500},
			`<img alt="p" width="700" height="500" loading="lazy" decoding="async" src="https://cdn.example/p.jpg?a=1&amp;b=2">`},
	} {
		var b strings.Builder
		if err := f.srv.Render(context.Background(), &b, tc.props); err != nil || b.String() != tc.want {
			t.Errorf("%s: %v\n%s\nwant\n%s", tc.props.Src, err, b.String(), tc.want)
		}
	}
	if err := f.srv.Render(context.Background(), &strings.Builder{}, Props{Src: "/photos/nope.jpg", Alt: "x"}); err == nil {
		t.Errorf("a missing file renders")
	}
}

// TestRenderKeepsEachSrcset: a Server keeps the srcset of each image it
// rendered, and an <img> of the same file at another quality, width or
// with sizes gets its own, what a fresh Server renders.
func TestRenderKeepsEachSrcset(t *testing.T) {
	all := []Props{
		{Src: "/photos/a.jpg", Alt: "a"},
		{Src: "/photos/a.jpg", Alt: "b", Sizes: "100vw"},
		{Src: "/photos/a.jpg", Alt: "c", Quality: 60},
		{Src: "/photos/a.jpg", Alt: "d", Width: 500, Height: 300},
		{Src: "/logo.png", Alt: "e"},
	}
	render := func(srv *Server, p Props) string {
		var b strings.Builder
		if err := srv.Render(context.Background(), &b, p); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	kept, fresh := newFixture(t, Options{}).srv, newFixture(t, Options{}).srv
	var want []string
	for i := range all {
		// In the other order: each its first render on fresh.
		want = append(want, render(fresh, all[len(all)-1-i]))
	}
	for round := range 2 {
		for i, p := range all {
			if got := render(kept, p); got != want[len(all)-1-i] {
				t.Errorf("round %d, %+v:\n%s\nwant\n%s", round, p, got, want[len(all)-1-i])
			}
		}
	}
}
