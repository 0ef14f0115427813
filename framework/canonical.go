package framework

import (
	"net/http"
	"net/url"
	"strings"
)

// A page has one URL. Every other spelling of it (a trailing slash, an empty,
// "." or ".." segment, a needless or lower-case percent-escape) is answered
// 308 Permanent Redirect to the canonical spelling, like Next.js's default
// trailingSlash: false, and never renders nor touches the cache. Otherwise an
// odd spelling would share the page's cache key while the router gave its
// render other params: one request could replace a page with a 404 for
// everyone.
//
// The canonical spelling, which is also the cache key, is the path with dot
// and empty segments resolved, no trailing slash, and each segment decoded
// then escaped again with every byte outside RFC 3986's pchar set as an
// upper-case %XX. An escaped slash (%2F) stays escaped: it is part of a
// segment, not a separator.

// maxPathLength bounds the URL paths the cache accepts; longer ones are
// answered 414 and never reach a render or the store.
const maxPathLength = 2048

// canonicalPath returns the canonical spelling of u's path and whether the
// request spelled it so. A status other than 0 is the 4xx to answer instead.
//
// The common case, a path of plain characters already canonical, costs one
// pass over it and no allocation.
func canonicalPath(u *url.URL) (key string, canonical bool, status int) {
	if u.RawPath == "" && plainPath(u.Path) {
		return u.Path, true, 0
	}
	// RawPath is the request's spelling when it is not Go's default
	// escaping of Path; otherwise that escaping is.
	raw := u.RawPath
	if raw == "" {
		raw = u.EscapedPath()
	}
	if raw == "" {
		return "/", false, 0 // an absolute-form request with no path
	}
	key, status = cleanPath(raw)
	return key, status == 0 && key == raw, status
}

// plainPath reports whether p is a canonical path of characters that need no
// escaping anywhere (letters, digits, "-._~$&+,;=:@"), so that it is its own
// canonical spelling whether or not the request escaped it.
func plainPath(p string) bool {
	n := len(p)
	if n == 0 || n > maxPathLength || p[0] != '/' {
		return false
	}
	if n > 1 && p[n-1] == '/' {
		return false
	}
	for i := 1; i < n; i++ {
		switch plainClass[p[i]] {
		case plainChar:
		case plainSlash:
			if p[i-1] == '/' {
				return false // an empty segment
			}
		case plainDot:
			if p[i-1] == '/' && isDotSegment(p[i:]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// isDotSegment reports whether s starts with a "." or ".." segment.
func isDotSegment(s string) bool {
	if len(s) > 1 && s[1] == '.' {
		s = s[1:]
	}
	return len(s) == 1 || s[1] == '/'
}

// cleanPath returns the canonical spelling of an escaped URL path (as it
// appears in a request line), or the 4xx status it deserves: 400 when it is
// not absolute, holds a malformed escape or a NUL, 414 when it is longer than
// maxPathLength.
func cleanPath(raw string) (string, int) {
	if len(raw) > maxPathLength {
		return "", http.StatusRequestURITooLong
	}
	if raw == "" || raw[0] != '/' {
		return "", http.StatusBadRequest
	}
	b := make([]byte, 0, len(raw))
	var starts []int // where each kept segment starts in b, for ".."
	for rest, more := raw[1:], true; more; {
		var seg string
		seg, rest, more = strings.Cut(rest, "/")
		decoded, err := url.PathUnescape(seg)
		if err != nil || strings.IndexByte(decoded, 0) >= 0 {
			return "", http.StatusBadRequest
		}
		switch decoded {
		case "", ".":
		case "..":
			if n := len(starts); n > 0 {
				b = b[:starts[n-1]]
				starts = starts[:n-1]
			}
		default:
			starts = append(starts, len(b))
			b = append(b, '/')
			b = appendEscapedSegment(b, decoded)
		}
	}
	if len(b) == 0 {
		return "/", 0
	}
	if len(b) > maxPathLength {
		return "", http.StatusRequestURITooLong
	}
	return string(b), 0
}

// escapeSegment returns one decoded path segment (a route param's value) as
// it appears in a canonical path.
func escapeSegment(s string) string {
	for i := 0; i < len(s); i++ {
		if !pcharByte[s[i]] {
			return string(appendEscapedSegment(make([]byte, 0, len(s)+8), s))
		}
	}
	return s
}

// appendEscapedSegment appends s, a decoded segment, with every byte outside
// pchar escaped as upper-case %XX.
func appendEscapedSegment(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pcharByte[c] {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// pcharByte holds RFC 3986's pchar bytes: unreserved, sub-delims, ":" and
// "@", which a canonical path never escapes.
var pcharByte = func() (pchar [256]bool) {
	for c := range pchar {
		pchar[c] = plainClass[c] != 0 || strings.IndexByte("!'()*", byte(c)) >= 0
	}
	pchar['/'] = false
	return pchar
}()

// plainClass sorts the bytes of a plain path: those among pchar that Go's url
// package never escapes either, and the two that need a look at their
// neighbours.
var plainClass = func() (class [256]uint8) {
	for c := range class {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-_~$&+,;=:@", byte(c)) >= 0:
			class[c] = plainChar
		}
	}
	class['/'] = plainSlash
	class['.'] = plainDot
	return class
}()

const (
	plainChar = 1 + iota
	plainSlash
	plainDot
)

// canonicalPaths wraps the server's handler so that every request whose path
// is not canonical (a trailing slash, an empty, "." or ".." segment, a
// needless or lower-case escape) is answered 308 to the canonical path, query
// kept, before routing and before any middleware: pages, route handlers,
// public files and an app's own routes all have one URL each
// (runtime.CanonicalPaths, which the app server wraps its handler with).
//
// It is a plain http.Handler rather than Echo "pre" middleware because Echo
// allocates on every request once any pre middleware is set.
func canonicalPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key, ok, status := canonicalPath(r.URL); ok {
			next.ServeHTTP(w, r)
		} else {
			answerNonCanonical(w, r, key, status)
		}
	})
}

// withQuery returns path with the query q, if any.
func withQuery(path, q string) string {
	if q != "" {
		return path + "?" + q
	}
	return path
}
