package server

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// BodyLimit returns the Echo middleware that bounds request bodies to max
// bytes (none when max <= 0), for e.Pre: a body that declares more is
// refused with a 413 before routing, through e's HTTPErrorHandler (the
// app's error page for a browser, for an API client a JSON error like the
// revalidation endpoint's: {"error": "...", "limit": max}), and one sent
// without a length fails with *http.MaxBytesError when read past max.
func BodyLimit(max int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if max <= 0 {
			return next
		}
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > max {
				// Go drains a little of an unread body to keep the
				// connection; not one this large.
				c.Response().Header().Set("Connection", "close")
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, bodyTooLarge(max))
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, max)
			}
			return next(c)
		}
	}
}

// bodyTooLarge is the message of BodyLimit's 413: a sentence for a person,
// JSON naming the limit for a program.
type bodyTooLarge int64

func (b bodyTooLarge) String() string {
	return fmt.Sprintf("request body over %d bytes (FRAMEWORK_MAX_BODY_BYTES)", int64(b))
}

// MarshalJSON makes the JSON error of the revalidation endpoint.
func (b bodyTooLarge) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Error string `json:"error"`
		Limit int64  `json:"limit"`
	}{b.String(), int64(b)})
}
