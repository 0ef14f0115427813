package images

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Props describe an <img> that Render writes.
type Props struct {
	// Src is a file in public/ ("/photos/a.jpg"), or a URL on an
	// allow-listed host (Options.RemoteHosts).
	Src string

	// Alt is the image's text alternative, required: an Image with an
	// empty Alt fails to render unless Decorative is set, so that a
	// forgotten alt shows in development rather than in a screen reader.
	Alt string

	// Decorative marks an image that adds nothing to the page's text (a
	// flourish, a background photo): it gets alt="", which screen readers
	// skip. Alt must then be empty.
	Decorative bool

	// Sizes is the <img>'s sizes attribute: how wide the image is shown,
	// such as "(max-width: 768px) 100vw, 768px". With it, srcset lists the
	// small widths (ImageSizes) too, from the narrowest screen's share of
	// the smallest vw in it (640w and up for 100vw, 384w and up for 50vw);
	// without it, the browser takes the image as wide as the screen and
	// srcset lists DeviceSizes.
	Sizes string

	// Priority marks the largest image of the page, seen first: it is
	// fetched at high priority (fetchpriority="high") and not lazily.
	Priority bool

	// Quality is the variants' quality, 1 to 100; 0 means DefaultQuality.
	Quality int

	// Width and Height are the image's intrinsic size. They are read from
	// a public/ file's header, and must be given for a remote Src, which
	// is not fetched while rendering a page.
	Width, Height int

	// Class is the <img>'s class attribute.
	Class string
}

// Render writes the <img> tag of p: a srcset over the accepted widths up
// to the source's own, src its largest, the intrinsic width and height (so
// that the page does not shift as it loads), loading="lazy" and
// decoding="async" unless p.Priority. The URLs of a public/ file carry its
// content version (v=), so browsers keep its variants for a year.
func (s *Server) Render(ctx context.Context, w io.Writer, p Props) error {
	if p.Alt == "" && !p.Decorative {
		return fmt.Errorf("image %s: Alt is empty: describe the image, or set Decorative for one that adds nothing to the text (alt=\"\")", p.Src)
	}
	if p.Alt != "" && p.Decorative {
		return fmt.Errorf("image %s: Decorative with an Alt; a decorative image has alt=\"\"", p.Src)
	}
	quality := p.Quality
	if quality == 0 {
		quality = DefaultQuality
	}
	if quality < 1 || quality > 100 {
		return fmt.Errorf("image %s: Quality %d is not from 1 to 100", p.Src, quality)
	}
	width, height, version, err := s.source(p)
	if err != nil {
		return err
	}

	var b strings.Builder
	b.WriteString(`<img alt="`)
	b.WriteString(html.EscapeString(p.Alt))
	b.WriteString(`" width="`)
	b.WriteString(strconv.Itoa(width))
	b.WriteString(`" height="`)
	b.WriteString(strconv.Itoa(height))
	if p.Priority {
		b.WriteString(`" fetchpriority="high`)
	} else {
		b.WriteString(`" loading="lazy`)
	}
	b.WriteString(`" decoding="async`)
	if p.Class != "" {
		b.WriteString(`" class="`)
		b.WriteString(html.EscapeString(p.Class))
	}
	if s.opts.Unoptimized {
		b.WriteString(`" src="`)
		b.WriteString(html.EscapeString(p.Src))
		b.WriteString(`">`)
		_, err = io.WriteString(w, b.String())
		return err
	}
	if p.Sizes != "" {
		b.WriteString(`" sizes="`)
		b.WriteString(html.EscapeString(p.Sizes))
	}
	least := 0 // the narrowest width worth listing
	if vw := smallestViewportShare(p.Sizes); vw > 0 {
		least = slices.Min(s.opts.DeviceSizes) * vw / 100
	}
	b.WriteString(s.srcset(srcsetKey{src: p.Src, version: version, width: width, quality: quality, sized: p.Sizes != "", least: least}))
	_, err = io.WriteString(w, b.String())
	return err
}

// srcsetKey is what the srcset and src attributes of an <img> depend on.
type srcsetKey struct {
	src, version   string
	width, quality int
	sized          bool // the <img> has sizes: srcset has the small widths
	least          int  // from this width up (smallestViewportShare)
}

