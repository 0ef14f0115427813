package app

import "github.com/labstack/echo/v4"

func Middleware(c echo.Context) error { return nil }
