package images

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gen2brain/webp"
	"github.com/labstack/echo/v4"
	xdraw "golang.org/x/image/draw"
)

// nopWriter is a ResponseWriter that keeps nothing, so that the benchmarks
// measure the handlers and not a recorder.
type nopWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

// benchPublic is public/ with a 2000x1500 photo, what a camera or a stock
// site gives an author.
func benchPublic(b *testing.B) fstest.MapFS {
	return fstest.MapFS{"photos/a.jpg": {Data: photo(b, 2000, 1500)}}
}

// BenchmarkFirstRequest is the first request for w=640 WebP of a
// 2000x1500 JPEG: a new Server each time, so the file is read, hashed,
// decoded, resized and encoded. It reports the variant's bytes as a
// fraction of the original's, and the CPU time a request took, which
// varies less than the wall time on a shared machine.
func BenchmarkFirstRequest(b *testing.B) {
	public := benchPublic(b)
	webp.Init() // the encoder's one-time start, done when a Server is made
	req, _ := http.NewRequest(http.MethodGet, Path+"?src=/photos/a.jpg&w=640&q=75", nil)
	req.Header.Set("Accept", acceptWebP)
	w := &nopWriter{h: make(http.Header)}
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		clear(w.h)
		w.n = 0
		New(Options{Public: public}).ServeHTTP(w, req)
	}
	reportCPU(b, start)
	if w.status != http.StatusOK || w.h.Get("Content-Type") != "image/webp" {
		b.Fatalf("%d %s", w.status, w.h.Get("Content-Type"))
	}
	b.ReportMetric(float64(w.n)/float64(len(public["photos/a.jpg"].Data)), "variant/original")
	b.ReportMetric(float64(w.n), "variant-bytes")
}

func cachedLoop(b *testing.B, e *echo.Echo, path string) {
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", acceptWebP)
	w := &nopWriter{h: make(http.Header)}
	e.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		e.ServeHTTP(w, req)
	}
}

// BenchmarkCachedVariant serves a cached w=640 WebP variant through Echo,
// as an App mounts the Server.
func BenchmarkCachedVariant(b *testing.B) {
	s := New(Options{Public: benchPublic(b)})
	e := echo.New()
	e.GET(Path, echo.WrapHandler(s))
	m, p := s.localMeta("photos/a.jpg")
	if p != nil {
		b.Fatal(p)
	}
	cachedLoop(b, e, URL("/photos/a.jpg", 640, 75, m.version()))
}

// BenchmarkCachedVariantEchoLimit is the limit for BenchmarkCachedVariant:
// an Echo handler writing the same bytes with the same headers from
// memory.
func BenchmarkCachedVariantEchoLimit(b *testing.B) {
	s := New(Options{Public: benchPublic(b)})
	m, _ := s.localMeta("photos/a.jpg")
	path := URL("/photos/a.jpg", 640, 75, m.version())
	e := echo.New()
	e.GET(Path, echo.WrapHandler(s))
	w := &nopWriter{h: make(http.Header)}
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", acceptWebP)
	e.ServeHTTP(w, req)
	body := s.hot.get(variantKey{m.hash, 640, 75, formatWebP}).body
	header := map[string][]string{
		"Content-Type":           {"image/webp"},
		"Cache-Control":          {immutable},
		"Etag":                   {w.h.Get("ETag")},
		"Vary":                   {"Accept"},
		"X-Content-Type-Options": {"nosniff"},
		"Content-Length":         {strconv.Itoa(len(body))},
	}
	limit := echo.New()
	limit.GET(Path, func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range header {
			h[k] = v
		}
		c.Response().WriteHeader(http.StatusOK)
		_, err := c.Response().Write(body)
		return err
	})
	cachedLoop(b, limit, path)
}

// BenchmarkScale compares ways to scale a 2000x1500 photo to 640 pixels
// wide: the time of each, and its PSNR against Catmull-Rom's (the
// sharpest of golang.org/x/image/draw's filters) as "dB". "planes" is
// resizePlanes, which the server does.
func BenchmarkScale(b *testing.B) {
	data := photo(b, 2000, 1500)
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	scale := func(k xdraw.Interpolator, m image.Image) *image.RGBA {
		d := image.NewRGBA(image.Rect(0, 0, 640, 480))
		k.Scale(d, d.Bounds(), m, m.Bounds(), xdraw.Src, nil)
		return d
	}
	planes := func(m image.Image) *image.RGBA {
		d := image.NewYCbCr(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
		resizePlanes(d, m, false)
		return toRGBA(d)
	}
	ref := scale(xdraw.CatmullRom, src)
	for _, tc := range []struct {
		name string
		f    func() *image.RGBA
	}{
		{"CatmullRom", func() *image.RGBA { return scale(xdraw.CatmullRom, src) }},
		{"BiLinear", func() *image.RGBA { return scale(xdraw.BiLinear, src) }},
		{"ApproxBiLinear", func() *image.RGBA { return scale(xdraw.ApproxBiLinear, src) }},
		{"box(RGBA)", func() *image.RGBA { return resize(src, 640, 480) }},
		{"planes", func() *image.RGBA { return planes(src) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var m *image.RGBA
			for b.Loop() {
				m = tc.f()
			}
			b.ReportMetric(psnr(ref, m), "dB")
		})
	}
}

// psnr is the peak signal-to-noise ratio of b against a, in decibels.
func psnr(a, b *image.RGBA) float64 {
	var se float64
	for i := range a.Pix {
		d := float64(a.Pix[i]) - float64(b.Pix[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(len(a.Pix))))
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time an iteration took since start, in ms.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkStages times each stage of the first request for w=640 WebP of
// a 2000x1500 JPEG, as the server does it ("planes", "yuv") and
// with the full decode and RGBA, and WebP's methods 0 to 4 with the bytes
// each gives at q=75.
func BenchmarkStages(b *testing.B) {
	webp.Init()
	data := photo(b, 2000, 1500)
	full, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	yuv := image.NewNYCbCrA(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
	resizePlanes(&yuv.YCbCr, full, true)
	for i := range yuv.A {
		yuv.A[i] = 255
	}
	ycc := image.NewYCbCr(yuv.Rect, image.YCbCrSubsampleRatio420)
	resizePlanes(ycc, full, false)
	rgba := nrgba(toRGBA(ycc))
	run := func(name string, f func() int) {
		b.Run(name, func(b *testing.B) {
			n := 0
			start := cpuTime()
			for b.Loop() {
				n = f()
			}
			reportCPU(b, start)
			if n > 0 {
				b.ReportMetric(float64(n), "bytes")
			}
		})
	}
	run("decode/full", func() int { jpeg.Decode(bytes.NewReader(data)); return 0 })
	run("resize/full-box", func() int { resize(full, 640, 480); return 0 })
	run("resize/planes", func() int {
		d := image.NewNYCbCrA(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
		resizePlanes(&d.YCbCr, full, true)
		return 0
	})
	encode := func(m image.Image, method int) int {
		var buf bytes.Buffer
		if err := webp.Encode(&buf, m, webp.Options{Quality: 75, Method: method}); err != nil {
			b.Fatal(err)
		}
		return buf.Len()
	}
	for method := range 5 {
		run("encode/rgba/method="+strconv.Itoa(method), func() int { return encode(rgba, method) })
		run("encode/yuv/method="+strconv.Itoa(method), func() int { return encode(yuv, method) })
	}
}
