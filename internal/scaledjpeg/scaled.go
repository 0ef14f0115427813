// Package scaledjpeg decodes baseline and progressive JPEGs at 1/1, 1/2, 1/4
// or 1/8 of their size in the DCT domain, as libjpeg's scale_num and
// scale_denom do: a block's N x N top-left coefficients (N = 8/scale) go
// through an N-point inverse DCT, so a reduced image costs a fraction of the
// inverse transforms and of the memory of a full one, and is already
// filtered (the dropped coefficients are the frequencies the smaller image
// cannot hold).
//
// It is Go 1.26's image/jpeg (reader.go, scan.go, huffman.go and the
// inverse DCT of dct.go as idct.go, under Go's BSD licence in LICENSE),
// kept as upstream wrote it so that it can be compared with it, long
// functions included; the changes are the decoder's block size (bs), used
// by makeImg and reconstructBlock, this file, and the end of decode. It
// decodes grayscale and YCbCr images; a CMYK, YCbCrK or RGB JPEG is
// refused with ErrNotYCbCr, for the caller to decode with image/jpeg.
package scaledjpeg

import (
	"errors"
	"image"
	"io"
)

// ErrNotYCbCr refuses a JPEG in a colour model this package leaves to
// image/jpeg: CMYK, YCbCrK or RGB.
var ErrNotYCbCr = errors.New("scaledjpeg: not a grayscale or YCbCr JPEG")

var errNotYCbCr = ErrNotYCbCr

// Decode reads a JPEG from r at 1/scale of its size (scale 1, 2, 4 or 8),
// each side rounded up: an *image.Gray or an *image.YCbCr at the origin.
func Decode(r io.Reader, scale int) (image.Image, error) {
	d := decoder{bs: 8}
	switch scale {
	case 1, 2, 4, 8:
		d.bs = 8 / scale
	default:
		return nil, errors.New("scaledjpeg: scale is not 1, 2, 4 or 8")
	}
	return d.decode(r, false)
}

// zigOf is unzig's inverse: the zig-zag index of each natural index.
var zigOf = func() (z [blockSize]int) {
	for zig, natural := range unzig {
		z[natural] = zig
	}
	return z
}()

// Constants of the reduced inverse DCTs in Q13.
const (
	idctBits    = 13
	fixInvSqrt2 = 5793 // 1/√2
	fixCos1     = 7568 // cos π/8
	fixCos3     = 3135 // cos 3π/8
)

// reducedIDCT dequantizes b's n x n low frequencies with qt (in zig-zag
// order), takes their n-point inverse DCT and writes the n x n pixels to
// dst. The n-point inverse DCT gives the 8-point one's values between
// pixels (point x of n is at pixel (x+0.5)*8/n - 0.5 of 8) without the
// frequencies above n/2 cycles a block, which the smaller image cannot
// hold.
func reducedIDCT(b *block, qt *block, n int, dst []byte, stride int) {
	switch n {
	case 1:
		dst[0] = level(int(b[0]*qt[0]), 3)
	case 2:
		idct2(b, qt, dst, stride)
	default:
		idct4(b, qt, dst, stride)
	}
}

// idct2 is reducedIDCT for n = 2: f(x) = (F(0) ± F(1))/√2 a dimension.
func idct2(b *block, qt *block, dst []byte, stride int) {
	f00, f01 := int(b[0]*qt[0]), int(b[1]*qt[zigOf[1]])
	f10, f11 := int(b[8]*qt[zigOf[8]]), int(b[9]*qt[zigOf[9]])
	// (1/√2)² = 1/2, and the 2-D transform's 1/4: 1/8 in all.
	dst[0] = level(f00+f01+f10+f11, 3)
	dst[1] = level(f00-f01+f10-f11, 3)
	dst[stride] = level(f00+f01-f10-f11, 3)
	dst[stride+1] = level(f00-f01-f10+f11, 3)
}

// idct4 is reducedIDCT for n = 4, by rows then columns, each 1-D
// transform split into its even and odd halves.
func idct4(b *block, qt *block, dst []byte, stride int) {
	var tmp [16]int // rows of values at the 4 points, Q13
	for v := range 4 {
		r := b[v*8 : v*8+4 : v*8+4]
		if r[0]|r[1]|r[2]|r[3] == 0 {
			continue
		}
		z := zigOf[v*8 : v*8+4 : v*8+4]
		f0, f1 := int(r[0]*qt[z[0]]), int(r[1]*qt[z[1]])
		f2, f3 := int(r[2]*qt[z[2]]), int(r[3]*qt[z[3]])
		t := tmp[v*4 : v*4+4 : v*4+4]
		t[0], t[1], t[2], t[3] = butterfly4(f0, f1, f2, f3)
	}
	// Q26 after the columns, and the 2-D transform's 1/4: 28 bits.
	for x := range 4 {
		c0, c1, c2, c3 := butterfly4(tmp[x], tmp[4+x], tmp[8+x], tmp[12+x])
		dst[x] = level(c0, 2*idctBits+2)
		dst[stride+x] = level(c1, 2*idctBits+2)
		dst[2*stride+x] = level(c2, 2*idctBits+2)
		dst[3*stride+x] = level(c3, 2*idctBits+2)
	}
}

// butterfly4 is the 4-point inverse DCT of f0..f3, times 2^13:
// Σ C(u)F(u)cos((2x+1)uπ/8) at x = 0..3.
func butterfly4(f0, f1, f2, f3 int) (int, int, int, int) {
	a, c := f0*fixInvSqrt2, f2*fixInvSqrt2 // cos π/4 = 1/√2
	e0, e1 := a+c, a-c
	o0, o1 := f1*fixCos1+f3*fixCos3, f1*fixCos3-f3*fixCos1
	return e0 + o0, e1 + o1, e1 - o1, e0 - o0
}

// level rounds v / 2^shift, shifts it by +128 and clips it to a byte.
func level(v int, shift uint) uint8 {
	v = (v+1<<(shift-1))>>shift + 128
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}
