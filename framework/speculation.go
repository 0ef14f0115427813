package framework

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync/atomic"

	"github.com/a-h/templ"
)

// noPrefetch holds the URL patterns SpeculationRules leaves alone besides
// /_framework/*: the app's route handlers, which runtime.NoPrefetch sets.
var noPrefetch atomic.Pointer[[]string]

// speculationScript is the element SpeculationRules writes, rendered once
// per setNoPrefetch: every page of a site has it, and marshalling the rules
// for each was a twentieth of a build's prerender.
var speculationScript atomic.Pointer[string]

// setNoPrefetch sets the paths (Echo patterns: "/api/ping", "/files/:id",
// "/docs/*") SpeculationRules never prefetches (runtime.NoPrefetch).
func setNoPrefetch(patterns ...string) {
	noPrefetch.Store(&patterns)
	script := `<script type="speculationrules">` + speculationJSON() + `</script>`
	speculationScript.Store(&script)
}

// SpeculationRules returns a <script type="speculationrules"> for the
// <head> of a layout: browsers that support Speculation Rules prefetch a
// same-origin page link when the pointer rests on it (eagerness
// "moderate"), so that the click finds the page in the browser's memory.
// The prefetch is a GET with Sec-Purpose: prefetch, answered from the ISR
// cache like any other. It never prefetches /_framework/*, the route
// handlers routes_gen.go lists, links with rel=nofollow or download, or
// links marked data-no-prefetch.
func SpeculationRules() templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		script := speculationScript.Load()
		if script == nil {
			s := `<script type="speculationrules">` + speculationJSON() + `</script>`
			script = &s
		}
		_, err := io.WriteString(w, *script)
		return err
	})
}

// speculationJSON renders the rules. Echo's patterns are URLPattern's
// syntax too (":id", "*"); each is excluded with any query string.
func speculationJSON() string {
	type cond = map[string]any
	where := []cond{{"href_matches": "/*"}, {"not": cond{"href_matches": "/_framework/*"}}}
	if p := noPrefetch.Load(); p != nil {
		for _, pattern := range *p {
			where = append(where, cond{"not": cond{"href_matches": pattern}}, cond{"not": cond{"href_matches": pattern + "?*"}})
		}
	}
	where = append(where, cond{"not": cond{"selector_matches": "[rel~=nofollow], [download], [data-no-prefetch]"}})
	rules := cond{"prefetch": []cond{{"source": "document", "where": cond{"and": where}, "eagerness": "moderate"}}}
	b, _ := json.Marshal(rules)
	// json.Marshal escapes <, > and & already; "</script" cannot occur.
	return strings.TrimSpace(string(b))
}
