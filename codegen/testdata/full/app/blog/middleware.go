package blog

import "github.com/labstack/echo/v4"

// Middleware marks every response under /blog, cached or not.
func Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Add("X-Section", "blog")
		return next(c)
	}
}
