package images

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/gen2brain/webp"

	"github.com/isr-go/framework/framework/badgerstore"
)

// photo returns a w x h JPEG that compresses like a photo: gradients,
// soft discs, waves and noise.
func photo(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	type disc struct{ x, y, rad, r, g, b float64 }
	discs := make([]disc, 12)
	for i := range discs {
		discs[i] = disc{r.Float64() * float64(w), r.Float64() * float64(h), float64(w) * (0.03 + r.Float64()*0.1), r.Float64() * 255, r.Float64() * 255, r.Float64() * 255}
	}
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			c := [3]float64{40 + 180*fx, 90 + 100*fy, 200 - 120*fx*fy}
			for _, d := range discs {
				if dist := math.Hypot(float64(x)-d.x, float64(y)-d.y); dist < d.rad {
					a := 0.5 * (1 - 0.3*dist/d.rad)
					c[0], c[1], c[2] = c[0]*(1-a)+d.r*a, c[1]*(1-a)+d.g*a, c[2]*(1-a)+d.b*a
				}
			}
			wave := 12*math.Sin(float64(x)*2000/float64(w)/23+3*math.Cos(float64(y)*1500/float64(h)/37)) + r.NormFloat64()*5
			m.SetRGBA(x, y, color.RGBA{clampTest(c[0] + wave), clampTest(c[1] + wave), clampTest(c[2] + wave), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func clampTest(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }

// logo returns a w x h PNG whose left half is transparent.
func logo(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := w / 2; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{200, 30, 30, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombPNG returns a PNG whose header says w x h pixels, followed by a few
// bytes of pixel data: decoding it would fail, or take w x h x 4 bytes.
func bombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x01, 0x00})
	chunk("IEND", nil)
	return b.Bytes()
}

// fixture is a Server over real HTTP with public/ in a temporary folder
// and its variants in a real Badger store.
type fixture struct {
	dir   string
	store *badgerstore.Store
	srv   *Server
	url   string
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	public := filepath.Join(dir, "public")
	write := func(name string, data []byte) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(public, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(public, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("photos/a.jpg", photo(t, 1200, 900))
	write("logo.png", logo(t, 800, 400))
	write("bomb.png", bombPNG(7746, 7746))
	write("notes.txt", []byte("not an image"))
	whole := photo(t, 640, 480)
	write("broken.jpg", whole[:len(whole)/3])
	// Outside public/: nothing may reach it.
	if err := os.WriteFile(filepath.Join(dir, "secret.jpg"), photo(t, 64, 64), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := badgerstore.Open(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	opts.Public = os.DirFS(public)
	opts.Cache = st
	f := &fixture{dir: dir, store: st, srv: New(opts)}
	hs := httptest.NewServer(f.srv)
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, base, query string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+Path+"?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, body}
}

const acceptWebP = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"

// TestFormats: WebP when Accept has it, else JPEG for a JPEG and PNG with
// its alpha for a PNG, at the width asked, never wider than the source,
// with Vary: Accept.
func TestFormats(t *testing.T) {
	f := newFixture(t, Options{})
	for _, tc := range []struct {
		query, accept, ctype string
		width                int
	}{
		{"src=/photos/a.jpg&w=640&q=75", acceptWebP, "image/webp", 640},
		{"src=/photos/a.jpg&w=640&q=75", "image/png,image/*", "image/jpeg", 640},
		{"src=/photos/a.jpg&w=640", "image/webp;q=0, image/*", "image/jpeg", 640},
		{"src=/photos/a.jpg&w=3840&q=50", acceptWebP, "image/webp", 1200},
		{"src=%2Fphotos%2Fa.jpg&w=48&q=90", "", "image/jpeg", 48},
		{"src=/logo.png&w=256&q=80", "", "image/png", 256},
		{"src=/logo.png&w=256&q=80", acceptWebP, "image/webp", 256},
	} {
		a := get(t, f.url, tc.query, "Accept", tc.accept)
		if a.status != 200 || a.header.Get("Content-Type") != tc.ctype || a.header.Get("Vary") != "Accept" {
			t.Errorf("%s Accept %q: %d %s Vary %q %.100s; want 200 %s", tc.query, tc.accept, a.status, a.header.Get("Content-Type"), a.header.Get("Vary"), a.body, tc.ctype)
			continue
		}
		m, format, err := image.Decode(bytes.NewReader(a.body))
		if err != nil || "image/"+format != tc.ctype || m.Bounds().Dx() != tc.width {
			t.Errorf("%s Accept %q: decoded %s, %v, err %v; want %s %d wide", tc.query, tc.accept, format, boundsOf(m), err, tc.ctype, tc.width)
			continue
		}
		if strings.Contains(tc.query, "logo.png") {
			// The left half of the logo is transparent, the right opaque.
			_, _, _, left := m.At(m.Bounds().Dx()/8, m.Bounds().Dy()/2).RGBA()
			_, _, _, right := m.At(m.Bounds().Dx()*7/8, m.Bounds().Dy()/2).RGBA()
			if left != 0 || right != 0xffff {
				t.Errorf("%s: alpha %#x left, %#x right; want 0 and 0xffff", tc.query, left, right)
			}
		}
	}
	if _, err := webp.DecodeConfig(bytes.NewReader(get(t, f.url, "src=/photos/a.jpg&w=750", "Accept", acceptWebP).body)); err != nil {
		t.Errorf("w=750 WebP does not decode as WebP: %v", err)
	}
}

func boundsOf(m image.Image) image.Rectangle {
	if m == nil {
		return image.Rectangle{}
	}
	return m.Bounds()
}

// TestRefused: what an outsider may send that is not a variant of a real
// file gets a 4xx with a reason, renders nothing and caches nothing.
func TestRefused(t *testing.T) {
	f := newFixture(t, Options{})
	for _, tc := range []struct {
		query  string
		status int
		reason string
	}{
		{"src=/photos/a.jpg&w=641", 400, "not one of the configured widths"},
		{"src=/photos/a.jpg&w=", 400, "not one of the configured widths"},
		{"src=/photos/a.jpg", 400, "not one of the configured widths"},
		{"src=/photos/a.jpg&w=640&q=0", 400, "not a quality from 1 to 100"},
		{"src=/photos/a.jpg&w=640&q=101", 400, "not a quality from 1 to 100"},
		{"src=/photos/a.jpg&w=640&q=7.5", 400, "not a quality from 1 to 100"},
		{"w=640", 400, "src is missing"},
		{"src=/photos/missing.jpg&w=640", 404, "no such file"},
		{"src=/photos&w=640", 404, "no such file"},
		{"src=/../secret.jpg&w=640", 400, "not a path inside public/"},
		{"src=/photos/../../secret.jpg&w=640", 400, "not a path inside public/"},
		{"src=/%2e%2e/secret.jpg&w=640", 400, "not a path inside public/"},
		{"src=/photos/..%5C..%5Csecret.jpg&w=640", 400, "not a path inside public/"},
		{"src=/./photos/a.jpg&w=640", 400, "not a path inside public/"},
		{"src=//evil.example/a.jpg&w=640", 400, "neither a path in public/ nor an http or https URL"},
		{"src=photos/a.jpg&w=640", 400, "neither a path in public/ nor an http or https URL"},
		{"src=file:///etc/passwd&w=640", 400, "neither a path in public/ nor an http or https URL"},
		{"src=https://evil.example/a.jpg&w=640", 400, "not on the allow-list"},
		{"src=/notes.txt&w=640", 415, "not a JPEG, PNG, GIF or WebP image"},
		{"src=/broken.jpg&w=640", 422, "src cannot be decoded"},
	} {
		a := get(t, f.url, tc.query)
		if a.status != tc.status || !strings.Contains(string(a.body), tc.reason) {
			t.Errorf("%s: %d %q; want %d %q", tc.query, a.status, a.body, tc.status, tc.reason)
		}
	}
	if n := f.srv.Resizes(); n != 1 {
		t.Errorf("%d resizes for refused requests; want 1, the broken JPEG's", n)
	}
}

// TestBomb: a PNG whose header says 60 megapixels is refused from its
// header (a 413 naming the limit), before anything is decoded.
func TestBomb(t *testing.T) {
	f := newFixture(t, Options{})
	a := get(t, f.url, "src=/bomb.png&w=640", "Accept", acceptWebP)
	if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(string(a.body), "7746x7746, 60 megapixels; the limit is 50") {
		t.Fatalf("60-megapixel PNG: %d %q; want 413 naming the limit", a.status, a.body)
	}
	if n := f.srv.Resizes(); n != 0 {
		t.Fatalf("the bomb was decoded: %d resizes", n)
	}
}

// TestCached: a variant is rendered once; the next request, and a server
// that shares the store (another process on the same cache), serve it
// without resizing, byte for byte. A URL with the source's version is
// immutable; one without, or with a stale version, must revalidate, and
// its ETag gets a 304.
func TestCached(t *testing.T) {
	f := newFixture(t, Options{})
	meta, p := f.srv.localMeta("photos/a.jpg")
	if p != nil {
		t.Fatal(p)
	}
	versioned := "src=/photos/a.jpg&w=828&q=75&v=" + meta.version()
	first := get(t, f.url, versioned, "Accept", acceptWebP)
	if first.status != 200 || first.header.Get("Cache-Control") != immutable {
		t.Fatalf("first: %d Cache-Control %q; want 200 %q", first.status, first.header.Get("Cache-Control"), immutable)
	}
	second := get(t, f.url, versioned, "Accept", acceptWebP)
	if n := f.srv.Resizes(); n != 1 || !bytes.Equal(first.body, second.body) {
		t.Fatalf("after two requests: %d resizes, same bytes %v; want 1, true", n, bytes.Equal(first.body, second.body))
	}

	other := New(Options{Public: f.srv.opts.Public, Cache: f.store})
	hs := httptest.NewServer(other)
	defer hs.Close()
	third := get(t, hs.URL, versioned, "Accept", acceptWebP)
	if n := other.Resizes(); n != 0 || !bytes.Equal(first.body, third.body) {
		t.Fatalf("a second server on the store: %d resizes, same bytes %v; want 0, true", n, bytes.Equal(first.body, third.body))
	}

	for _, query := range []string{"src=/photos/a.jpg&w=828&q=75", "src=/photos/a.jpg&w=828&q=75&v=0000beef"} {
		a := get(t, f.url, query, "Accept", acceptWebP)
		if a.header.Get("Cache-Control") != mustRevalidate || a.header.Get("ETag") != first.header.Get("ETag") || !bytes.Equal(a.body, first.body) {
			t.Errorf("%s: Cache-Control %q ETag %q; want %q %q", query, a.header.Get("Cache-Control"), a.header.Get("ETag"), mustRevalidate, first.header.Get("ETag"))
		}
		notModified := get(t, f.url, query, "Accept", acceptWebP, "If-None-Match", a.header.Get("ETag"))
		if notModified.status != http.StatusNotModified || len(notModified.body) != 0 {
			t.Errorf("%s If-None-Match: %d, %d bytes; want 304", query, notModified.status, len(notModified.body))
		}
	}
	if n := f.srv.Resizes(); n != 1 {
		t.Errorf("%d resizes; the version is not part of the variant", n)
	}
	// A width above the source's is the source's width, under its own key.
	get(t, f.url, "src=/photos/a.jpg&w=1920&q=75", "Accept", acceptWebP)
	get(t, f.url, "src=/photos/a.jpg&w=2048&q=75", "Accept", acceptWebP)
	if n := f.srv.Resizes(); n != 3 {
		t.Errorf("%d resizes after w=1920 and w=2048; want 3", n)
	}
}

// TestSingleFlight: concurrent requests for one variant render it once.
func TestSingleFlight(t *testing.T) {
	f := newFixture(t, Options{})
	var wg sync.WaitGroup
	var bad atomic.Int32
	for range 8 {
		wg.Go(func() {
			if a := get(t, f.url, "src=/photos/a.jpg&w=1080&q=60", "Accept", acceptWebP); a.status != 200 {
				bad.Add(1)
			}
		})
	}
	wg.Wait()
	if n := f.srv.Resizes(); n != 1 || bad.Load() != 0 {
		t.Fatalf("8 concurrent requests: %d resizes, %d failed; want 1, 0", n, bad.Load())
	}
}

// TestRemote: a remote src is fetched only from an allow-listed host,
// without following redirects, and within the byte limit.
func TestRemote(t *testing.T) {
	img := photo(t, 900, 600)
	var redirected atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/a.jpg", func(w http.ResponseWriter, r *http.Request) { w.Write(img) })
	mux.HandleFunc("/moved.jpg", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target.jpg", http.StatusFound)
	})
	mux.HandleFunc("/target.jpg", func(w http.ResponseWriter, r *http.Request) {
		redirected.Add(1)
		w.Write(img)
	})
	mux.HandleFunc("/huge.jpg", func(w http.ResponseWriter, r *http.Request) { w.Write(bytes.Repeat(img, 4)) })
	origin := httptest.NewServer(mux)
	defer origin.Close()
	host := strings.TrimPrefix(origin.URL, "http://")

	closed := newFixture(t, Options{})
	a := get(t, closed.url, "src="+url.QueryEscape(origin.URL+"/a.jpg")+"&w=640")
	if a.status != 400 || !strings.Contains(string(a.body), "not on the allow-list") {
		t.Errorf("host not allow-listed: %d %q; want 400", a.status, a.body)
	}

	f := newFixture(t, Options{RemoteHosts: []string{host}, MaxRemoteBytes: int64(len(img)) * 2})
	a = get(t, f.url, "src="+url.QueryEscape(origin.URL+"/a.jpg")+"&w=640", "Accept", acceptWebP)
	if a.status != 200 || a.header.Get("Content-Type") != "image/webp" {
		t.Fatalf("allow-listed: %d %s %.100q; want 200 image/webp", a.status, a.header.Get("Content-Type"), a.body)
	}
	if m, err := webp.DecodeConfig(bytes.NewReader(a.body)); err != nil || m.Width != 640 {
		t.Errorf("allow-listed: %d wide, err %v; want 640", m.Width, err)
	}
	for _, tc := range []struct {
		path, reason string
	}{
		{"/moved.jpg", "redirects are not followed"},
		{"/missing.jpg", "answered 404"},
		{"/huge.jpg", "over the limit"},
	} {
		a := get(t, f.url, "src="+url.QueryEscape(origin.URL+tc.path)+"&w=640")
		if a.status != http.StatusBadGateway || !strings.Contains(string(a.body), tc.reason) {
			t.Errorf("%s: %d %q; want 502 %q", tc.path, a.status, a.body, tc.reason)
		}
	}
	if n := redirected.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

// TestEmbedded: the variants of files that never change (embedded, with
// no modification time) are answered again from the table of recent
// answers: by Accept, by version, and with 304s.
func TestEmbedded(t *testing.T) {
	s := New(Options{Public: fstest.MapFS{"a.jpg": {Data: photo(t, 800, 600)}}})
	hs := httptest.NewServer(s)
	defer hs.Close()
	m, p := s.localMeta("a.jpg")
	if p != nil || !m.fixed {
		t.Fatalf("meta %+v, %v; want fixed", m, p)
	}
	for range 2 {
		for _, tc := range []struct{ query, accept, ctype, cc string }{
			{"src=/a.jpg&w=640&v=" + m.version(), acceptWebP, "image/webp", immutable},
			{"src=/a.jpg&w=640&v=" + m.version(), "image/*", "image/jpeg", immutable},
			{"src=/a.jpg&w=640", acceptWebP, "image/webp", mustRevalidate},
		} {
			a := get(t, hs.URL, tc.query, "Accept", tc.accept)
			if a.status != 200 || a.header.Get("Content-Type") != tc.ctype || a.header.Get("Cache-Control") != tc.cc || a.header.Get("Vary") != "Accept" {
				t.Errorf("%s %s: %d %s %q; want %s %q", tc.query, tc.accept, a.status, a.header.Get("Content-Type"), a.header.Get("Cache-Control"), tc.ctype, tc.cc)
			}
			if nm := get(t, hs.URL, tc.query, "Accept", tc.accept, "If-None-Match", a.header.Get("ETag")); nm.status != http.StatusNotModified {
				t.Errorf("%s %s If-None-Match: %d", tc.query, tc.accept, nm.status)
			}
		}
	}
	if n := s.Resizes(); n != 2 {
		t.Errorf("%d resizes; want 2 (WebP and JPEG)", n)
	}
}
