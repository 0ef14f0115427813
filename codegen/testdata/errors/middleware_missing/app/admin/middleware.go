package admin

import "github.com/labstack/echo/v4"

func Guard(next echo.HandlerFunc) echo.HandlerFunc { return next }
