package scaledjpeg

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// testPhoto is a w x h JPEG of gradients, soft discs and fine waves with
// noise: detail at every scale, as a photo has.
func testPhoto(t testing.TB, w, h int, opts *jpeg.Options) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(3, 4))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			wave := 30*math.Sin(float64(x)/7+3*math.Cos(float64(y)/11)) + r.NormFloat64()*6
			d := math.Hypot(fx-0.4, fy-0.6)
			c := [3]float64{40 + 180*fx + wave, 90 + 100*fy - 60*d + wave, 200 - 120*fx*fy + wave}
			m.SetRGBA(x, y, color.RGBA{clip(c[0]), clip(c[1]), clip(c[2]), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func clip(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }

// TestFullScaleIsImageJPEG: at scale 1 the decoder is image/jpeg's.
func TestFullScaleIsImageJPEG(t *testing.T) {
	data := testPhoto(t, 203, 151, &jpeg.Options{Quality: 85})
	want, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(data), 1)
	if err != nil {
		t.Fatal(err)
	}
	w, g := want.(*image.YCbCr), got.(*image.YCbCr)
	if w.Rect != g.Rect || w.SubsampleRatio != g.SubsampleRatio || !bytes.Equal(w.Y, g.Y) || !bytes.Equal(w.Cb, g.Cb) || !bytes.Equal(w.Cr, g.Cr) {
		t.Fatalf("scale 1 differs from image/jpeg: %v %v", g.Rect, w.Rect)
	}
}

// TestReducedScales compares each reduced decode with the full decode
// averaged over scale x scale boxes: the same picture, within a mean
// absolute difference of a level or two, at the size rounded up.
func TestReducedScales(t *testing.T) {
	data := testPhoto(t, 203, 151, &jpeg.Options{Quality: 85})
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fy := full.(*image.YCbCr)
	for _, scale := range []int{2, 4, 8} {
		m, err := Decode(bytes.NewReader(data), scale)
		if err != nil {
			t.Fatal(err)
		}
		got := m.(*image.YCbCr)
		w, h := (203+scale-1)/scale, (151+scale-1)/scale
		if got.Rect != image.Rect(0, 0, w, h) {
			t.Fatalf("scale %d: %v, want %dx%d", scale, got.Rect, w, h)
		}
		var sum float64
		n := 0
		for y := range 151 / scale {
			for x := range 203 / scale {
				var avg int
				for dy := range scale {
					for dx := range scale {
						avg += int(fy.Y[fy.YOffset(x*scale+dx, y*scale+dy)])
					}
				}
				avg = (avg + scale*scale/2) / (scale * scale)
				sum += math.Abs(float64(avg) - float64(got.Y[got.YOffset(x, y)]))
				n++
			}
		}
		if mad := sum / float64(n); mad > 2.5 {
			t.Errorf("scale %d: mean absolute difference %.2f from the box-averaged full decode", scale, mad)
		} else {
			t.Logf("scale %d: mean absolute difference %.2f", scale, mad)
		}
	}
}

// TestRefusesBad: a truncated JPEG and a scale it has not are errors.
func TestRefusesBad(t *testing.T) {
	data := testPhoto(t, 64, 48, nil)
	if _, err := Decode(bytes.NewReader(data[:len(data)/2]), 2); err == nil {
		t.Error("a JPEG cut in half decoded")
	}
	if _, err := Decode(bytes.NewReader(data), 3); err == nil {
		t.Error("scale 3 accepted")
	}
}

// BenchmarkDecode decodes a 2000x1500 photo with image/jpeg and at each
// scale.
func BenchmarkDecode(b *testing.B) {
	data := testPhoto(b, 2000, 1500, &jpeg.Options{Quality: 80})
	b.Run("image/jpeg", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	for _, scale := range []int{1, 2, 4, 8} {
		b.Run("scale=1/"+string(rune('0'+scale)), func(b *testing.B) {
			start := cpuTime()
			for b.Loop() {
				if _, err := Decode(bytes.NewReader(data), scale); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// cpuTime is the CPU time this process has used, user and system: unlike
// the wall time, it hardly moves with the load of a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per iteration since start, in ms.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// FuzzDecode: no input makes a decode at any scale panic, and what
// decodes has the size its scale says.
func FuzzDecode(f *testing.F) {
	f.Add(testPhoto(f, 40, 30, nil))
	f.Add(testPhoto(f, 17, 9, &jpeg.Options{Quality: 100}))
	gray := image.NewGray(image.Rect(0, 0, 24, 24))
	var b bytes.Buffer
	jpeg.Encode(&b, gray, nil)
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		for _, scale := range []int{1, 2, 4, 8} {
			m, err := Decode(bytes.NewReader(data), scale)
			if err != nil {
				continue
			}
			if want := image.Rect(0, 0, (cfg.Width+scale-1)/scale, (cfg.Height+scale-1)/scale); m.Bounds() != want {
				t.Fatalf("scale %d: %v, want %v", scale, m.Bounds(), want)
			}
		}
	})
}
