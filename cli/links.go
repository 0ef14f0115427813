package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/server"
)

// runExport runs the server's export command in the app in dir with args
// (after "export") and passes each of its events to each, as they come:
// the events of a site of a million pages are not held at once.
func runExport(ctx context.Context, dir string, args []string, each func(server.ExportEvent)) error {
	cmd := exec.CommandContext(ctx, filepath.Join(".", outDir, serverBin), append([]string{"export"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var decodeErr error
	dec := json.NewDecoder(bufio.NewReader(stdout))
	for {
		var ev server.ExportEvent
		if err := dec.Decode(&ev); err == io.EOF {
			break
		} else if err != nil {
			decodeErr = fmt.Errorf("export: %w", err)
			io.Copy(io.Discard, stdout) // let the command finish
			break
		}
		each(ev)
	}
	if err := cmd.Wait(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s", msg)
	}
	return decodeErr
}

// brokenLink is a same-origin link of a page that the site does not answer;
// more counts the other pages with the same link left out of the list. A
// link of an export's page to a page the server answers and a static host
// cannot (a dynamic page, a route handler, a page with personal holes) is
// a kind of its own, needsServer: the page is there, on the site's server.
type brokenLink struct {
	page, link, reason string
	needsServer        bool
	more               int
}

func (b brokenLink) String() string { return b.page + " links to " + b.link + ": " + b.reason }

// maxLinkPages is how many of the pages that have a link the checker keeps,
// to name them in a report; the others are counted.
const maxLinkPages = server.LinkPages

// linkUse is where one link appears: the first pages that have it, and how
// many do.
type linkUse struct {
	pages []string
	count int
}

// linkChecker knows what an app answers: its routes, route handlers and
// files, and the pages an export listed; and the links of those pages, each
// distinct link once, so that it holds no more than the site's link graph
// needs for a million pages that share their navigation.
type linkChecker struct {
	routes    []server.RouteInfo // by codegen.ComparePatterns: the router's order of preference
	handlers  []codegen.Handler
	pages     map[string]bool     // paths of the pages listed, unescaped
	files     map[string]bool     // paths of the files listed, unescaped
	skipped   map[string]string   // the reason a route's or path's pages need a server
	links     map[string]*linkUse // the pages' same-origin links, as written
	fragments []brokenLink        // links of pages to ids they do not have
}

// newLinkChecker returns the checker of an app with routes and handlers;
// add gives it the export's events.
func newLinkChecker(routes []server.RouteInfo, handlers []codegen.Handler) *linkChecker {
	c := &linkChecker{
		routes:   slices.Clone(routes),
		handlers: slices.Clone(handlers),
		pages:    map[string]bool{},
		files:    map[string]bool{},
		skipped:  map[string]string{},
		links:    map[string]*linkUse{},
	}
	slices.SortStableFunc(c.routes, func(a, b server.RouteInfo) int { return codegen.ComparePatterns(a.Pattern, b.Pattern) })
	slices.SortStableFunc(c.handlers, func(a, b codegen.Handler) int { return codegen.ComparePatterns(a.Pattern, b.Pattern) })
	return c
}

// add records an event of the export: a page with its links, a file, or
// what needs a server.
func (c *linkChecker) add(ev server.ExportEvent) {
	switch ev.Event {
	case "page":
		c.pages[unescape(ev.Path)] = true
		for _, f := range ev.Fragments {
			c.fragments = append(c.fragments, brokenLink{page: ev.Path, link: f, reason: "no element of the page has that id"})
		}
		for _, link := range ev.Links {
			c.use(link, []string{ev.Path}, 1)
		}
	case "file":
		c.files[unescape(ev.Path)] = true
	case "skip":
		key := ev.Route
		if ev.Path != "" {
			key = unescape(ev.Path)
		}
		c.skipped[key] = ev.Reason
	}
}

// addPrerendered records an event of prerender --links, which lists each
// link once with the pages that have it.
func (c *linkChecker) addPrerendered(ev server.PrerenderEvent) {
	switch ev.Event {
	case "page":
		c.add(server.ExportEvent{Event: "page", Path: ev.Path, Fragments: ev.Fragments})
	case "links":
		c.use(ev.Path, ev.Pages, ev.Total)
	case "skip", "file":
		c.add(server.ExportEvent{Event: ev.Event, Route: ev.Route, Path: ev.Path, Reason: ev.Reason})
	}
}

// use records that count pages have link, pages the first of them.
func (c *linkChecker) use(link string, pages []string, count int) {
	u := c.links[link]
	if u == nil {
		u = &linkUse{}
		c.links[link] = u
	}
	for _, p := range pages {
		if len(u.pages) < maxLinkPages {
			u.pages = append(u.pages, p)
		}
	}
	u.count += count
}

// unescape returns the URL path p unescaped, or p if it does not unescape
// or has a query (a /_framework/ file's, which is matched as it is).
func unescape(p string) string {
	if strings.Contains(p, "?") {
		return p
	}
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// check returns the broken links of the pages added, sorted: links nothing
// in the app answers. With static true it checks them for a static export
// too, and reports only what the server would answer but the export does
// not: a page or handler that needs a server, a path with a trailing slash.
func (c *linkChecker) check(static bool) []brokenLink {
	var broken []brokenLink
	if !static {
		broken = append(broken, c.fragments...)
	}
	for link, u := range c.links {
		p := unescape(link)
		reason, needsServer := c.serverReason(p), false
		if static {
			if reason != "" {
				continue // the server's check reports it
			}
			reason, needsServer = c.staticReason(p)
		}
		if reason == "" {
			continue
		}
		for i, page := range u.pages {
			b := brokenLink{page: page, link: link, reason: reason, needsServer: needsServer}
			if i == len(u.pages)-1 {
				b.more = u.count - len(u.pages)
			}
			broken = append(broken, b)
		}
	}
	slices.SortFunc(broken, func(a, b brokenLink) int {
		return strings.Compare(a.page+"\x00"+a.link, b.page+"\x00"+b.link)
	})
	return broken
}

// serverReason returns why the running server would not answer a GET of
// the unescaped path p with a page or file, or "".
func (c *linkChecker) serverReason(p string) string {
	if c.files[p] || c.pages[p] {
		return ""
	}
	if reason, ok := c.skipped[p]; ok {
		if reason == server.ReasonNotFound {
			return "no such page: " + p + " " + reason
		}
		return "" // the server answers it; a static host cannot
	}
	if len(p) > 1 && strings.HasSuffix(p, "/") {
		p = strings.TrimRight(p, "/") // redirected to the canonical path
		if p == "" {
			p = "/"
		}
		if c.files[p] || c.pages[p] {
			return ""
		}
	}
	if rt, ok := c.route(p); ok {
		if rt.StaticParamsOnly && strings.ContainsAny(rt.Pattern, ":*") {
			return "no such page: StaticParams of " + rt.Pattern + " does not list it (DynamicParams = false)"
		}
		return ""
	}
	if h, ok := c.handler(p); ok {
		if slices.Contains(h.Methods, "GET") {
			return ""
		}
		return "no such page: " + h.File + " answers " + strings.Join(h.Methods, ", ") + ", not GET"
	}
	return "no such page"
}

// staticReason returns why a static export does not hold the unescaped
// path p, which the server answers, or "", and whether it is because p
// needs a server.
func (c *linkChecker) staticReason(p string) (string, bool) {
	if c.files[p] || c.pages[p] {
		return "", false
	}
	if len(p) > 1 && strings.HasSuffix(p, "/") {
		return "a trailing slash: the server redirects it to " + strings.TrimRight(p, "/") + ", a static host does not; link that", false
	}
	if reason, ok := c.skipped[p]; ok {
		return "needs a server: " + p + " " + reason, true
	}
	if rt, ok := c.route(p); ok {
		if reason, ok := c.skipped[rt.Pattern]; ok {
			return "needs a server: " + rt.Pattern + " " + reason, true
		}
		return "not exported", false
	}
	if h, ok := c.handler(p); ok {
		return "needs a server: " + h.File + " is a route handler, run per request", true
	}
	return "not exported", false
}

// route returns the page route the router would pick for p.
func (c *linkChecker) route(p string) (server.RouteInfo, bool) {
	for _, rt := range c.routes {
		if matchPattern(rt.Pattern, p) {
			return rt, true
		}
	}
	return server.RouteInfo{}, false
}

// handler returns the route handler the router would pick for p.
func (c *linkChecker) handler(p string) (codegen.Handler, bool) {
	for _, h := range c.handlers {
		if matchPattern(h.Pattern, p) {
			return h, true
		}
	}
	return codegen.Handler{}, false
}

// matchPattern reports whether the Echo pattern ("/blog/:id", "/docs/*",
// "/sitemap-:part") matches the unescaped path p. A param matches the
// rest of its segment, at least a byte of it; a catch-all one or more
// segments.
func matchPattern(pattern, p string) bool {
	for {
		i := strings.IndexAny(pattern, ":*")
		if i < 0 {
			return pattern == p
		}
		if !strings.HasPrefix(p, pattern[:i]) {
			return false
		}
		p = p[i:]
		if pattern[i] == '*' {
			return p != "" && p != "/"
		}
		pattern = pattern[i:]
		end := strings.IndexByte(pattern, '/')
		if end < 0 {
			end = len(pattern)
		}
		pattern = pattern[end:]
		seg := strings.IndexByte(p, '/')
		if seg < 0 {
			seg = len(p)
		}
		// A param followed by literal text in its segment
		// ("/sitemap-:part" has none after it) takes the segment.
		if seg == 0 {
			return false
		}
		p = p[seg:]
	}
}

// reportLinks prints the broken links on w, then the links to pages that
// need a server, a line per link and reason naming the first pages that
// have it, and returns an error with strict, else a warning.
func reportLinks(w io.Writer, broken []brokenLink, strict bool) error {
	var dead, server []brokenLink
	for _, b := range broken {
		if b.needsServer {
			server = append(server, b)
		} else {
			dead = append(dead, b)
		}
	}
	nDead := printLinks(w, "Broken links", dead)
	nServer := printLinks(w, "Links to pages that need a server", server)
	if nDead+nServer == 0 {
		return nil
	}
	if !strict {
		fmt.Fprintln(w, "warning: --strict-links makes them an error")
		return nil
	}
	var counts []string
	if nDead > 0 {
		counts = append(counts, fmt.Sprintf("%d broken links", nDead))
	}
	if nServer > 0 {
		counts = append(counts, fmt.Sprintf("%d links to pages that need a server", nServer))
	}
	return fmt.Errorf("%s (--strict-links)", strings.Join(counts, " and "))
}

// printLinks prints the links under title, grouped by link and reason, and
// returns how many pages have them.
func printLinks(w io.Writer, title string, links []brokenLink) int {
	if len(links) == 0 {
		return 0
	}
	type target struct{ link, reason string }
	pages := map[target][]string{}
	more := map[target]int{}
	var order []target
	total := 0
	for _, b := range links {
		k := target{b.link, b.reason}
		if pages[k] == nil {
			order = append(order, k)
		}
		pages[k] = append(pages[k], b.page)
		more[k] += b.more
		total += 1 + b.more
	}
	fmt.Fprintf(w, "\n%s (%d):\n", title, total)
	for _, k := range order {
		verb := "links"
		if len(pages[k])+more[k] > 1 {
			verb = "link"
		}
		fmt.Fprintf(w, "  %s %s to %s: %s\n", linkingPages(pages[k], more[k]), verb, k.link, k.reason)
	}
	return total
}

// linkingPages names pages, the first three of them when there are more,
// and counts the others with more.
func linkingPages(pages []string, more int) string {
	const shown = 3
	if len(pages) <= shown+1 && more == 0 {
		return strings.Join(pages, ", ")
	}
	n := min(shown, len(pages))
	return fmt.Sprintf("%s and %d other pages", strings.Join(pages[:n], ", "), len(pages)-n+more)
}

// markdownLinks returns the broken links of Markdown files as the
// checker's, each named by its file:line:col.
func markdownLinks(links []codegen.BrokenLink) []brokenLink {
	var broken []brokenLink
	for _, l := range links {
		broken = append(broken, brokenLink{page: l.Pos.String(), link: l.Dest, reason: "no such file: " + l.Target})
	}
	return broken
}
