package images

import (
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

// Header values, shared by every response: a handler's header map may
// hold them, as nothing changes them after ServeHTTP.
var (
	immutableH      = []string{immutable}
	mustRevalidateH = []string{mustRevalidate}
	varyH           = []string{"Accept"}
	nosniffH        = []string{"nosniff"}
)

// A variantKey names a variant: the source (its content hash, or for a
// remote source "r/" and its URL's), width, quality and format (for a
// remote source "webp" or "auto", the source's decides).
type variantKey struct {
	id     string
	w, q   int
	format string
}

// storeKey is the key of k in the cache.
func (k variantKey) storeKey() string {
	return "img/" + k.id + "/" + strconv.Itoa(k.w) + "/" + strconv.Itoa(k.q) + "." + k.format
}

// etag is the ETag of a variant of a local source, made from its key.
func (k variantKey) etag() string {
	return `"` + k.id + "-" + strconv.Itoa(k.w) + "-" + strconv.Itoa(k.q) + "." + k.format + `"`
}

// A request is a parsed, valid image request.
type request struct {
	src    string
	key    variantKey
	cc     []string // Cache-Control
	local  bool
	fixed  bool // the source never changes
	meta   meta // a local source's, as parse read it
	remote *url.URL
}

// ServeHTTP answers GET and HEAD of Path. A variant in memory is served
// without allocating.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["X-Content-Type-Options"] = nosniffH
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.counts.refusals[refusalReason(http.StatusMethodNotAllowed)].Add(1)
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h["Vary"] = varyH
	query, accept := r.URL.RawQuery, headerValue(r.Header, "Accept")
	if an := s.answers.get(query, accept); an != nil {
		s.answer(w, r, an.cc, an.v)
		return
	}
	req, p := s.parse(r)
	if p != nil {
		s.refuse(w, p)
		return
	}
	v := s.hot.get(req.key)
	if v == nil {
		if req.local && etagMatch(r.Header.Get("If-None-Match"), req.key.etag()) {
			h["Cache-Control"] = req.cc
			h.Set("ETag", req.key.etag())
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if v, p = s.variant(r.Context(), req); p != nil {
			s.refuse(w, p)
			return
		}
	}
	if req.fixed {
		s.answers.add(&answer{query: query, accept: accept, cc: req.cc, v: v})
	}
	s.answer(w, r, req.cc, v)
}

// answer sends v.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, cc []string, v *variant) {
	h := w.Header()
	h["Cache-Control"] = cc
	h["Etag"] = v.etagH
	if inm := headerValue(r.Header, "If-None-Match"); inm != "" && etagMatch(inm, v.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = v.typeH
	h["Content-Length"] = v.lengthH
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(v.body)
	}
}

// headerValue is h.Get(key) for a canonical key, as the server's request
// headers have, without canonicalising it again.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// refuse answers a request that cannot be served, with its reason.
func (s *Server) refuse(w http.ResponseWriter, p *problem) {
	s.counts.refusals[refusalReason(p.status)].Add(1)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, p.reason, p.status)
}

// A query holds the raw parameters of an image request.
type query struct{ src, w, q, v string }

// parseQuery reads raw's parameters in one pass, the first value of each
// winning. Only a value with escapes is copied.
func parseQuery(raw string) query {
	var q query
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		name, value, _ := strings.Cut(part, "=")
		var dst *string
		switch name {
		case "src":
			dst = &q.src
		case "w":
			dst = &q.w
		case "q":
			dst = &q.q
		case "v":
			dst = &q.v
		default:
			continue
		}
		if *dst != "" {
			continue
		}
		if strings.IndexByte(value, '%') >= 0 || strings.IndexByte(value, '+') >= 0 {
			u, err := url.QueryUnescape(value)
			if err != nil {
				u = "\x00" // invalid escapes: a value no check accepts
			}
			value = u
		}
		*dst = value
	}
	return q
}

