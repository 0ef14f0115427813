// Package preview turns draft mode on for the admin: GET
// /admin/preview?path=/blog/N, behind the admin's password
// (app/admin/middleware.go).
package preview

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/admin"
)

// GET enables draft mode (a signed cookie) and redirects to path, where
// the admin sees drafts, rendered fresh for them alone, under a banner. path
// must be a local path (admin.LocalPath): anything else is a 400, never a
// redirect to another site.
func GET(c echo.Context) error {
	to, err := admin.LocalPath(c.QueryParam("path"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	if err := framework.EnableDraftMode(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusTemporaryRedirect, to)
}
