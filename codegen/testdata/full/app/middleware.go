package app

import "github.com/labstack/echo/v4"

// Middleware marks every response of the app, public files included.
func Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("X-App", "full")
		return next(c)
	}
}
