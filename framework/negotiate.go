package framework

import (
	"strings"

	"github.com/isr-go/framework/framework/internal/accept"
)

// acceptsGzip reports whether an Accept-Encoding header allows gzip, as
// package accept reads it for pages and static files alike.
func acceptsGzip(values []string) bool {
	gzip, _ := accept.Encodings(values)
	return gzip
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
