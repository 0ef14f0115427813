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
func (s *Server) render(ctx context.Context, data []byte, width, quality int, format string) ([]byte, *problem) {
	select {
	case s.workers <- struct{}{}:
	case <-ctx.Done():
		return nil, fail(http.StatusServiceUnavailable, "busy resizing other images: %v", ctx.Err())
	}
	defer func() { <-s.workers }()
	s.resizes.Add(1)

	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fail(http.StatusUnprocessableEntity, "src cannot be decoded: %v", err)
	}
	dst := resize(src, width)
	var out bytes.Buffer
	switch format {
	case formatWebP:
		err = webp.Encode(&out, nrgba(dst), webp.Options{Quality: quality, Method: webpMethod})
	case formatJPEG:
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: quality})
	default:
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, dst)
	}
	if err != nil {
		return nil, fail(http.StatusUnprocessableEntity, "encode %s: %v", format, err)
	}
	return out.Bytes(), nil
}

// resize scales src to width pixels wide (never up), keeping its aspect
// ratio. A large reduction is done in two steps: an average over boxes of
// k x k pixels, which is fast and does not alias, down to within twice the
// target, then Catmull-Rom to the exact size.
func resize(src image.Image, width int) *image.RGBA {
	b := src.Bounds()
	if width >= b.Dx() {
		width = b.Dx()
	}
	height := max(1, (b.Dy()*width+b.Dx()/2)/b.Dx())
	var mid *image.RGBA
	if k := b.Dx() / width; k >= 2 {
		if ycc, ok := src.(*image.YCbCr); ok {
			mid = boxYCbCr(ycc, k)
		} else {
			mid = boxRGBA(toRGBA(src), k)
		}
	} else {
		mid = toRGBA(src)
	}
	if mid.Bounds().Dx() == width && mid.Bounds().Dy() == height {
		return mid
	}
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), mid, mid.Bounds(), xdraw.Src, nil)
	return dst
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

// boxRGBA averages src over boxes of k x k pixels (premultiplied, so
// transparent pixels do not darken their neighbours).
func boxRGBA(src *image.RGBA, k int) *image.RGBA {
	w, h := src.Rect.Dx()/k, src.Rect.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	n := uint32(k * k)
	for y := range h {
		for x := range w {
			var r, g, bl, a uint32
			for dy := range k {
				row := src.Pix[(y*k+dy)*src.Stride+x*k*4:]
				for dx := range k {
					p := row[dx*4 : dx*4+4 : dx*4+4]
					r += uint32(p[0])
					g += uint32(p[1])
					bl += uint32(p[2])
					a += uint32(p[3])
				}
			}
			o := dst.Pix[y*dst.Stride+x*4 : y*dst.Stride+x*4+4 : y*dst.Stride+x*4+4]
			o[0], o[1], o[2], o[3] = uint8(r/n), uint8(g/n), uint8(bl/n), uint8(a/n)
		}
	}
	return dst
}

// boxYCbCr averages a decoded JPEG over boxes of k x k pixels, reading its
// planes directly, into opaque RGBA: the full-size image is never
// converted.
func boxYCbCr(src *image.YCbCr, k int) *image.RGBA {
	b := src.Rect
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	n := int32(k * k)
	for y := range h {
		for x := range w {
			var ys, cbs, crs int32
			for dy := range k {
				py := b.Min.Y + y*k + dy
				for dx := range k {
					px := b.Min.X + x*k + dx
					ys += int32(src.Y[src.YOffset(px, py)])
					ci := src.COffset(px, py)
					cbs += int32(src.Cb[ci])
					crs += int32(src.Cr[ci])
				}
			}
			r, g, bl := ycbcrToRGB(ys/n, cbs/n-128, crs/n-128)
			o := dst.Pix[y*dst.Stride+x*4 : y*dst.Stride+x*4+4 : y*dst.Stride+x*4+4]
			o[0], o[1], o[2], o[3] = r, g, bl, 255
		}
	}
	return dst
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
