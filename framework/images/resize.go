package images

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"net/http"

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

// render decodes data, resizes it to width (or the source's width, if
// smaller) and encodes it in format at quality, on the resize pool.
func (s *Server) render(ctx context.Context, data []byte, width, quality int, format string) (out []byte, p *problem) {
	select {
	case s.workers <- struct{}{}:
	case <-ctx.Done():
		return nil, fail(http.StatusServiceUnavailable, "busy resizing other images: %v", ctx.Err())
	}
	defer func() { <-s.workers }()
	s.resizes.Add(1)
	// A decoder that panics on a hostile file refuses that file; the
	// server goes on.
	defer func() {
		if v := recover(); v != nil {
			out, p = nil, fail(http.StatusUnprocessableEntity, "src cannot be decoded: %v", v)
		}
	}()

	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fail(http.StatusUnprocessableEntity, "src cannot be decoded: %v", err)
	}
	dst := resize(src, width)
	var buf bytes.Buffer
	switch format {
	case formatWebP:
		err = webp.Encode(&buf, nrgba(dst), webp.Options{Quality: quality, Method: webpMethod})
	case formatJPEG:
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality})
	default:
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, dst)
	}
	if err != nil {
		return nil, fail(http.StatusUnprocessableEntity, "encode %s: %v", format, err)
	}
	return buf.Bytes(), nil
}

// resize scales src to width pixels wide (never up), keeping its aspect
// ratio. A reduction of 2x or more averages each target pixel's box of
// source pixels (3 or 4 pixels a side for 2000 to 640), which does not
// alias and reads each source pixel once; a smaller one is filtered
// bilinear interpolation. BenchmarkScale compares them with Catmull-Rom.
func resize(src image.Image, width int) *image.RGBA {
	b := src.Bounds()
	width = min(width, b.Dx())
	height := max(1, (b.Dy()*width+b.Dx()/2)/b.Dx())
	if b.Dx()/width < 2 || b.Dy()/height < 2 {
		dst := image.NewRGBA(image.Rect(0, 0, width, height))
		xdraw.BiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
		return dst
	}
	if ycc, ok := src.(*image.YCbCr); ok {
		return boxYCbCr(ycc, width, height)
	}
	return boxRGBA(toRGBA(src), width, height)
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

// boxYCbCr scales a decoded JPEG down to w x h, each pixel the average of
// its box, reading the planes directly into opaque RGBA: the full-size
// image is never converted. Chroma, subsampled, is averaged over the
// samples each box covers.
func boxYCbCr(src *image.YCbCr, w, h int) *image.RGBA {
	b := src.Rect
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xe, ye := edges(b.Dx(), w), edges(b.Dy(), h)
	hs, vs := subsampling(src.SubsampleRatio)
	// Chroma samples are at (x/hs, y/vs) of the image's own coordinates.
	cx0, cy0 := b.Min.X/hs, b.Min.Y/vs
	ys := make([]int32, w) // the sums of Y of one row of boxes
	for y := range h {
		clear(ys)
		for sy := ye[y]; sy < ye[y+1]; sy++ {
			row := src.Y[src.YOffset(b.Min.X, b.Min.Y+sy):]
			for x := range w {
				var sum int32
				for _, v := range row[xe[x]:xe[x+1]] {
					sum += int32(v)
				}
				ys[x] += sum
			}
		}
		rows := int32(ye[y+1] - ye[y])
		// The chroma rows this row of boxes covers.
		r0, r1 := (b.Min.Y+ye[y])/vs-cy0, (b.Min.Y+ye[y+1]-1)/vs-cy0
		o := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for x := range w {
			c0, c1 := (b.Min.X+xe[x])/hs-cx0, (b.Min.X+xe[x+1]-1)/hs-cx0
			var cb, cr, n int32
			for r := r0; r <= r1; r++ {
				base := r * src.CStride
				for c := c0; c <= c1; c++ {
					cb += int32(src.Cb[base+c])
					cr += int32(src.Cr[base+c])
					n++
				}
			}
			rr, g, bl := ycbcrToRGB(ys[x]/(rows*int32(xe[x+1]-xe[x])), cb/n-128, cr/n-128)
			o[4*x], o[4*x+1], o[4*x+2], o[4*x+3] = rr, g, bl, 255
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

// ycbcrToRGB is JFIF's conversion, in 16.16 fixed point as image/color's.
func ycbcrToRGB(y, cb, cr int32) (uint8, uint8, uint8) {
	yy := y<<16 + 1<<15
	return clamp8((yy + 91881*cr) >> 16), clamp8((yy - 22554*cb - 46802*cr) >> 16), clamp8((yy + 116130*cb) >> 16)
}

func clamp8(v int32) uint8 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
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
