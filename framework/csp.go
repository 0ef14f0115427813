package framework

import (
	"fmt"
	"slices"
	"strings"

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
}

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
	scripts, styles, _ := strings.Cut(sources, "\n")
	if scripts == "" && styles == "" {
		return p.base
	}
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
