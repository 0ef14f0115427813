package pagescan

import (
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	if strings.HasPrefix(ref, "#") {
		u, err := url.Parse(ref)
		// "#" and "#top" go to the top of any page.
		if err == nil && u.Fragment != "" && !strings.EqualFold(u.Fragment, "top") {
			c.fragments[u.Fragment] = true
		}
		return
	}
	// A reference from the root or with a scheme is the same link from
	// every page: a site's pages share most of theirs (a layout's, an
	// image's srcset), resolved once.
	shared := strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "http:") || strings.HasPrefix(ref, "https:")
	key := resolvedKey{c.base.Scheme, c.base.Host, ref}
	if shared {
		if p, ok := resolved.Load(key); ok {
			if p != "" {
				c.seen[p.(string)] = true
			}
			return
		}
	}
	p := c.resolve(ref)
	if shared && resolvedCount.Add(1) <= maxResolved {
		resolved.Store(key, p)
	}
	if p != "" {
		c.seen[p] = true
	}
}

// resolve returns the link ref is from the page: its escaped path, with
// its query under /_framework/; "" for another origin or no URL.
func (c *collector) resolve(ref string) string {
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	u = c.base.ResolveReference(u)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host != c.base.Host {
		return ""
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if strings.HasPrefix(p, FrameworkPrefix) && u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// resolvedKey is a reference that is the same link from every page of an
// origin.
type resolvedKey struct{ scheme, host, ref string }

// resolved holds what collector.resolve made of such references, up to
// maxResolved of them.
var (
	resolved      sync.Map // resolvedKey to string
	resolvedCount atomic.Int64
)

const maxResolved = 4096

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
