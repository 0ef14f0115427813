package a

import "github.com/labstack/echo/v4"

func GET(c echo.Context) error { return nil }
