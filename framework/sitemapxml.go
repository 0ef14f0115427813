package framework

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
)

// sitemapDoc is a sitemap's <url> elements, encoded once per render, and
// where it splits into parts.
type sitemapDoc struct {
	urls    []byte      // every <url> element, one a line
	ends    []int       // where each element ends in urls
	lastmod []time.Time // each one's LastModified
	// parts holds the index of the first entry of each part; nil when the
	// sitemap is one file.
	parts []int

	skipped   int   // entries left out
	firstSkip error // why the first was
}

const (
	xmlHeader     = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	urlsetOpen    = xmlHeader + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n"
	urlsetClose   = "</urlset>\n"
	indexOpen     = xmlHeader + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n"
	indexClose    = "</sitemapindex>\n"
	lastmodFormat = time.RFC3339 // W3C Datetime
)

// encodeSitemap encodes entries with paths resolved against base, and
// splits them into parts of at most maxURLs entries and maxBytes bytes
// each (urlset element included) when they do not fit in one.
func encodeSitemap(entries []SitemapEntry, base string, maxURLs, maxBytes int) (*sitemapDoc, error) {
	doc := &sitemapDoc{ends: make([]int, 0, len(entries)), lastmod: make([]time.Time, 0, len(entries))}
	var buf bytes.Buffer
	buf.Grow(len(entries) * (len(base) + 64)) // about an element with a short path
	var scratch [64]byte                      // for formatting times without allocating
	for i := range entries {
		e := &entries[i]
		loc, err := checkEntry(e, base)
		if err != nil {
			if doc.skipped == 0 {
				doc.firstSkip = err
			}
			doc.skipped++
			continue
		}
		buf.WriteString("<url><loc>")
		writeXMLText(&buf, loc)
		buf.WriteString("</loc>")
		if !e.LastModified.IsZero() {
			buf.WriteString("<lastmod>")
			buf.Write(e.LastModified.UTC().AppendFormat(scratch[:0], lastmodFormat))
			buf.WriteString("</lastmod>")
		}
		if e.ChangeFrequency != "" {
			buf.WriteString("<changefreq>" + string(e.ChangeFrequency) + "</changefreq>")
		}
		if e.Priority != 0 {
			buf.WriteString("<priority>" + strconv.FormatFloat(e.Priority, 'f', -1, 64) + "</priority>")
		}
		buf.WriteString("</url>\n")
		doc.ends = append(doc.ends, buf.Len())
		doc.lastmod = append(doc.lastmod, e.LastModified)
	}
	doc.urls = buf.Bytes()
	doc.parts = splitSitemap(doc.ends, maxURLs, maxBytes-len(urlsetOpen)-len(urlsetClose))
	if len(doc.parts) > MaxSitemapURLs {
		return nil, fmt.Errorf("sitemap: %d URLs need %d parts, more than an index may list (%d)", len(doc.ends), len(doc.parts), MaxSitemapURLs)
	}
	return doc, nil
}

// writeXMLText writes s as XML character data: as it is when it holds
// nothing to escape (printable ASCII other than &, <, >, ' and "), else
// through xml.EscapeText, which also replaces what XML cannot hold.
func writeXMLText(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '&' || c == '<' || c == '>' || c == '\'' || c == '"' {
			xml.EscapeText(buf, []byte(s))
			return
		}
	}
	buf.WriteString(s)
}

// splitSitemap returns the first entry of each part when the elements
// ending at ends do not fit in one file of maxURLs entries and maxBytes
// bytes, or nil. A part holds at least one entry, however large.
func splitSitemap(ends []int, maxURLs, maxBytes int) []int {
	if len(ends) <= maxURLs && (len(ends) == 0 || ends[len(ends)-1] <= maxBytes) {
		return nil
	}
	parts := []int{0}
	start, startByte := 0, 0
	for i, end := range ends {
		if i > start && (i-start >= maxURLs || end-startByte > maxBytes) {
			start, startByte = i, ends[i-1]
			parts = append(parts, i)
		}
	}
	return parts
}

// checkEntry returns the absolute URL of e, or why the protocol cannot
// carry it.
func checkEntry(e *SitemapEntry, base string) (string, error) {
	loc, err := absoluteURL(base, e.URL)
	if err != nil {
		return "", err
	}
	switch {
	case !e.ChangeFrequency.valid():
		return "", fmt.Errorf("%s: unknown change frequency %q", loc, e.ChangeFrequency)
	case math.IsNaN(e.Priority) || e.Priority < 0 || e.Priority > 1:
		return "", fmt.Errorf("%s: priority %v is not between 0 and 1", loc, e.Priority)
	case !e.LastModified.IsZero() && (e.LastModified.UTC().Year() < 1 || e.LastModified.UTC().Year() > 9999):
		return "", fmt.Errorf("%s: last modified %v is out of range", loc, e.LastModified)
	}
	return loc, nil
}

// absoluteURL resolves raw, a path or an absolute http(s) URL, against
// base, and returns it escaped as a URL.
func absoluteURL(base, raw string) (string, error) {
	s := raw
	if strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") {
		s = base + raw
		if plainURLPath(raw) {
			// The common case, which url.Parse would return as it is,
			// without its cost per URL.
			if len(s) > maxSitemapURLLength {
				return "", fmt.Errorf("URL %.64q...: longer than %d characters", s, maxSitemapURLLength)
			}
			return s, nil
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("URL %q: want a path or an http or https URL", raw)
	}
	loc := u.String()
	if len(loc) > maxSitemapURLLength {
		return "", fmt.Errorf("URL %.64q...: longer than %d characters", loc, maxSitemapURLLength)
	}
	return loc, nil
}

// plainURLPath reports whether p holds only bytes that a URL's path never
// escapes (letters, digits, "-._~$&+,;=:@" and "/"), which url.Parse and
// URL.String leave as they are.
func plainURLPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if plainClass[p[i]] == 0 {
			return false
		}
	}
	return true
}

// urlset returns a sitemap of the entries from start to end.
func (d *sitemapDoc) urlset(start, end int) []byte {
	from, to := 0, 0
	if start > 0 {
		from = d.ends[start-1]
	}
	if end > 0 {
		to = d.ends[end-1]
	}
	b := make([]byte, 0, len(urlsetOpen)+to-from+len(urlsetClose))
	b = append(b, urlsetOpen...)
	b = append(b, d.urls[from:to]...)
	return append(b, urlsetClose...)
}

// index returns the sitemap index of the parts, each with the latest
// LastModified of its entries.
func (d *sitemapDoc) index(base string) []byte {
	var buf bytes.Buffer
	buf.WriteString(indexOpen)
	for n, start := range d.parts {
		end := len(d.ends)
		if n+1 < len(d.parts) {
			end = d.parts[n+1]
		}
		var latest time.Time
		for _, t := range d.lastmod[start:end] {
			if t.After(latest) {
				latest = t
			}
		}
		buf.WriteString("<sitemap><loc>")
		xml.EscapeText(&buf, []byte(base+sitemapPartPath(n)))
		buf.WriteString("</loc>")
		if !latest.IsZero() {
			buf.WriteString("<lastmod>" + latest.UTC().Format(lastmodFormat) + "</lastmod>")
		}
		buf.WriteString("</sitemap>\n")
	}
	buf.WriteString(indexClose)
	return buf.Bytes()
}

// rawComponent writes b as it is: the body of a route that is not HTML.
func rawComponent(b []byte) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
