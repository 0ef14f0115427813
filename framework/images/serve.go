package images

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	immutable      = "public, max-age=31536000, immutable"
	mustRevalidate = "public, max-age=0, must-revalidate"

	// localTTL is how long the store keeps a variant of a public file:
	// its key names the file's content, so it is never wrong, only unused
	// once the file changes.
	localTTL = 30 * 24 * time.Hour
	// remoteTTL is how long a variant of a remote image is served before
	// the image is fetched again.
	remoteTTL = time.Hour

	// renderTimeout bounds one render, fetch included, and the wait for
	// another instance's.
	renderTimeout = 30 * time.Second
	lockPoll      = 25 * time.Millisecond
)

// A request is a parsed, valid image request.
type request struct {
	src     string
	width   int
	quality int
	format  string // of the variant
	key     string // of the variant in the cache
	etag    string // known before rendering for a local source, else ""
	cc      string // Cache-Control
	local   *meta  // nil for a remote source
	remote  *url.URL
}

// ServeHTTP answers GET and HEAD of Path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	req, p := s.parse(r)
	if p != nil {
		s.refuse(w, p)
		return
	}
	h.Set("Vary", "Accept")
	if req.etag != "" && etagMatch(r.Header.Get("If-None-Match"), req.etag) {
		h.Set("Cache-Control", req.cc)
		h.Set("ETag", req.etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	v, p := s.variant(r.Context(), req)
	if p != nil {
		s.refuse(w, p)
		return
	}
	h.Set("Cache-Control", req.cc)
	h.Set("ETag", v.etag)
	if etagMatch(r.Header.Get("If-None-Match"), v.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType(v.format))
	h.Set("Content-Length", strconv.Itoa(len(v.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(v.body)
	}
}

// refuse answers a request that cannot be served, with its reason.
func (s *Server) refuse(w http.ResponseWriter, p *problem) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, p.reason, p.status)
}

// parse validates a request's query and, for a local source, reads its
// meta.
func (s *Server) parse(r *http.Request) (*request, *problem) {
	q := r.URL.Query()
	req := &request{src: q.Get("src")}
	var err error
	if req.width, err = strconv.Atoi(q.Get("w")); err != nil || !slices.Contains(s.widths, req.width) {
		return nil, fail(http.StatusBadRequest, "w=%q is not one of the configured widths: %s", q.Get("w"), joinInts(s.widths))
	}
	req.quality = DefaultQuality
	if qs := q.Get("q"); qs != "" {
		if req.quality, err = strconv.Atoi(qs); err != nil || req.quality < 1 || req.quality > 100 {
			return nil, fail(http.StatusBadRequest, "q=%q is not a quality from 1 to 100", qs)
		}
	}
	webpOK := acceptsWebP(r.Header.Get("Accept"))
	switch {
	case req.src == "":
		return nil, fail(http.StatusBadRequest, "src is missing: name a file in public/, such as src=/photos/a.jpg")
	case strings.HasPrefix(req.src, "/") && !strings.HasPrefix(req.src, "//"):
		name, p := localName(req.src)
		if p != nil {
			return nil, p
		}
		m, p := s.localMeta(name)
		if p != nil {
			return nil, p
		}
		req.local = &m
		req.format = outputFormat(m.format, webpOK)
		id := m.hash + "/" + strconv.Itoa(req.width) + "/" + strconv.Itoa(req.quality) + "." + req.format
		req.key = "img/" + id
		req.etag = `"` + strings.ReplaceAll(id, "/", "-") + `"`
		req.cc = mustRevalidate
		if q.Get("v") == m.version() {
			req.cc = immutable
		}
	default:
		u, p := s.remoteURL(req.src)
		if p != nil {
			return nil, p
		}
		req.remote = u
		// The source's format is known once fetched; the key names whether
		// the client takes WebP, which decides it.
		sum := sha256.Sum256([]byte(u.String()))
		req.key = "img/r/" + hex.EncodeToString(sum[:16]) + "/" + strconv.Itoa(req.width) + "/" + strconv.Itoa(req.quality) + "/" + strconv.FormatBool(webpOK)
		req.format = strconv.FormatBool(webpOK)
		req.cc = mustRevalidate
	}
	return req, nil
}

// acceptsWebP reports whether an Accept header lists image/webp.
func acceptsWebP(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		typ, params, _ := strings.Cut(part, ";")
		if strings.TrimSpace(typ) != "image/webp" {
			continue
		}
		for param := range strings.SplitSeq(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(param), "q="); ok {
				q, err := strconv.ParseFloat(v, 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

func etagMatch(ifNoneMatch, etag string) bool {
	for part := range strings.SplitSeq(ifNoneMatch, ",") {
		part = strings.TrimSpace(part)
		if part == etag || part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// variant returns the variant req names: from memory, else from the
// cache, else rendered once in this process (and, on a shared cache with a
// Locker, once in the cluster) and cached.
func (s *Server) variant(ctx context.Context, req *request) (*variant, *problem) {
	if v := s.hot.get(req.key); v != nil {
		return v, nil
	}
	if v := s.stored(ctx, req.key); v != nil {
		s.hot.add(req.key, v)
		return v, nil
	}
	res, _, _ := s.flights.Do(req.key, func() (any, error) {
		// Not the request's context: others may wait on this render.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
		defer cancel()
		v, p := s.renderOnce(ctx, req)
		if p != nil {
			return p, nil
		}
		s.hot.add(req.key, v)
		return v, nil
	})
	if p, ok := res.(*problem); ok {
		return nil, p
	}
	return res.(*variant), nil
}

// stored reads a variant from the cache; a failing cache is a miss.
func (s *Server) stored(ctx context.Context, key string) *variant {
	if s.opts.Cache == nil {
		return nil
	}
	b, err := s.opts.Cache.Get(ctx, key)
	if err != nil || b == nil {
		return nil
	}
	return decodeVariant(b)
}

// renderOnce renders req's variant and caches it, holding the cluster's
// lock on it when the cache has a Locker: an instance that finds the lock
// taken waits for the holder's variant. When the lock cannot be had (the
// store fails, or the holder takes too long), this instance renders.
func (s *Server) renderOnce(ctx context.Context, req *request) (*variant, *problem) {
	if s.opts.Locker != nil && s.opts.Cache != nil {
		deadline := time.Now().Add(renderTimeout)
		for {
			unlock, ok, err := s.opts.Locker.TryLock(ctx, "lock/"+req.key, renderTimeout+5*time.Second)
			if err != nil {
				break
			}
			// The lock's last holder may have stored it just before.
			if v := s.stored(ctx, req.key); v != nil {
				if ok {
					unlock()
				}
				return v, nil
			}
			if ok {
				defer unlock()
				break
			}
			if time.Now().After(deadline) {
				break
			}
			select {
			case <-time.After(lockPoll):
			case <-ctx.Done():
				return nil, fail(http.StatusServiceUnavailable, "waiting for another instance's render: %v", ctx.Err())
			}
		}
	}
	v, p := s.renderVariant(ctx, req)
	if p != nil {
		return nil, p
	}
	if s.opts.Cache != nil {
		ttl := localTTL
		if req.remote != nil {
			ttl = remoteTTL
		}
		if err := s.opts.Cache.Set(ctx, req.key, v.encode(), ttl); err != nil {
			s.log.Warn("framework: image variant not cached", "key", req.key, "err", err)
		}
	}
	return v, nil
}

// renderVariant reads req's source and renders its variant.
func (s *Server) renderVariant(ctx context.Context, req *request) (*variant, *problem) {
	if req.local != nil {
		name, _ := localName(req.src)
		data, err := fs.ReadFile(s.opts.Public, name)
		if err != nil {
			return nil, fail(http.StatusNotFound, "%s: %v", req.src, err)
		}
		m, p := metaOf(data)
		if p != nil {
			return nil, p
		}
		if m.hash != req.local.hash {
			// Edited since its meta was read: render what the key names.
			return nil, fail(http.StatusConflict, "%s changed while it was read; ask again", req.src)
		}
		body, p := s.render(ctx, data, req.width, req.quality, req.format)
		if p != nil {
			return nil, p
		}
		return &variant{format: req.format, etag: req.etag, body: body}, nil
	}
	data, p := s.fetch(ctx, req.remote)
	if p != nil {
		return nil, p
	}
	m, p := metaOf(data)
	if p != nil {
		return nil, p
	}
	format := outputFormat(m.format, req.format == "true")
	body, p := s.render(ctx, data, req.width, req.quality, format)
	if p != nil {
		return nil, p
	}
	sum := sha256.Sum256(body)
	return &variant{format: format, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, body: body}, nil
}

// A variant is a rendered image as cached.
type variant struct {
	format string
	etag   string
	body   []byte
}

// encode lays v out as the cache stores it: format, ETag, then the body.
func (v *variant) encode() []byte {
	b := make([]byte, 0, len(v.format)+len(v.etag)+2+len(v.body))
	b = append(b, v.format...)
	b = append(b, '\n')
	b = append(b, v.etag...)
	b = append(b, '\n')
	return append(b, v.body...)
}

// decodeVariant reads what encode wrote, or returns nil for anything else.
func decodeVariant(b []byte) *variant {
	format, rest, ok := bytes.Cut(b, []byte{'\n'})
	if !ok {
		return nil
	}
	etag, body, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return nil
	}
	switch string(format) {
	case formatWebP, formatJPEG, formatPNG:
	default:
		return nil
	}
	return &variant{format: string(format), etag: string(etag), body: body}
}
