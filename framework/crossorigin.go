package framework

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// crossOriginMessage is what a refused cross-origin write answers, through
// the app's error page for a browser and as JSON for others.
const crossOriginMessage = "cross-origin request refused: a form or script on another site may not send this request here"

// newCrossOrigin returns the check of route handlers' unsafe methods (POST,
// PUT, PATCH, DELETE): Go's own, which refuses a browser's request that
// Sec-Fetch-Site says comes from another site, or, from a browser too old
// to send it, whose Origin is not the request's Host. A request with
// neither header (curl, a server, a webhook) is no browser's and passes, as
// do requests from the trusted origins ("https://admin.example.com").
func newCrossOrigin(trusted []string) (*http.CrossOriginProtection, error) {
	p := http.NewCrossOriginProtection()
	for _, o := range trusted {
		if err := p.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("framework: TrustedOrigins (FRAMEWORK_TRUSTED_ORIGINS): %w", err)
		}
	}
	return p, nil
}

// checkCrossOrigin refuses an unsafe request from another site with 403.
func (a *App) checkCrossOrigin(r *http.Request) error {
	if err := a.crossOrigin.Check(r); err != nil {
		a.metrics.crossOriginRefused.Add(1)
		return echo.NewHTTPError(http.StatusForbidden, crossOriginMessage)
	}
	return nil
}
