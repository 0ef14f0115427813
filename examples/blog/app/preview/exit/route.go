// Package exit turns draft mode off: GET /preview/exit, the link of the
// preview banner (app/layout.templ). It needs no password: leaving a
// preview is harmless.
package exit

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/admin"
)

// GET disables draft mode and redirects back: to ?path= when it is a local
// path, else to the page the link was on (the Referer, when it is this
// site's), else home. A path that is not local is a 400.
func GET(c echo.Context) error {
	to := "/"
	if p := c.QueryParam("path"); p != "" {
		local, err := admin.LocalPath(p)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		to = local
	} else if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		if local, err := admin.LocalPath(ref.RequestURI()); err == nil {
			to = local
		}
	}
	if err := framework.DisableDraftMode(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, to)
}
