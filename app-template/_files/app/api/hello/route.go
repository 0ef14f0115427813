// Package hello is a route handler: GET /api/hello answers JSON.
package hello

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// GET greets the caller.
func GET(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"message": "hello"})
}
