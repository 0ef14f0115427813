// Package asset serves the files the build prepared: public/ at their own
// paths, and the bundles of assets/ at fingerprinted ones under
// /_framework/static/. Everything a request needs is worked out before the
// first one: content hashes and compressed bodies at build (by `framework
// build`, into the generated static_gen.go and static_gen/), headers when
// the server starts. A request picks a body by its Accept-Encoding and
// writes it.
//
// It is the runtime half of the asset pipeline, linked into every app's
// server; the bundler (esbuild) is linked only into the framework command.
package asset

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework/internal/accept"
)

// Cache-Control values. A public/ file keeps its name across deploys, so
// a browser asks again each time (a 304 while it is unchanged); a bundle's
// name changes with its content, so a browser keeps it for a year.
const (
	RevalidateCacheControl = "public, max-age=0, must-revalidate"
	ImmutableCacheControl  = "public, max-age=31536000, immutable"
)

// StaticPrefix is the path under which the bundles of assets/ are served.
const StaticPrefix = "/_framework/static/"

// File is one file to serve, as the build describes it.
type File struct {
	Path      string // URL path: "/styles.css", "/_framework/static/main.4G3J7X3G.js"
	Name      string // its bytes in the Set's fs.FS
	Type      string // Content-Type
	Hash      string // content hash, the opaque part of its strong ETag
	Gzip      string // name of its gzip variant in the fs.FS, or ""
	Brotli    string // name of its brotli variant in the fs.FS, or ""
	Immutable bool   // a fingerprinted name, cached for a year
}

// largeFile is the size above which a file is not held in memory but read
// from its fs.FS per request (photos, videos): the embedded copy stays the
// only one.
const largeFile = 4 << 20

// Set serves a list of Files.
type Set struct {
	fsys  fs.FS
	files []*served
}

// served is one File with its header values and bodies ready.
type served struct {
	path         string
	name         string // in fsys, when the body is read per request
	contentType  []string
	cacheControl []string
	vary         bool
	identity     variant
	gzip, brotli *variant
}

// variant is one representation of a file: its body (nil when read per
// request) and the header values that go with it.
type variant struct {
	body     []byte
	length   []string
	etag     []string
	encoding []string
}

// New reads files from fsys, where the build put them, and prepares their
// headers. A file missing from fsys is a build that went wrong (its
// static_gen.go and static_gen/ disagree): New panics saying so, when the
// server starts, rather than answering 404 later.
func New(fsys fs.FS, files []File) *Set {
	s := &Set{fsys: fsys}
	for _, f := range files {
		sv, err := prepare(fsys, f)
		if err != nil {
			panic(fmt.Sprintf("asset: %v (run framework build to write static_gen/ again)", err))
		}
		s.files = append(s.files, sv)
	}
	return s
}

