// Package accept reads the Accept-Encoding request header, for the page
// cache and the static file server alike.
package accept

import "strings"

// Encodings reports whether an Accept-Encoding header allows gzip and br,
// in one pass over it: each by the coding's own entry (for gzip, x-gzip's
// too, the same to RFC 9110) when it has one, else by that of "*". A
// client that refuses a coding in any spelling of the header RFC 9110
// allows never gets it.
func Encodings(values []string) (gzip, br bool) {
	g, b, star := 0, 0, 0 // 0: not listed, 1: accepted, -1: refused
	for _, v := range values {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			verdict := 1
			if zeroQuality(params) {
				verdict = -1
			}
			switch {
			case strings.EqualFold(name, "gzip") || strings.EqualFold(name, "x-gzip"):
				g = verdict
			case strings.EqualFold(name, "br"):
				b = verdict
			case name == "*":
				star = verdict
			}
		}
	}
	return decide(g, star), decide(b, star)
}

// decide gives a coding's verdict: its own entry's, else that of "*".
func decide(own, star int) bool {
	if own != 0 {
		return own > 0
	}
	return star > 0
}

// zeroQuality reports whether params (after a coding's ";") give it the
// weight 0: a "q=" parameter (in either case, among any others) of 0.
func zeroQuality(params string) bool {
	for params != "" {
		var param string
		param, params, _ = strings.Cut(params, ";")
		param = strings.TrimSpace(param)
		if len(param) < 2 || param[0]|0x20 != 'q' || param[1] != '=' {
			continue
		}
		q := strings.TrimRight(param[2:], "0")
		return q == "0." || q == "0" || q == ""
	}
	return false
}
