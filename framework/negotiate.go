package framework

import "strings"

// acceptsGzip reports whether an Accept-Encoding header allows gzip: by
// gzip's own entry (or x-gzip's, the same to RFC 9110) when it has one,
// else by that of "*". A client that refuses gzip in any spelling of the
// header RFC 9110 allows never gets it.
func acceptsGzip(values []string) bool {
	gzip, star := 0, 0 // 0: not listed, 1: accepted, -1: refused
	for _, v := range values {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			verdict := 1
			if zeroQuality(params) {
				verdict = -1
			}
			switch {
			case strings.EqualFold(coding, "gzip") || strings.EqualFold(coding, "x-gzip"):
				gzip = verdict
			case coding == "*":
				star = verdict
			}
		}
	}
	if gzip != 0 {
		return gzip > 0
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

// etagMatches reports whether an If-None-Match header matches etag, with
// the weak comparison RFC 9110 asks for.
func etagMatches(values []string, etag string) bool {
	opaque := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for v != "" {
			var tag string
			tag, v, _ = strings.Cut(v, ",")
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == opaque {
				return true
			}
		}
	}
	return false
}
