// Package greeting remembers the visitor's name for the greeting of
// /hello: POST /greeting.
package greeting

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// maxName is the longest name kept, in characters.
const maxName = 40

// POST sets the name cookie from the form's name (an empty one forgets it)
// and goes back to /hello.
func POST(c echo.Context) error {
	// FormValue would take a form it cannot read for an empty one, which
	// forgets the name: say what went wrong instead.
	if err := c.Request().ParseMultipartForm(32 << 10); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the form is too large")
		}
		return echo.NewHTTPError(http.StatusBadRequest, "the form cannot be read")
	}
	name := strings.TrimSpace(c.FormValue("name"))
	if utf8.RuneCountInString(name) > maxName || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "a name is at most 40 printable characters")
	}
	cookie := &http.Cookie{Name: "name", Value: url.QueryEscape(name), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.IsTLS()}
	if name == "" {
		cookie.MaxAge = -1
	} else {
		cookie.Expires = time.Now().AddDate(1, 0, 0)
	}
	c.SetCookie(cookie)
	return c.Redirect(http.StatusSeeOther, "/hello")
}
