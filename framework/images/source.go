package images

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // GIF sources
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	_ "github.com/gen2brain/webp" // WebP sources
)

// A problem is an answer to a request that cannot be served: its status and
// a reason the requester can act on.
type problem struct {
	status int
	reason string
}

func (p *problem) Error() string { return p.reason }

func fail(status int, format string, args ...any) *problem {
	return &problem{status, fmt.Sprintf(format, args...)}
}

// meta is what is known of a source from its bytes' hash and header.
type meta struct {
	hash          string // hex SHA-256 of the file, its first 16 digits
	width, height int
	format        string // "jpeg", "png", "gif" or "webp"
	fixed         bool   // embedded in the binary: it never changes
}

// version is the short content hash URLs carry as v=.
func (m meta) version() string { return m.hash[:8] }

// metaCache memoises the meta of public files, checked against their size
// and modification time so that a file edited in development is read
// again; files embedded in the binary have none, and never change.
type metaCache struct {
	mu    sync.Mutex
	files map[string]metaEntry
}

type metaEntry struct {
	size    int64
	modTime time.Time
	meta    meta
}

// localName returns the name in Public of a local src ("/photos/a.jpg"),
// refusing any that could leave it.
func localName(src string) (string, *problem) {
	name := strings.TrimPrefix(src, "/")
	if name == "" || strings.ContainsAny(name, "\\\x00") || !fs.ValidPath(name) {
		return "", fail(http.StatusBadRequest, "src %q is not a path inside public/", src)
	}
	return name, nil
}

// localMeta returns the meta of public file name, reading it only when it
// is not memoised. An image over MaxPixels is refused here, from its
// header.
func (s *Server) localMeta(name string) (meta, *problem) {
	if s.opts.Public == nil {
		return meta{}, fail(http.StatusNotFound, "no public folder to read /%s from", name)
	}
	s.meta.mu.Lock()
	e, ok := s.meta.files[name]
	s.meta.mu.Unlock()
	if ok && e.modTime.IsZero() {
		return e.meta, nil // embedded in the binary: it never changes
	}
	info, err := fs.Stat(s.opts.Public, name)
	if err != nil || !info.Mode().IsRegular() {
		return meta{}, fail(http.StatusNotFound, "/%s: no such file in public/", name)
	}
	if ok && e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
		return e.meta, nil
	}
	data, err := fs.ReadFile(s.opts.Public, name)
	if err != nil {
		return meta{}, fail(http.StatusNotFound, "/%s: %v", name, err)
	}
	m, p := metaOf(data)
	if p != nil {
		return meta{}, p
	}
	m.fixed = info.ModTime().IsZero()
	s.meta.mu.Lock()
	if s.meta.files == nil {
		s.meta.files = make(map[string]metaEntry)
	}
	s.meta.files[name] = metaEntry{size: info.Size(), modTime: info.ModTime(), meta: m}
	s.meta.mu.Unlock()
	return m, nil
}

// metaOf hashes data and reads its header, refusing what is not an image
// this package decodes, and an image over MaxPixels.
func metaOf(data []byte) (meta, *problem) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return meta{}, fail(http.StatusUnsupportedMediaType, "src is not a JPEG, PNG, GIF or WebP image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return meta{}, fail(http.StatusUnprocessableEntity, "src has no pixels (%dx%d)", cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return meta{}, fail(http.StatusRequestEntityTooLarge, "src is %dx%d, %.0f megapixels; the limit is %d",
			cfg.Width, cfg.Height, float64(cfg.Width)*float64(cfg.Height)/1e6, MaxPixels/1_000_000)
	}
	sum := sha256.Sum256(data)
	return meta{hash: hex.EncodeToString(sum[:8]), width: cfg.Width, height: cfg.Height, format: format}, nil
}

// remoteURL parses a remote src, refusing one whose host is not on
// Options.RemoteHosts.
func (s *Server) remoteURL(src string) (*url.URL, *problem) {
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fail(http.StatusBadRequest, "src %q is neither a path in public/ nor an http or https URL", src)
	}
	if !slices.Contains(s.opts.RemoteHosts, u.Host) && !slices.Contains(s.opts.RemoteHosts, u.Hostname()) {
		return nil, fail(http.StatusBadRequest, "src host %q is not on the allow-list of remote image hosts (framework.Options.ImageHosts)", u.Host)
	}
	return u, nil
}

// fetch reads a remote image: no redirect followed, within
// Options.RemoteTimeout and Options.MaxRemoteBytes.
func (s *Server) fetch(ctx context.Context, u *url.URL) ([]byte, *problem) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "src %q: %v", u, err)
	}
	req.Header.Set("Accept", "image/*")
	res, err := s.client.Do(req)
	if err != nil {
		return nil, fail(http.StatusBadGateway, "fetch %s: %v", u, unwrapURLError(err))
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode >= 300 && res.StatusCode < 400:
		return nil, fail(http.StatusBadGateway, "fetch %s: answered %d to %s; redirects are not followed, name the final URL", u, res.StatusCode, res.Header.Get("Location"))
	case res.StatusCode != http.StatusOK:
		return nil, fail(http.StatusBadGateway, "fetch %s: answered %d", u, res.StatusCode)
	}
	max := s.opts.MaxRemoteBytes
	if res.ContentLength > max {
		return nil, fail(http.StatusBadGateway, "fetch %s: %d bytes, over the limit of %d", u, res.ContentLength, max)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	if err != nil {
		return nil, fail(http.StatusBadGateway, "fetch %s: %v", u, unwrapURLError(err))
	}
	if int64(len(data)) > max {
		return nil, fail(http.StatusBadGateway, "fetch %s: over the limit of %d bytes", u, max)
	}
	return data, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
