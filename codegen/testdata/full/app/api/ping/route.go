package ping

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func GET(c echo.Context) error { return c.String(http.StatusOK, "get "+c.QueryParam("q")) }

func POST(c echo.Context) error { return c.String(http.StatusCreated, "posted") }
