package pagescan

import (
	"net/url"
	"slices"
	"strings"
)

// linkAttrs are the attributes that name a URL a page needs: what a
// visitor follows (href) and what the browser loads (src, srcset).
var linkAttrs = map[string]bool{"href": true, "src": true, "srcset": true}

// FrameworkPrefix is where the framework serves its own files and
// endpoints; their links keep their query, which names the file (an
// image's width).
const FrameworkPrefix = "/_framework/"

// collector gathers the links of a page as Scan reads its tags.
type collector struct {
	out       *Links
	base      *url.URL
	seen      map[string]bool
	ids       map[string]bool
	fragments map[string]bool
}

func newCollector(l *Links) *collector {
	base := &url.URL{Scheme: "http", Host: "export.invalid", Path: l.Path}
	if l.Site != nil {
		base.Scheme, base.Host = l.Site.Scheme, l.Site.Host
	}
	return &collector{out: l, base: base, seen: map[string]bool{}, ids: map[string]bool{}, fragments: map[string]bool{}}
}

// attr notes the attribute key=val of a tag name.
func (c *collector) attr(name, key, val []byte) {
	switch k := string(key); {
	case k == "id" || k == "name" && string(name) == "a":
		c.ids[string(val)] = true
	case k == "srcset":
		for _, candidate := range strings.Split(string(val), ",") {
			if f := strings.Fields(candidate); len(f) > 0 {
				c.add(f[0])
			}
		}
	case linkAttrs[k]:
		c.add(string(val))
	}
}

// add notes the reference ref.
func (c *collector) add(ref string) {
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
			c.fragments[u.Fragment] = true
		}
		return
	}
	u = c.base.ResolveReference(u)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host != c.base.Host {
		return
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if strings.HasPrefix(p, FrameworkPrefix) && u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	c.seen[p] = true
}

// finish sets the links and the missing fragments, sorted.
func (c *collector) finish() {
	c.out.Links, c.out.Missing = nil, nil
	for p := range c.seen {
		c.out.Links = append(c.out.Links, p)
	}
	for f := range c.fragments {
		if !c.ids[f] {
			c.out.Missing = append(c.out.Missing, "#"+f)
		}
	}
	slices.Sort(c.out.Links)
	slices.Sort(c.out.Missing)
}
