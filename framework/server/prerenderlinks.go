package server

import (
	"context"
	"slices"
	"sync"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/pagescan"
)

// LinkPages is how many of the pages that have a link a "links" event of
// prerender names; the others are counted.
const LinkPages = 4

// linkLister lists, for prerender --links, what export's list has for a
// link check, from the pages as they are rendered rather than read back:
// the routes and pages that need a server, the files, and the links of the
// pages, each distinct link once.
type linkLister struct {
	x    *exporter
	emit func(PrerenderEvent)
	mu   sync.Mutex
	uses map[string]*linkUse // by link, as pageLinks writes it
}

// linkUse is where one link appears: the first pages that have it, and how
// many do.
type linkUse struct {
	pages []string
	count int
}

// newLinkLister returns the lister of x's app; start gives it where to
// send its events.
func newLinkLister(x *exporter) *linkLister {
	return &linkLister{x: x, uses: map[string]*linkUse{}}
}

// start sends the "skip" of each route of routes whose pages need a server,
// as export's list does (a list leaves out what needs the site's URL).
func (l *linkLister) start(routes []framework.Route, emit func(PrerenderEvent)) {
	l.emit = emit
	l.x.emit = func(ev ExportEvent) {
		emit(PrerenderEvent{Event: ev.Event, Route: ev.Route, Path: ev.Path, Reason: ev.Reason})
	}
	for i := range routes {
		if !routes[i].NeedsSiteURL {
			l.x.skipRoute(&routes[i])
		}
	}
}

// scan returns ctx asking the render of the page at p for its links, and
// what will hold them.
func (l *linkLister) scan(ctx context.Context, p string) (context.Context, *pagescan.Links) {
	links := &pagescan.Links{Path: p, Site: l.x.site}
	return pagescan.WithLinks(ctx, links), links
}

// page notes the links of the page at p, which the render read into
// links (nil for a page whose links the server's answer does not have).
func (l *linkLister) page(p string, links []string) {
	l.x.reference(links)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, link := range links {
		u := l.uses[link]
		if u == nil {
			u = &linkUse{}
			l.uses[link] = u
		}
		if len(u.pages) < LinkPages {
			u.pages = append(u.pages, p)
		}
		u.count++
	}
}

// finish sends the "file" events of the app's files, then a "links" event
// per link of the pages, sorted.
func (l *linkLister) finish() error {
	if err := l.x.siteFiles(); err != nil {
		return err
	}
	links := make([]string, 0, len(l.uses))
	for link := range l.uses {
		links = append(links, link)
	}
	slices.Sort(links)
	for _, link := range links {
		u := l.uses[link]
		l.emit(PrerenderEvent{Event: "links", Path: link, Pages: u.pages, Total: u.count})
	}
	return nil
}
