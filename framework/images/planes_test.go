package images

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"testing/fstest"

	"github.com/gen2brain/webp"
	xdraw "golang.org/x/image/draw"
)

// testPhoto is testdata/photo.jpg (made by testdata/gen_photo.go), a
// 1024x768 landscape with sharp silhouettes, foliage, ripples, thin
// branches and noise, and its meta.
func testPhoto(t testing.TB) ([]byte, meta) {
	t.Helper()
	data, err := os.ReadFile("testdata/photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	m, p := metaOf(data)
	if p != nil {
		t.Fatal(p)
	}
	return data, m
}

// meanAbsDiff is the mean absolute difference of a and b's R, G and B, in
// levels of 255.
func meanAbsDiff(a, b *image.RGBA) float64 {
	var sum float64
	for i := range a.Pix {
		if i%4 != 3 {
			sum += math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
		}
	}
	return sum / float64(len(a.Pix)*3/4)
}

// planesRGBA resizes src's planes to w x h and converts them to RGBA.
func planesRGBA(src image.Image, w, h int) *image.RGBA {
	d := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	if !resizePlanes(d, src, false) {
		panic("not planar")
	}
	return toRGBA(d)
}

// TestVariantLooksRight: the w=384 WebP and JPEG variants of the photo,
// decoded, are within a few levels of Catmull-Rom's reduction of the full
// decode, encoded the same way from RGB, and no channel's mean moves: the
// colours (WebP's video range, JPEG's full range) and the picture are
// right, at the size asked.
func TestVariantLooksRight(t *testing.T) {
	data, _ := testPhoto(t)
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ref := image.NewRGBA(image.Rect(0, 0, 384, 288))
	xdraw.CatmullRom.Scale(ref, ref.Rect, full, full.Bounds(), xdraw.Src, nil)
	s := New(Options{Public: fstest.MapFS{"photo.jpg": {Data: data}}})
	for _, accept := range []string{acceptWebP, "image/*"} {
		var buf bytes.Buffer
		dec := jpeg.Decode
		if accept == acceptWebP {
			err = webp.Encode(&buf, nrgba(ref), webp.Options{Quality: 90, Method: webpMethod})
			dec = webp.Decode
		} else {
			err = jpeg.Encode(&buf, ref, &jpeg.Options{Quality: 90})
		}
		if err != nil {
			t.Fatal(err)
		}
		want := decodeRGBA(t, dec, buf.Bytes())
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, Path+"?src=/photo.jpg&w=384&q=90", nil)
		req.Header.Set("Accept", accept)
		s.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("Accept %s: %d %s", accept, w.Code, w.Body)
		}
		got := decodeRGBA(t, dec, w.Body.Bytes())
		if got.Rect != want.Rect {
			t.Fatalf("Accept %s: %v, want %v", accept, got.Rect, want.Rect)
		}
		d := meanAbsDiff(got, want)
		if d > 3 {
			t.Errorf("Accept %s: mean absolute difference %.2f from Catmull-Rom's, want at most 3", accept, d)
		}
		t.Logf("Accept %s: mean absolute difference %.2f", accept, d)
		g, r := channelMeans(got), channelMeans(want)
		for c := range 3 {
			if math.Abs(g[c]-r[c]) > 1.5 {
				t.Errorf("Accept %s: channel %d's mean %.1f, Catmull-Rom's %.1f", accept, c, g[c], r[c])
			}
		}
	}
}

func decodeRGBA(t *testing.T, dec func(io.Reader) (image.Image, error), data []byte) *image.RGBA {
	t.Helper()
	m, err := dec(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(m.Bounds())
	draw.Draw(rgba, rgba.Rect, m, m.Bounds().Min, draw.Src)
	return rgba
}

// channelMeans is the mean of m's R, G and B.
func channelMeans(m *image.RGBA) (mean [3]float64) {
	for i, v := range m.Pix {
		if c := i % 4; c < 3 {
			mean[c] += float64(v)
		}
	}
	for c := range mean {
		mean[c] /= float64(len(m.Pix) / 4)
	}
	return mean
}

// TestPlanesOddSizes: every width of a source with odd sides gets the size
// targetSize says, whatever the decoding scale, with no sample out of the
// source (an out-of-range read panics).
func TestPlanesOddSizes(t *testing.T) {
	for _, size := range [][2]int{{1001, 751}, {999, 17}, {17, 999}, {33, 33}} {
		data := photo(t, size[0], size[1])
		m, p := metaOf(data)
		if p != nil {
			t.Fatal(p)
		}
		for _, width := range append(append([]int{}, ImageSizes...), DeviceSizes...) {
			src, err := decode(data)
			if err != nil {
				t.Fatal(err)
			}
			w, h := targetSize(m.width, m.height, width)
			d := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
			resizePlanes(d, src, true)
			if w != min(width, size[0]) || h != max(1, (size[1]*w+size[0]/2)/size[0]) {
				t.Errorf("%v w=%d: %dx%d", size, width, w, h)
			}
		}
	}
}

// TestAreaTaps: each target sample's weights sum to one and cover its
// share of the source.
func TestAreaTaps(t *testing.T) {
	for _, mn := range [][2]int{{1000, 640}, {2000, 640}, {640, 640}, {500, 320}, {3, 7}, {7, 3}} {
		taps := areaTaps(mn[0], mn[1])
		for i, tp := range taps {
			var sum int32
			for _, w := range tp.weights {
				sum += w
			}
			if sum != 1<<tapBits || tp.first < 0 || tp.first+len(tp.weights) > mn[0] {
				t.Errorf("%v: target %d: first %d, %d weights summing to %d", mn, i, tp.first, len(tp.weights), sum)
			}
			if lo := i * mn[0] / mn[1]; tp.first != lo {
				t.Errorf("%v: target %d starts at %d, want %d", mn, i, tp.first, lo)
			}
		}
	}
}
