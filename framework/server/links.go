package server

import (
	"bytes"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// linkAttrs are the attributes that name a URL a page needs: what a
// visitor follows (href) and what the browser loads (src, srcset).
var linkAttrs = map[string]bool{"href": true, "src": true, "srcset": true}

// pageLinks returns the same-origin URLs the HTML page at pagePath links to
// or loads, as escaped paths without query or fragment, sorted and each
// once: root-relative and relative references, and absolute ones on
// site's host (site may be nil). Other schemes (mailto:, data:, ...) and
// other hosts are left out, and so are links to the page itself, by
// fragment alone.
func pageLinks(body []byte, pagePath string, site *url.URL) []string {
	base := &url.URL{Scheme: "http", Host: "export.invalid", Path: pagePath}
	if site != nil {
		base.Scheme, base.Host = site.Scheme, site.Host
	}
	seen := make(map[string]bool)
	add := func(ref string) {
		ref = strings.TrimSpace(ref)
		if ref == "" || strings.HasPrefix(ref, "#") {
			return
		}
		u, err := url.Parse(ref)
		if err != nil {
			return
		}
		u = base.ResolveReference(u)
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host != base.Host {
			return
		}
		p := u.EscapedPath()
		if p == "" {
			p = "/"
		}
		seen[p] = true
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			links := make([]string, 0, len(seen))
			for p := range seen {
				links = append(links, p)
			}
			slices.Sort(links)
			return links
		case html.StartTagToken, html.SelfClosingTagToken:
			_, more := z.TagName()
			for more {
				var key, val []byte
				key, val, more = z.TagAttr()
				if k := string(key); linkAttrs[k] {
					if k == "srcset" {
						for _, candidate := range strings.Split(string(val), ",") {
							if f := strings.Fields(candidate); len(f) > 0 {
								add(f[0])
							}
						}
					} else {
						add(string(val))
					}
				}
			}
		}
	}
}
