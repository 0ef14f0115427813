package framework

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/isr-go/framework/framework/internal/pagescan"
)

// DefaultContentSecurityPolicy is a strict policy for a site that loads
// everything from its own origin: Options.ContentSecurityPolicy set to it
// (the server's $FRAMEWORK_CONTENT_SECURITY_POLICY=default) allows the
// site's own scripts, styles, images and forms, data: images, and each
// page's inline scripts and styles by their hashes; no plugin, no <base>
// elsewhere, and no framing.
const DefaultContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// A cspPolicy is the app's Content-Security-Policy, ready to have a page's
// hashes added to its script-src and style-src directives.
type cspPolicy struct {
	directives    []string // each "name source...", in the policy's order
	script, style int      // indexes of script-src and style-src, -1 without
	base          []string // the header value without hashes

	// shared holds the header values made so far, by sources, up to
	// maxSharedPolicies of them: a route's pages most often have the same
	// inline scripts and styles, and then share one value (0.4 KB or more)
	// rather than each holding its own in the memory tier.
	shared  sync.Map // sources string -> []string
	nShared atomic.Int32
}

// maxSharedPolicies bounds cspPolicy.shared: an app whose pages each have
// their own inline script (a hash per page) fills it, and its pages past
// that hold their own values.
const maxSharedPolicies = 1024

// newCSPPolicy parses policy. When it restricts scripts or styles through
// default-src alone, script-src and style-src are added with default-src's
// sources, so that the hashes of a page have a directive to go in that
// allows no more than default-src did.
func newCSPPolicy(policy string) (*cspPolicy, error) {
	if strings.ContainsAny(policy, "\r\n,") {
		return nil, fmt.Errorf("framework: Options.ContentSecurityPolicy %q: one policy on one line", policy)
	}
	p := &cspPolicy{script: -1, style: -1}
	defaults := ""
	for _, d := range strings.Split(policy, ";") {
		d = strings.Join(strings.Fields(d), " ")
		if d == "" {
			continue
		}
		name, _, _ := strings.Cut(d, " ")
		switch strings.ToLower(name) {
		case "script-src":
			p.script = len(p.directives)
		case "style-src":
			p.style = len(p.directives)
		case "default-src":
			defaults = strings.TrimPrefix(d, name)
		}
		p.directives = append(p.directives, d)
	}
	if len(p.directives) == 0 {
		return nil, fmt.Errorf("framework: Options.ContentSecurityPolicy %q has no directive", policy)
	}
	if defaults != "" && p.script < 0 {
		p.script = len(p.directives)
		p.directives = append(p.directives, "script-src"+defaults)
	}
	if defaults != "" && p.style < 0 {
		p.style = len(p.directives)
		p.directives = append(p.directives, "style-src"+defaults)
	}
	p.base = []string{strings.Join(p.directives, "; ")}
	return p, nil
}

// header returns the policy's header value with the hashes of sources
// (made by inlineSources) added; nil when p is (no policy).
func (p *cspPolicy) header(sources string) []string {
	if p == nil {
		return nil
	}
	value, scripts, styles := p.known(sources)
	if value != nil {
		return value
	}
	return p.withHashes(scripts, styles)
}

// sharedHeader is header for a page the cache keeps: it also reports
// whether the value is one the pages of these sources share, keeping it
// for them when there is room. Pages rendered per request do not add to
// the shared values: their sources may differ on every request.
func (p *cspPolicy) sharedHeader(sources string) (value []string, shared bool) {
	if p == nil {
		return nil, true
	}
	value, scripts, styles := p.known(sources)
	if value != nil {
		return value, true
	}
	value = p.withHashes(scripts, styles)
	if p.nShared.Load() >= maxSharedPolicies {
		return value, false
	}
	// strings.Clone: sources may point into a stored entry's bytes, which
	// the map must not keep alive.
	if v, loaded := p.shared.LoadOrStore(strings.Clone(sources), value); loaded {
		return v.([]string), true
	}
	p.nShared.Add(1)
	return value, true
}

// known returns the value for sources when every page of them has the
// same one: the policy itself when they have no hash, or a shared value.
// Otherwise it returns nil and their script and style hashes.
func (p *cspPolicy) known(sources string) (value []string, scripts, styles string) {
	scripts, styles, _ = strings.Cut(sources, "\n")
	if scripts == "" && styles == "" {
		return p.base, "", ""
	}
	if v, ok := p.shared.Load(sources); ok {
		return v.([]string), "", ""
	}
	return nil, scripts, styles
}

// withHashes returns the policy's header value with the hash sources
// scripts and styles added to script-src and style-src.
func (p *cspPolicy) withHashes(scripts, styles string) []string {
	d := slices.Clone(p.directives)
	add := func(i int, hashes string) {
		if i >= 0 && hashes != "" {
			// 'none' allows nothing only when it is alone.
			d[i] = strings.Replace(d[i], " 'none'", "", 1) + " " + hashes
		}
	}
	add(p.script, scripts)
	add(p.style, styles)
	return []string{strings.Join(d, "; ")}
}

// inlineSources returns the CSP hash sources of the inline scripts and
// styles in page (pagescan.Scan): "'sha256-…' …" for the <script> elements
// without src, a newline, and the same for the <style> elements. It is
// computed when a page is rendered and kept in its entry, so that a cached
// page keeps a strict policy without a render per request.
func inlineSources(page []byte) string { return pagescan.Sources(page) }

// mergeSources returns the sources of a and b together, for a page whose
// holes were rendered for the request.
func mergeSources(a, b string) string {
	as, ast, _ := strings.Cut(a, "\n")
	bs, bst, _ := strings.Cut(b, "\n")
	join := func(x, y string) string {
		if x == "" || y == "" {
			return x + y
		}
		out := strings.Fields(x)
		for _, h := range strings.Fields(y) {
			if !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
		return strings.Join(out, " ")
	}
	return join(as, bs) + "\n" + join(ast, bst)
}
