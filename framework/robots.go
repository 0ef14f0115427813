package framework

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
)

// RobotsPath is where an app's robots.txt is served.
const RobotsPath = "/robots.txt"

// Robots is an app's robots.txt (RFC 9309), as app/robots.go's Robots
// returns it, like Next.js's app/robots.ts.
type Robots struct {
	// Rules are the groups of the file, in order.
	Rules []RobotsRule

	// Sitemaps are the URLs of the site's sitemaps: paths (SitemapPath),
	// which robots.txt makes absolute with Options.SiteURL, or absolute
	// http or https URLs.
	Sitemaps []string

	// Host is the site's preferred host name, for the crawlers that read a
	// Host line (Yandex); "" leaves it out.
	Host string
}

// RobotsRule is one group of robots.txt: which crawlers it is for and what
// they may crawl.
type RobotsRule struct {
	// UserAgents are the crawlers the rule is for; none means every one
	// ("*").
	UserAgents []string

	// Allow and Disallow are path prefixes ("/admin"), with the * and $
	// patterns RFC 9309 allows.
	Allow, Disallow []string

	// CrawlDelay asks for that much time between requests, in whole
	// seconds (rounded up); 0 leaves it out. Google ignores it.
	CrawlDelay time.Duration
}

// textContentType is the Content-Type of robots.txt.
const textContentType = "text/plain; charset=utf-8"

// robotsRoute returns the route that serves robots at /robots.txt
// (runtime.RobotsRoute). Codegen
// calls it with app/robots.go's Robots and its RobotsRevalidate (Never
// when absent): it is cached like a page, with that window and the tags of
// the data robots reads.
//
// A value that would break the file's lines (a control character, such as
// a newline) is left out and logged, and so is a sitemap URL that is not a
// path nor an http or https URL.
func robotsRoute(robots func(ctx context.Context) (Robots, error), revalidate time.Duration) Route {
	return Route{
		Pattern:      RobotsPath,
		Revalidate:   revalidate,
		ContentType:  textContentType,
		NeedsSiteURL: true,
		Render: func(ctx context.Context, r *Request) (templ.Component, error) {
			st := stateFrom(ctx)
			if st == nil {
				return nil, fmt.Errorf("robots.txt rendered outside the framework")
			}
			base, err := st.app.siteBase(r)
			if err != nil {
				return nil, err
			}
			rb, err := robots(ctx)
			if err != nil {
				return nil, err
			}
			body, skipped := rb.encode(base)
			if len(skipped) > 0 {
				st.app.log.Warn("framework: robots.txt values left out", "count", len(skipped), "first", skipped[0])
			}
			return rawComponent(body), nil
		},
	}
}

// encode writes the file, with sitemap paths resolved against base, and
// returns the values it left out.
func (rb *Robots) encode(base string) (body []byte, skipped []string) {
	var b strings.Builder
	line := func(field, value string) {
		if strings.IndexFunc(value, isControl) >= 0 {
			skipped = append(skipped, fmt.Sprintf("%s: %q", field, value))
			return
		}
		b.WriteString(field + ": " + value + "\n")
	}
	for i, rule := range rb.Rules {
		if i > 0 {
			b.WriteByte('\n')
		}
		agents := rule.UserAgents
		if len(agents) == 0 {
			agents = []string{"*"}
		}
		for _, ua := range agents {
			line("User-Agent", ua)
		}
		for _, p := range rule.Allow {
			line("Allow", p)
		}
		for _, p := range rule.Disallow {
			line("Disallow", p)
		}
		if rule.CrawlDelay > 0 {
			line("Crawl-delay", strconv.FormatInt(seconds(rule.CrawlDelay), 10))
		}
	}
	if len(rb.Sitemaps) > 0 || rb.Host != "" {
		if len(rb.Rules) > 0 {
			b.WriteByte('\n')
		}
		for _, s := range rb.Sitemaps {
			loc, err := absoluteURL(base, s)
			if err != nil {
				skipped = append(skipped, "Sitemap: "+err.Error())
				continue
			}
			line("Sitemap", loc)
		}
		if rb.Host != "" {
			line("Host", rb.Host)
		}
	}
	return []byte(b.String()), skipped
}

// isControl reports whether r would break a robots.txt line.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
