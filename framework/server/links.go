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

// frameworkPrefix is where the framework serves its own files and
// endpoints; their links keep their query, which names the file (an
// image's width).
const frameworkPrefix = "/_framework/"

// pageLinks returns the same-origin URLs the HTML page at pagePath links to
// or loads, sorted and each once: root-relative and relative references,
// and absolute ones on site's host (site may be nil), as escaped paths
// without fragment, and without query but under /_framework/. Other schemes
// (mailto:, data:, ...) and other hosts are left out. missing are the
// fragments of the page's links to itself ("#usage") that name no element
// of it.
func pageLinks(body []byte, pagePath string, site *url.URL) (links, missing []string) {
	base := &url.URL{Scheme: "http", Host: "export.invalid", Path: pagePath}
	if site != nil {
		base.Scheme, base.Host = site.Scheme, site.Host
	}
	seen := make(map[string]bool)
	ids := make(map[string]bool)
	fragments := make(map[string]bool)
	add := func(ref string) {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			return
		}
		u, err := url.Parse(ref)
		if err != nil {
			return
		}
		if strings.HasPrefix(ref, "#") {
			// "#" and "#top" go to the top of any page.
			if u.Fragment != "" && !strings.EqualFold(u.Fragment, "top") {
				fragments[u.Fragment] = true
			}
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
		if strings.HasPrefix(p, frameworkPrefix) && u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		seen[p] = true
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			for p := range seen {
				links = append(links, p)
			}
			for f := range fragments {
				if !ids[f] {
					missing = append(missing, "#"+f)
				}
			}
			slices.Sort(links)
			slices.Sort(missing)
			return links, missing
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			for more {
				var key, val []byte
				key, val, more = z.TagAttr()
				switch k := string(key); {
				case k == "id" || k == "name" && string(name) == "a":
					ids[string(val)] = true
				case k == "srcset":
					for _, candidate := range strings.Split(string(val), ",") {
						if f := strings.Fields(candidate); len(f) > 0 {
							add(f[0])
						}
					}
				case linkAttrs[k]:
					add(string(val))
				}
			}
		}
	}
}