// parse validates a request's query and, for a local source, reads its
// meta.
func (s *Server) parse(r *http.Request) (request, *problem) {
	params := parseQuery(r.URL.RawQuery)
	req := request{src: params.src}
	ws, qs := params.w, params.q
	var err error
	if req.key.w, err = strconv.Atoi(ws); err != nil || !slices.Contains(s.widths, req.key.w) {
		return req, fail(http.StatusBadRequest, "w=%q is not one of the configured widths: %s", ws, joinInts(s.widths))
	}
	req.key.q = DefaultQuality
	if qs != "" {
		if req.key.q, err = strconv.Atoi(qs); err != nil || req.key.q < 1 || req.key.q > 100 {
			return req, fail(http.StatusBadRequest, "q=%q is not a quality from 1 to 100", qs)
		}
	}
	webpOK := acceptsWebP(r.Header.Get("Accept"))
	req.cc = mustRevalidateH
	switch {
	case req.src == "":
		return req, fail(http.StatusBadRequest, "src is missing: name a file in public/, such as src=/photos/a.jpg")
	case strings.HasPrefix(req.src, "/") && !strings.HasPrefix(req.src, "//"):
		name, p := localName(req.src)
		if p != nil {
			return req, p
		}
		m, p := s.localMeta(name)
		if p != nil {
			return req, p
		}
		req.local, req.fixed, req.meta = true, m.fixed, m
		req.key.id = m.hash
		req.key.format = outputFormat(m.format, webpOK)
		if params.v == m.version() {
			req.cc = immutableH
		}
	default:
		u, p := s.remoteURL(req.src)
		if p != nil {
			return req, p
		}
		req.remote = u
		sum := sha256.Sum256([]byte(u.String()))
		req.key.id = "r/" + hex.EncodeToString(sum[:16])
		req.key.format = "auto"
		if webpOK {
			req.key.format = formatWebP
		}
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

// variant returns the variant req names, not in memory: from the cache,
// else rendered once in this process (and, on a shared cache with a
// Locker, once in the cluster) and cached.
func (s *Server) variant(ctx context.Context, req request) (*variant, *problem) {
	storeKey := req.key.storeKey()
	if v := s.stored(ctx, storeKey); v != nil {
		if req.local {
			s.hot.add(req.key, v)
		}
		return v, nil
	}
	res, _, _ := s.flights.Do(storeKey, func() (any, error) {
		// Not the request's context: others may wait on this render.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
		defer cancel()
		v, p := s.renderOnce(ctx, req, storeKey)
		if p != nil {
			return p, nil
		}
		if req.local {
			// A remote image's variants expire in the store, to be fetched
			// again: memory does not keep them past that.
			s.hot.add(req.key, v)
		}
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
func (s *Server) renderOnce(ctx context.Context, req request, key string) (*variant, *problem) {
	if s.opts.Locker != nil && s.opts.Cache != nil {
		deadline := time.Now().Add(renderTimeout)
		for {
			unlock, ok, err := s.opts.Locker.TryLock(ctx, "lock/"+key, renderTimeout+5*time.Second)
			if err != nil {
				break
			}
			// The lock's last holder may have stored it just before.
			if v := s.stored(ctx, key); v != nil {
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
		if err := s.opts.Cache.Set(ctx, key, v.encode(), ttl); err != nil {
			s.log.Warn("framework: image variant not cached", "key", key, "err", err)
		}
	}
	return v, nil
}

// renderVariant reads req's source and renders its variant.
func (s *Server) renderVariant(ctx context.Context, req request) (*variant, *problem) {
	var data []byte
	if req.local {
		name, _ := localName(req.src)
		var err error
		if data, err = fs.ReadFile(s.opts.Public, name); err != nil {
			return nil, fail(http.StatusNotFound, "%s: %v", req.src, err)
		}
	} else {
		var p *problem
		if data, p = s.fetch(ctx, req.remote); p != nil {
			return nil, p
		}
	}
	m := req.meta
	if !m.fixed {
		// A file on disk may have changed since its meta was read, a remote
		// one is new: read its header again, with the checks against bombs.
		var p *problem
		if m, p = metaOf(data); p != nil {
			return nil, p
		}
	}
	format, etag := req.key.format, req.key.etag()
	if req.local && m.hash != req.key.id {
		// Edited since its meta was read: what the key names is gone.
		return nil, fail(http.StatusConflict, "%s changed while it was read; ask again", req.src)
	}
	if !req.local {
		format = outputFormat(m.format, format == formatWebP)
	}
	body, p := s.render(ctx, data, m, req.key.w, req.key.q, format)
	if p != nil {
		return nil, p
	}
	if !req.local {
		sum := sha256.Sum256(body)
		etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	}
	return newVariant(format, etag, body), nil
}