func prepare(fsys fs.FS, f File) (*served, error) {
	cacheControl := RevalidateCacheControl
	if f.Immutable {
		cacheControl = ImmutableCacheControl
	}
	sv := &served{path: f.Path, name: f.Name, contentType: []string{f.Type}, cacheControl: []string{cacheControl}}
	info, err := fs.Stat(fsys, f.Name)
	if err != nil {
		return nil, err
	}
	sv.identity = variant{length: []string{strconv.FormatInt(info.Size(), 10)}, etag: []string{`"` + f.Hash + `"`}}
	if info.Size() > largeFile {
		return sv, nil // served as is, read per request
	}
	if sv.identity.body, err = fs.ReadFile(fsys, f.Name); err != nil {
		return nil, err
	}
	load := func(name, coding string) (*variant, error) {
		if name == "" {
			return nil, nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		sv.vary = true
		// Each representation has its own strong ETag (RFC 9110 8.8.3).
		return &variant{body: body, length: []string{strconv.Itoa(len(body))}, etag: []string{`"` + f.Hash + "-" + coding + `"`}, encoding: []string{coding}}, nil
	}
	if sv.gzip, err = load(f.Gzip, "gzip"); err != nil {
		return nil, err
	}
	if sv.brotli, err = load(f.Brotli, "br"); err != nil {
		return nil, err
	}
	return sv, nil
}

// Register serves every file of s on e at its path, for GET and HEAD,
// behind middleware.
func (s *Set) Register(e *echo.Echo, middleware ...echo.MiddlewareFunc) {
	for _, f := range s.files {
		e.Match([]string{http.MethodGet, http.MethodHead}, f.path, s.handler(f), middleware...)
	}
}

var varyValue = []string{"Accept-Encoding"}

// handler answers one file: the brotli body when the client accepts br,
// else the gzip body when it accepts gzip, else the file as it is.
// Conditional and range requests go through http.ServeContent, which
// answers 304, 206 and 416 from the headers set here.
func (s *Set) handler(f *served) echo.HandlerFunc {
	return func(c echo.Context) error {
		req, res := c.Request(), c.Response()
		v := &f.identity
		if f.vary {
			gzip, br := accept.Encodings(req.Header["Accept-Encoding"])
			if br && f.brotli != nil {
				v = f.brotli
			} else if gzip && f.gzip != nil {
				v = f.gzip
			}
		}
		h := res.Header()
		h["Content-Type"] = f.contentType
		h["Cache-Control"] = f.cacheControl
		h["Etag"] = v.etag
		if f.vary {
			h["Vary"] = varyValue
		}
		if v.encoding != nil {
			h["Content-Encoding"] = v.encoding
		}
		if v.body == nil {
			file, err := s.fsys.Open(f.name)
			if err != nil {
				return err
			}
			defer file.Close()
			content, ok := file.(io.ReadSeeker)
			if !ok {
				return fmt.Errorf("asset: %s cannot seek", f.name)
			}
			http.ServeContent(res, req, "", time.Time{}, content)
			return nil
		}
		if req.Header["If-None-Match"] != nil || req.Header["Range"] != nil {
			http.ServeContent(res, req, "", time.Time{}, bytes.NewReader(v.body))
			return nil
		}
		h["Content-Length"] = v.length
		res.WriteHeader(http.StatusOK)
		if req.Method == http.MethodHead {
			return nil
		}
		_, err := res.Write(v.body)
		return err
	}
}

// published is what Publish made current: the URLs by entry point, and
// the bodies of those a Set serves, for Bundle.
type publication struct {
	urls   map[string]string
	bodies map[string][]byte // by URL; a file read per request has none
}

var published atomic.Pointer[publication]

// Publish makes names (entry point to URL: "styles.css" to
// "/_framework/static/styles.4G3J7X3G.css") what URL answers, with no
// bodies for Bundle.
func Publish(names map[string]string) { published.Store(&publication{urls: names}) }

// Publish makes names (entry point to URL) what URL answers, and the
// bundles s serves at those URLs what Bundle answers. The generated
// static_gen.go calls it when the app starts.
func (s *Set) Publish(names map[string]string) {
	p := &publication{urls: names, bodies: make(map[string][]byte)}
	for _, url := range names {
		for _, f := range s.files {
			if f.path == url && f.identity.body != nil {
				p.bodies[url] = f.identity.body
			}
		}
	}
	published.Store(p)
}

// URL returns the URL of the bundle of an entry point of assets/
// ("styles.css", or "main.ts" for its JavaScript), or "" when there is
// none: `framework build` reports a constant name that is not an entry
// point, so "" is only ever the answer to a name made at run time.
func URL(name string) string {
	url, _ := Bundle(name)
	return url
}

// Bundle returns the URL of the bundle of an entry point of assets/, as
// URL does, and its bytes as built (nil when no Set published them, or it
// is too large to be held in memory). The bytes are shared: read only.
func Bundle(name string) (url string, body []byte) {
	p := published.Load()
	if p == nil {
		return "", nil
	}
	url = p.urls[name]
	return url, p.bodies[url]
}

var nosniffValue = []string{"nosniff"}

// NoSniff sets X-Content-Type-Options: nosniff on every response of next,
// so that no browser runs a file as another type than the one it is
// served with.
func NoSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = nosniffValue
		next.ServeHTTP(w, r)
	})
}
