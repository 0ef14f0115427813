// Package api holds only middleware: it wraps the handlers below it.
package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Middleware refuses requests without an API key; a variable works as
// well as a func.
var Middleware echo.MiddlewareFunc = func(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Header.Get("X-Api-Key") != "k" {
			return echo.NewHTTPError(http.StatusUnauthorized, "no API key")
		}
		return next(c)
	}
}
