package hook

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// AllowCrossOrigin: other sites' pages may post here.
const AllowCrossOrigin = true

func POST(c echo.Context) error { return c.String(http.StatusOK, "hooked") }
