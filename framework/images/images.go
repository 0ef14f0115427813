// Package images resizes images for the web, as Next.js's next/image does:
// the endpoint /_framework/image?src=&w=&q= (Path) answers a variant of a
// public/ file, or of a remote image on an allow-listed host, at one of a
// fixed list of widths, in WebP when the browser accepts it (JPEG or PNG
// otherwise, as the source was). Variants are rendered once, cached in the
// app's store, and served immutable when the URL carries the source's
// content version. Props and Server.Render write the <img> tag that points
// at them (package framework's Image component, in a page).
//
// What an outsider sends is bounded: only the listed widths and qualities 1
// to 100 are accepted, the cache key is the source's content hash with the
// width, quality and format (so a real file has at most widths x 100 x 3
// variants), images over MaxPixels are refused from their header before
// anything is decoded, and resizes run on a pool of GOMAXPROCS workers.
//
// An app does not set this package up: package framework makes the Server
// of an App from its store and Options.ImageHosts, and generated code hands
// it the app's embedded public/ folder.
package images

import (
	"context"
	"hash/maphash"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gen2brain/webp"
	"golang.org/x/sync/singleflight"

	"github.com/isr-go/framework/framework/store"
)

// Path is where a Server is mounted.
const Path = "/_framework/image"

// MaxPixels is the largest source image, in pixels (50 megapixels), that
// is decoded; a larger one is refused from its header. Decoding takes 4
// bytes a pixel, so this bounds a resize's memory at about 200 MB.
const MaxPixels = 50_000_000

// DefaultQuality is the quality of a variant whose URL names none, and of
// the URLs Render writes when Props.Quality is 0.
const DefaultQuality = 75

// DeviceSizes are the default widths for images as wide as the screen or a
// large part of it (Next.js's deviceSizes).
var DeviceSizes = []int{640, 750, 828, 1080, 1200, 1920, 2048, 3840}

// ImageSizes are the default widths for images narrower than the smallest
// screen, such as icons and thumbnails (Next.js's imageSizes). Render uses
// them with DeviceSizes when Props.Sizes says the image is narrower.
var ImageSizes = []int{16, 32, 48, 64, 96, 128, 256, 384}

// A Cache keeps rendered variants: the app's store (package framework
// passes its own, a Badger directory or a Redis shared by instances).
// Values are opaque bytes.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Options configure a Server. The zero value serves nothing: give it a
// Public folder, RemoteHosts, or both.
type Options struct {
	// Public is the folder local sources are read from, the app's public/
	// (src=/photos/a.jpg is photos/a.jpg in it).
	Public fs.FS

	// Cache keeps rendered variants. When nil, they are kept in memory
	// only (MemoryBytes).
	Cache Cache

	// Locker, when the cache is shared by several instances, makes one
	// instance render a variant nobody has cached, as the page cache does
	// for pages. Without it each instance renders its own once.
	Locker store.Locker

	// RemoteHosts are the hosts a remote src may name ("images.example.com",
	// or with a port, "127.0.0.1:8080"). A remote src on any other host is
	// refused, so that the server does not fetch and resize whatever an
	// outsider names.
	RemoteHosts []string

	// DeviceSizes and ImageSizes are the widths accepted; nil takes the
	// package defaults.
	DeviceSizes, ImageSizes []int

	// RemoteTimeout bounds the fetch of a remote image. Default 10 s.
	RemoteTimeout time.Duration

	// MaxRemoteBytes bounds the size of a remote image. Default 16 MiB.
	MaxRemoteBytes int64

	// MemoryBytes bounds the variants kept in the process's memory in
	// front of Cache, so that a popular variant is served without a store
	// read. Default 32 MiB.
	MemoryBytes int64

	// Logger receives failures of the cache. Default slog.Default().
	Logger *slog.Logger

	// Unoptimized makes Render write the source's own URL, with no srcset
	// of variants: for a static export, since a static host has no image
	// endpoint to resize, negotiate formats or read a query string.
	Unoptimized bool
}

// A Server serves image variants at Path. It is safe for concurrent use.
type Server struct {
	opts    Options
	widths  []int // every accepted width, ascending
	client  *http.Client
	workers chan struct{} // the resize pool
	flights singleflight.Group
	hot     *memory
	answers answers
	meta    metaCache
	srcsets srcsets
	log     *slog.Logger

	resizes atomic.Int64
	counts  counters
}

// New returns a Server. Fields of opts left zero take their defaults.
func New(opts Options) *Server {
	if opts.DeviceSizes == nil {
		opts.DeviceSizes = DeviceSizes
	}
	if opts.ImageSizes == nil {
		opts.ImageSizes = ImageSizes
	}
	if opts.RemoteTimeout <= 0 {
		opts.RemoteTimeout = 10 * time.Second
	}
	if opts.MaxRemoteBytes <= 0 {
		opts.MaxRemoteBytes = 16 << 20
	}
	if opts.MemoryBytes <= 0 {
		opts.MemoryBytes = 32 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// The WebP encoder compiles itself (a quarter of a second) at its
	// first use: not in a visitor's request.
	go webp.Init()
	widths := slices.Concat(opts.DeviceSizes, opts.ImageSizes)
	slices.Sort(widths)
	widths = slices.Compact(widths)
	return &Server{
		opts:   opts,
		widths: widths,
		client: &http.Client{
			Timeout: opts.RemoteTimeout,
			// A redirect could lead anywhere, off the allow-list.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		workers: make(chan struct{}, runtime.GOMAXPROCS(0)),
		hot:     newMemory(opts.MemoryBytes),
		answers: answers{seed: maphash.MakeSeed()},
		log:     opts.Logger,
	}
}

// Resizes returns how many variants this Server has rendered (decoded,
// resized and encoded), rather than found in a cache.
func (s *Server) Resizes() int64 { return s.resizes.Load() }
