package server

import (
	"net/url"

	"github.com/isr-go/framework/framework/internal/pagescan"
)

// frameworkPrefix is where the framework serves its own files and
// endpoints; their links keep their query, which names the file.
const frameworkPrefix = pagescan.FrameworkPrefix

// pageLinks returns the same-origin URLs the HTML page at pagePath links to
// or loads, sorted and each once, and the fragments of its links to itself
// that name no element of it (see pagescan.Scan); site may be nil.
func pageLinks(body []byte, pagePath string, site *url.URL) (links, missing []string) {
	l := &pagescan.Links{Path: pagePath, Site: site}
	pagescan.Scan(body, false, l)
	return l.Links, l.Missing
}
