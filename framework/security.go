package framework

import (
	"fmt"
	"net/http"
	"strings"
)

// securityValues are the header values SecurityHeaders sets, made once so
// that a response allocates none.
type securityValues struct {
	frameOptions []string // nil when Options.FrameOptions is "off"
	csp          []string // the policy without hashes; nil without one
}

// Values of the security headers every response carries.
var (
	nosniffValue        = []string{"nosniff"}
	referrerPolicyValue = []string{"strict-origin-when-cross-origin"}
)

// initSecurity checks the security options and makes their header values.
func (a *App) initSecurity() error {
	switch strings.ToUpper(a.opts.FrameOptions) {
	case "DENY":
		a.security.frameOptions = []string{"DENY"}
	case "SAMEORIGIN":
		a.security.frameOptions = []string{"SAMEORIGIN"}
	case "OFF":
	default:
		return fmt.Errorf("framework: Options.FrameOptions %q: want DENY, SAMEORIGIN or off", a.opts.FrameOptions)
	}
	if a.opts.ContentSecurityPolicy == "" {
		return nil
	}
	csp, err := newCSPPolicy(a.opts.ContentSecurityPolicy)
	if err != nil {
		return err
	}
	a.csp, a.security.csp = csp, csp.base
	return nil
}

// SecurityHeaders sets the app's security headers on every response of
// next (the server wraps the whole app in it: pages, assets, images,
// errors, route handlers):
//
//   - X-Content-Type-Options: nosniff, so that a browser never runs as a
//     script or a page what was sent as something else (an upload, a
//     JSON answer).
//   - Referrer-Policy: strict-origin-when-cross-origin, so that the full
//     URL of a page (its query, a draft or preview path) goes to the
//     site's own pages only, and only the origin to others.
//   - X-Frame-Options (Options.FrameOptions, DENY by default), so that no
//     other site can frame a page under a visitor's clicks.
//   - Content-Security-Policy (Options.ContentSecurityPolicy), when set:
//     a page replaces it with one that adds its inline hashes.
func (a *App) SecurityHeaders(next http.Handler) http.Handler {
	s := a.security
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = nosniffValue
		h["Referrer-Policy"] = referrerPolicyValue
		if s.frameOptions != nil {
			h["X-Frame-Options"] = s.frameOptions
		}
		if s.csp != nil {
			h["Content-Security-Policy"] = s.csp
		}
		next.ServeHTTP(w, r)
	})
}
