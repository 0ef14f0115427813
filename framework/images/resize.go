package images

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"net/http"
	"time"

	"github.com/gen2brain/webp"
	xdraw "golang.org/x/image/draw"
)

// Output formats.
const (
	formatWebP = "webp"
	formatJPEG = "jpeg"
	formatPNG  = "png"
)

func contentType(format string) string { return "image/" + format }

// outputFormat is the format of a variant of a source in srcFormat: WebP
// when the client takes it, else JPEG for a JPEG and PNG (which keeps
// alpha) for anything else.
func outputFormat(srcFormat string, webpOK bool) string {
	switch {
	case webpOK:
		return formatWebP
	case srcFormat == formatJPEG:
		return formatJPEG
	default:
		return formatPNG
	}
}

// webpMethod is libwebp's speed/size trade-off: 0, the fastest, encodes a
// 640-pixel photo in about a fifth of the time of the default 4, at 20 to 30
// percent more bytes.
const webpMethod = 0

// render decodes data, the source m describes, resizes it to width (or
// the source's width, if smaller) and encodes it in format at quality, on
// the resize pool.
func (s *Server) render(ctx context.Context, data []byte, m meta, width, quality int, format string) (out []byte, p *problem) {
	select {
	case s.workers <- struct{}{}:
	case <-ctx.Done():
		return nil, fail(http.StatusServiceUnavailable, "busy resizing other images: %v", ctx.Err())
	}
	defer func() { <-s.workers }()
	s.resizes.Add(1)
	start := time.Now()
	defer func() { s.counts.rendered(time.Since(start)) }()
	// A decoder that panics on a hostile file refuses that file; the
	// server goes on.
	defer func() {
		if v := recover(); v != nil {
			out, p = nil, fail(http.StatusUnprocessableEntity, "src cannot be decoded: %v", v)
		}
	}()

	src, err := decode(data)
	if err != nil {
		return nil, fail(http.StatusUnprocessableEntity, "src cannot be decoded: %v", err)
	}
	w, h := targetSize(m.width, m.height, width)
	var buf bytes.Buffer
	switch {
	case format == formatWebP && isPlanar(src):
		// 4:2:0 planes with opaque alpha, which the encoder takes as they
		// are, without a conversion from RGB.
		dst := image.NewNYCbCrA(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		resizePlanes(&dst.YCbCr, src, true)
		for i := range dst.A {
			dst.A[i] = 255
		}
		err = webp.Encode(&buf, dst, webp.Options{Quality: quality, Method: webpMethod})
	case format == formatJPEG && isPlanar(src):
		dst := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		resizePlanes(dst, src, false)
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality})
	default:
		dst := resize(src, w, h)
		switch format {
		case formatWebP:
			err = webp.Encode(&buf, nrgba(dst), webp.Options{Quality: quality, Method: webpMethod})
		case formatJPEG:
			err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality})
		default:
			err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, dst)
		}
	}
	if err != nil {
		return nil, fail(http.StatusUnprocessableEntity, "encode %s: %v", format, err)
	}
	return buf.Bytes(), nil
}

// isPlanar reports whether m is a decoded JPEG's planes, which
// resizePlanes scales.
func isPlanar(m image.Image) bool {
	switch m.(type) {
	case *image.YCbCr, *image.Gray:
		return true
	}
	return false
}

// targetSize is the size of the variant width pixels wide of a w x h
// source: never wider than the source, the aspect ratio kept.
func targetSize(w, h, width int) (int, int) {
	width = min(width, w)
	return width, max(1, (h*width+w/2)/w)
}

// decode decodes data at its full size. A JPEG comes back as its
// planes (*image.YCbCr), which resizePlanes scales without an RGB step.
func decode(data []byte) (image.Image, error) {
	src, _, err := image.Decode(bytes.NewReader(data))
	return src, err
}

// resize scales src to w x h, a reduction or its own size. A reduction of
// 2x or more averages each target pixel's box of source pixels (3 or 4
// pixels a side for 2000 to 640), which does not alias and reads each
// source pixel once; a smaller one is filtered bilinear interpolation.
// A JPEG's planes are scaled by resizePlanes instead.
func resize(src image.Image, w, h int) *image.RGBA {
	b := src.Bounds()
	if b.Dx()/w < 2 || b.Dy()/h < 2 {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		xdraw.BiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
		return dst
	}
	return boxRGBA(toRGBA(src), w, h)
}

// toRGBA returns src as premultiplied RGBA, at the origin.
func toRGBA(src image.Image) *image.RGBA {
	if m, ok := src.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := src.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Bounds(), src, b.Min, draw.Src)
	return m
}

// edges splits n source pixels into parts boxes: box i is
// [e[i], e[i+1]).
func edges(n, parts int) []int {
	e := make([]int, parts+1)
	for i := range e {
		e[i] = i * n / parts
	}
	return e
}

// boxRGBA scales src down to w x h, each pixel the average of its box
// (premultiplied, so transparent pixels do not darken their neighbours).
func boxRGBA(src *image.RGBA, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xe, ye := edges(src.Rect.Dx(), w), edges(src.Rect.Dy(), h)
	sums := make([]uint32, 4*w)
	for y := range h {
		clear(sums)
		for sy := ye[y]; sy < ye[y+1]; sy++ {
			row := src.Pix[sy*src.Stride:]
			for x := range w {
				var r, g, bl, a uint32
				px := row[4*xe[x] : 4*xe[x+1]]
				for i := 0; i+3 < len(px); i += 4 {
					p := px[i : i+4 : i+4]
					r += uint32(p[0])
					g += uint32(p[1])
					bl += uint32(p[2])
					a += uint32(p[3])
				}
				sums[4*x] += r
				sums[4*x+1] += g
				sums[4*x+2] += bl
				sums[4*x+3] += a
			}
		}
		o := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		rows := uint32(ye[y+1] - ye[y])
		for x := range w {
			n := rows * uint32(xe[x+1]-xe[x])
			for c := range 4 {
				o[4*x+c] = uint8(sums[4*x+c] / n)
			}
		}
	}
	return dst
}

// subsampling returns the horizontal and vertical chroma subsampling of r.
func subsampling(r image.YCbCrSubsampleRatio) (hs, vs int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// nrgba returns m as non-premultiplied RGBA, what the WebP encoder takes;
// an opaque image is the same bytes, shared.
func nrgba(m *image.RGBA) *image.NRGBA {
	if m.Opaque() {
		return &image.NRGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
	}
	n := image.NewNRGBA(m.Rect)
	draw.Draw(n, n.Rect, m, m.Rect.Min, draw.Src)
	return n
}
