package images

import (
	"image"
	"math"
	"sync"
)

// A decoded JPEG (*image.YCbCr) is resized plane by plane, and goes to the
// encoders as 4:2:0 planes: it is never converted to RGB, which a WebP
// encoder would convert back, at a cost larger than the resize's.

// resizePlanes scales src, a decoded JPEG (*image.YCbCr or *image.Gray),
// into dst, a 4:2:0 image, each sample the average of the area of source
// samples it covers (what the eye sees when a photo is reduced). With
// video, the samples go from JPEG's full range to the video range WebP's
// YUV is in. It reports false, doing nothing, for any other image.
func resizePlanes(dst *image.YCbCr, src image.Image, video bool) bool {
	luma, chroma := (*[256]uint8)(nil), (*[256]uint8)(nil)
	if video {
		luma, chroma = &lumaVideo, &chromaVideo
	}
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	dcw, dch := (w+1)/2, (h+1)/2
	switch src := src.(type) {
	case *image.YCbCr:
		b := src.Rect
		hs, vs := subsampling(src.SubsampleRatio)
		// Chroma samples are at (x/hs, y/vs) of the image's own coordinates.
		cx0, cy0 := b.Min.X/hs, b.Min.Y/vs
		cw, ch := (b.Max.X+hs-1)/hs-cx0, (b.Max.Y+vs-1)/vs-cy0
		// The chroma planes are scaled beside the luma plane, which is
		// twice their work: a first request waits for the longer half.
		coff := cy0*src.CStride + cx0
		var wg sync.WaitGroup
		wg.Go(func() {
			resizePlane(dst.Cb, dst.CStride, dcw, dch, src.Cb[coff:], src.CStride, cw, ch, chroma)
			resizePlane(dst.Cr, dst.CStride, dcw, dch, src.Cr[coff:], src.CStride, cw, ch, chroma)
		})
		resizePlane(dst.Y, dst.YStride, w, h, src.Y[src.YOffset(b.Min.X, b.Min.Y):], src.YStride, b.Dx(), b.Dy(), luma)
		wg.Wait()
	case *image.Gray:
		b := src.Rect
		resizePlane(dst.Y, dst.YStride, w, h, src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, b.Dx(), b.Dy(), luma)
		for i := range dst.Cb {
			dst.Cb[i], dst.Cr[i] = 128, 128 // the same in both ranges
		}
	default:
		return false
	}
	return true
}

// lumaVideo and chromaVideo map JPEG's full-range samples (0 to 255) to
// the video range WebP's YUV is in (luma 16 to 235, chroma 16 to 240
// around 128): BT.601 both, so nothing else changes.
var lumaVideo, chromaVideo = func() (l, c [256]uint8) {
	for i := range 256 {
		l[i] = uint8(math.Round(16 + float64(i)*219/255))
		c[i] = uint8(math.Round(128 + float64(i-128)*224/255))
	}
	return l, c
}()

// A tap is the source samples one target sample averages: from first on,
// with weights in Q14 that sum to 1<<14.
type tap struct {
	first   int
	weights []int32
}

const tapBits = 14

// areaTaps returns the taps of each of n target samples over m source
// samples: target i covers source [i*m/n, (i+1)*m/n), and each source
// sample weighs what of it lies there.
func areaTaps(m, n int) []tap {
	taps := make([]tap, n)
	// In units of 1/n of a source sample: target i is [i*m, (i+1)*m),
	// source j is [j*n, (j+1)*n).
	for i := range taps {
		lo, hi := i*m, (i+1)*m
		first, last := lo/n, (hi-1)/n
		ws := make([]int32, last-first+1)
		var sum int32
		for j := first; j <= last; j++ {
			overlap := min(hi, (j+1)*n) - max(lo, j*n)
			ws[j-first] = int32(overlap << tapBits / m)
			sum += ws[j-first]
		}
		// Rounding down lost at most a unit a weight: the largest takes it.
		big := 0
		for k, v := range ws {
			if v > ws[big] {
				big = k
			}
		}
		ws[big] += 1<<tapBits - sum
		taps[i] = tap{first, ws}
	}
	return taps
}

// resizePlane scales the sw x sh plane src to the dw x dh plane dst, each
// sample the area average of the source it covers, mapped through lut
// when there is one: rows first, into 8.8 fixed point, then columns.
func resizePlane(dst []byte, dstride, dw, dh int, src []byte, sstride, sw, sh int, lut *[256]uint8) {
	xt, yt := areaTaps(sw, dw), areaTaps(sh, dh)
	rows := make([]uint16, dw*sh) // every source row scaled across
	for y := range sh {
		s, r := src[y*sstride:y*sstride+sw], rows[y*dw:y*dw+dw]
		for x, t := range xt {
			var sum int32
			for k, wt := range t.weights {
				sum += int32(s[t.first+k]) * wt
			}
			r[x] = uint16((sum + 1<<(tapBits-9)) >> (tapBits - 8))
		}
	}
	acc := make([]int32, dw)
	for y, t := range yt {
		clear(acc)
		for k, wt := range t.weights {
			r := rows[(t.first+k)*dw : (t.first+k)*dw+dw]
			for x, v := range r {
				acc[x] += int32(v) * wt
			}
		}
		o := dst[y*dstride : y*dstride+dw]
		for x, v := range acc {
			s := uint8(min(255, (v+1<<(tapBits+7))>>(tapBits+8)))
			if lut != nil {
				s = lut[s]
			}
			o[x] = s
		}
	}
}
