package framework

import (
	"bytes"
	"context"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework/internal/hook"
	"github.com/isr-go/framework/framework/internal/testredis"
)

// withPublic records a public/ folder holding photos/a.jpg (1200x900), as
// generated code does, for the test.
func withPublic(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	m := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	for y := range 900 {
		for x := range 1200 {
			m.SetRGBA(x, y, color.RGBA{uint8(x / 5), uint8(y / 4), uint8((x ^ y) & 0x3f), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "photos"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "photos", "a.jpg"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	prev := hook.Public()
	hook.SetPublic(os.DirFS(dir))
	t.Cleanup(func() { hook.SetPublic(prev) })
}

// TestImagePage: a page with Image renders its <img> (size from the file,
// versioned URLs), and its src is served by the app's endpoint, immutable.
func TestImagePage(t *testing.T) {
	withPublic(t)
	h := newHarness(t, Options{})
	h.page(Route{Pattern: "/photo", Revalidate: Never, Render: func(ctx context.Context, r *Request) (templ.Component, error) {
		return Image(ImageProps{Src: "/photos/a.jpg", Alt: "A photo", Sizes: "100vw"}), nil
	}})
	page := h.get("/photo")
	tag := regexp.MustCompile(`<img alt="A photo" width="1200" height="900" loading="lazy" decoding="async" sizes="100vw" srcset="[^"]+" src="([^"]+&amp;v=[0-9a-f]{8})">`).FindStringSubmatch(page.body)
	if page.status != 200 || tag == nil {
		t.Fatalf("GET /photo: %d %s; want an <img> with a versioned src", page.status, page.body)
	}
	img := h.get(html.UnescapeString(tag[1]), "Accept", "image/webp,*/*")
	if img.status != 200 || img.header.Get("Content-Type") != "image/webp" || img.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET %s: %d %s %q", tag[1], img.status, img.header.Get("Content-Type"), img.header.Get("Cache-Control"))
	}
}

// TestImageCluster: two Apps on one Redis render a variant requested from
// both at once one time, and serve the same bytes.
func TestImageCluster(t *testing.T) {
	withPublic(t)
	srv := testredis.Start(t)
	a := newRedisHarness(t, srv.URL(), Options{})
	b := newRedisHarness(t, srv.URL(), Options{})
	const path = "/_framework/image?src=/photos/a.jpg&w=750&q=70"
	var mu sync.Mutex
	bodies := map[string]int{}
	wg := requestsOnBoth(a, b, 8, path, func(i int, r response) {
		mu.Lock()
		defer mu.Unlock()
		if r.status != 200 {
			t.Errorf("request %d: %d %s", i, r.status, r.body)
		}
		bodies[r.body]++
	})
	wg.Wait()
	if n := a.app.imageServer().Resizes() + b.app.imageServer().Resizes(); n != 1 || len(bodies) != 1 {
		t.Fatalf("8 requests on two Apps: %d resizes, %d different bodies; want 1 and 1", n, len(bodies))
	}
}

// TestImageMetrics: /metrics counts the image endpoint's renders, with
// their time, and its refusals by reason; before any image request the
// series are there, at zero.
func TestImageMetrics(t *testing.T) {
	withPublic(t)
	h := newHarness(t, Options{Metrics: true})
	before := parseMetrics(t, h.get(MetricsPath).body)
	if v, ok := before["framework_image_renders_total"]; !ok || v != 0 {
		t.Fatalf("framework_image_renders_total before any image: %v (present %v)", v, ok)
	}
	for _, q := range []string{
		"src=/photos/a.jpg&w=640&q=75", // rendered
		"src=/photos/a.jpg&w=640&q=75", // from memory
		"src=/photos/a.jpg&w=641",      // bad_request
		"src=/photos/b.jpg&w=640",      // not_found
		"src=/photos/a.jpg&w=750&q=0",  // bad_request
	} {
		h.get("/_framework/image?"+q, "Accept", "image/webp")
	}
	got := parseMetrics(t, h.get(MetricsPath).body)
	for name, want := range map[string]float64{
		`framework_image_renders_total`:                        1,
		`framework_image_render_seconds_count`:                 1,
		`framework_image_render_seconds_bucket{le="+Inf"}`:     1,
		`framework_image_refusals_total{reason="bad_request"}`: 2,
		`framework_image_refusals_total{reason="not_found"}`:   1,
		`framework_image_refusals_total{reason="too_large"}`:   0,
		`framework_image_refusals_total{reason="busy"}`:        0,
	} {
		if g, ok := got[name]; !ok || g != want {
			t.Errorf("%s = %v (present %v), want %v", name, g, ok, want)
		}
	}
	if s := got["framework_image_render_seconds_sum"]; s <= 0 || s > 30 {
		t.Errorf("framework_image_render_seconds_sum = %v", s)
	}
}