// maxSrcsets is how many srcset attributes a Server keeps: a site shows
// few images, each on many pages.
const maxSrcsets = 1024

// srcsets keeps the attributes srcset makes, up to maxSrcsets of them:
// their URLs were most of a page's render when a site's every page shows
// the same image.
type srcsets struct {
	m sync.Map // srcsetKey to string
	n atomic.Int64
}

// srcset returns the srcset and src attributes of k's image, and the end
// of the tag: ` srcset="..." src="...">`.
func (s *Server) srcset(k srcsetKey) string {
	if v, ok := s.srcsets.m.Load(k); ok {
		return v.(string)
	}
	candidates := s.opts.DeviceSizes
	if k.sized {
		candidates = s.widths
	}
	var widths []int
	for _, c := range slices.Sorted(slices.Values(candidates)) {
		if c < k.least && c < k.width {
			continue
		}
		widths = append(widths, c)
		if c >= k.width {
			break // this one is served at the source's width
		}
	}
	var b strings.Builder
	b.WriteString(`" srcset="`)
	for i, w := range widths {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(html.EscapeString(URL(k.src, w, k.quality, k.version)))
		b.WriteString(" ")
		b.WriteString(strconv.Itoa(w))
		b.WriteString("w")
	}
	b.WriteString(`" src="`)
	b.WriteString(html.EscapeString(URL(k.src, widths[len(widths)-1], k.quality, k.version)))
	b.WriteString(`">`)
	if s.srcsets.n.Add(1) <= maxSrcsets {
		s.srcsets.m.Store(k, b.String())
	}
	return b.String()
}

// source returns the width and height Render writes for p's image and the
// version its URLs carry: a local file's own (from its header, unless p
// sets them) and content version, or a remote image's from p.
func (s *Server) source(p Props) (width, height int, version string, err error) {
	width, height = p.Width, p.Height
	switch {
	case strings.HasPrefix(p.Src, "/") && !strings.HasPrefix(p.Src, "//"):
		name, prob := localName(p.Src)
		if prob != nil {
			return 0, 0, "", fmt.Errorf("image: %s", prob.reason)
		}
		m, prob := s.localMeta(name)
		if prob != nil {
			return 0, 0, "", fmt.Errorf("image %s: %s", p.Src, prob.reason)
		}
		if width == 0 && height == 0 {
			width, height = m.width, m.height
		}
		version = m.version()
	default:
		if _, prob := s.remoteURL(p.Src); prob != nil {
			return 0, 0, "", errors.New("image: " + prob.reason)
		}
		if width <= 0 || height <= 0 {
			return 0, 0, "", fmt.Errorf("image %s: a remote image needs its Width and Height", p.Src)
		}
	}
	return width, height, version, nil
}

// URL returns the endpoint's URL of src's variant at width and quality;
// version, the source's content version, makes it immutable ("" for a
// remote src).
func URL(src string, width, quality int, version string) string {
	// Slashes stay as they are, as a query allows: the URL reads
	// better, and the server has nothing to unescape.
	u := Path + "?src=" + strings.ReplaceAll(url.QueryEscape(src), "%2F", "/") + "&w=" + strconv.Itoa(width) + "&q=" + strconv.Itoa(quality)
	if version != "" {
		u += "&v=" + version
	}
	return u
}

// smallestViewportShare returns the smallest share of the viewport's width
// that sizes gives the image, in percent (50 for "50vw"), or 0 when it
// gives none. An image shown at 100vw is never drawn narrower than the
// narrowest screen's share of it, so srcset skips the widths below that
// (as Next.js does): on "(max-width: 44rem) 100vw, 44rem" it lists 640w
// and up, not 16w to 384w as well.
func smallestViewportShare(sizes string) int {
	least := 0
	for _, f := range strings.FieldsFunc(sizes, func(r rune) bool { return r == ' ' || r == ',' || r == '(' || r == ')' }) {
		n, err := strconv.Atoi(strings.TrimSuffix(f, "vw"))
		if !strings.HasSuffix(f, "vw") || err != nil || n < 1 || n > 100 {
			continue
		}
		if least == 0 || n < least {
			least = n
		}
	}
	return least
}
