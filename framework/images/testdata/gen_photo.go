//go:build ignore

// gen_photo writes photo.jpg, the photo-like test image of the resize
// tests: a landscape of sky, ridges with sharp silhouettes, foliage
// texture at several scales, rippled water, thin dark branches and sensor
// noise, 1024x768, 4:2:0, quality 85. Run: go run gen_photo.go
package main

import (
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
)

const w, h = 1024, 768

// noise is value noise: a random lattice, smoothly interpolated.
type noise struct{ g [257][257]float64 }

func newNoise(r *rand.Rand) *noise {
	n := &noise{}
	for i := range n.g {
		for j := range n.g[i] {
			n.g[i][j] = r.Float64()
		}
	}
	return n
}

func (n *noise) at(x, y float64) float64 {
	x, y = math.Mod(x, 256), math.Mod(y, 256)
	xi, yi := int(x), int(y)
	fx, fy := x-float64(xi), y-float64(yi)
	sx, sy := fx*fx*(3-2*fx), fy*fy*(3-2*fy)
	a := n.g[xi][yi]*(1-sx) + n.g[xi+1][yi]*sx
	b := n.g[xi][yi+1]*(1-sx) + n.g[xi+1][yi+1]*sx
	return a*(1-sy) + b*sy
}

// fbm sums octaves of noise: detail at every scale.
func (n *noise) fbm(x, y float64, octaves int) float64 {
	v, amp, sum := 0.0, 1.0, 0.0
	for range octaves {
		v += amp * n.at(x, y)
		sum += amp
		x, y, amp = x*2.03, y*2.03, amp*0.5
	}
	return v / sum
}

func main() {
	r := rand.New(rand.NewPCG(7, 11))
	n := newNoise(r)
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/w, float64(y)/h
			// Sky: a gradient with soft clouds.
			c := [3]float64{120 + 60*fy, 160 + 50*fy, 235 - 20*fy}
			cloud := math.Max(0, n.fbm(fx*6, fy*12, 5)-0.55) * 2.5
			c = mix(c, [3]float64{245, 245, 250}, math.Min(1, cloud))
			// Far ridge, then a near hill with foliage.
			ridge := 0.42 + 0.08*n.fbm(fx*5, 3, 6)
			hill := 0.58 + 0.1*math.Sin(fx*5) + 0.05*n.fbm(fx*14, 9, 5)
			if fy > ridge {
				c = [3]float64{90, 105, 130}
				c = mix(c, [3]float64{60, 70, 90}, n.fbm(fx*40, fy*40, 4))
			}
			if fy > hill {
				t := n.fbm(fx*80, fy*80, 5)
				c = [3]float64{40 + 90*t, 80 + 110*t, 30 + 40*t}
			}
			// Water in the lowest fifth: ripples reflecting the sky.
			if fy > 0.8 {
				ripple := math.Sin(fy*900+6*n.fbm(fx*20, fy*60, 3)) * 0.5
				c = [3]float64{70 + 40*ripple, 100 + 45*ripple, 140 + 50*ripple}
			}
			// Thin branches across the top right.
			for _, b := range [][4]float64{{0.6, 0.05, 0.95, 0.3}, {0.7, 0.0, 0.75, 0.35}, {0.8, 0.12, 1.0, 0.1}} {
				if segDist(fx*w, fy*h, b[0]*w, b[1]*h, b[2]*w, b[3]*h) < 1.2 {
					c = [3]float64{35, 28, 22}
				}
			}
			g := r.NormFloat64() * 3 // sensor noise
			m.SetRGBA(x, y, color.RGBA{clip(c[0] + g), clip(c[1] + g), clip(c[2] + g), 255})
		}
	}
	f, err := os.Create("photo.jpg")
	if err != nil {
		panic(err)
	}
	if err := jpeg.Encode(f, m, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func mix(a, b [3]float64, t float64) [3]float64 {
	return [3]float64{a[0]*(1-t) + b[0]*t, a[1]*(1-t) + b[1]*t, a[2]*(1-t) + b[2]*t}
}

// segDist is the distance of (px, py) from the segment (ax, ay)-(bx, by).
func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/(dx*dx+dy*dy)))
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}

func clip(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }
