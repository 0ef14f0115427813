// Package admin guards /admin (app/admin/middleware.go): HTTP basic auth
// with the password in $BLOG_ADMIN_PASSWORD, and CSRF protection for its
// forms; and checks the paths its redirects go to (LocalPath).
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// User is the basic-auth user name.
const User = "admin"

type tokenKey struct{}

// Guard returns the middleware that protects the admin's pages and
// handlers. With an empty password they answer 403: the admin is off until
// one is set.
func Guard(password string) echo.MiddlewareFunc {
	want := sha256.Sum256([]byte(password))
	auth := middleware.BasicAuthWithConfig(middleware.BasicAuthConfig{
		Realm: "Blog admin",
		Validator: func(user, pass string, c echo.Context) (bool, error) {
			got := sha256.Sum256([]byte(pass))
			return user == User && subtle.ConstantTimeCompare(got[:], want[:]) == 1, nil
		},
	})
	csrf := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     "_csrf",
		CookiePath:     "/admin",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		// The token goes into the request's context, where the admin
		// page's Load finds it through framework.Request.HTTP.
		withToken := func(c echo.Context) error {
			if token, ok := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string); ok {
				r := c.Request()
				c.SetRequest(r.WithContext(context.WithValue(r.Context(), tokenKey{}, token)))
			}
			return next(c)
		}
		guarded := auth(csrf(withToken))
		return func(c echo.Context) error {
			if password == "" {
				return echo.NewHTTPError(http.StatusForbidden, "the admin is off: set BLOG_ADMIN_PASSWORD")
			}
			return guarded(c)
		}
	}
}

// CSRFToken returns the token the admin's forms must send as _csrf, or ""
// when the browser's Sec-Fetch-Site header already protects it.
func CSRFToken(r *http.Request) string {
	if r == nil {
		return ""
	}
	token, _ := r.Context().Value(tokenKey{}).(string)
	return token
}

// maxLocalPath bounds a path LocalPath accepts.
const maxLocalPath = 2048

// LocalPath returns s when it is a path on this site, canonical, fit for a
// redirect's Location (with its query, if any): it starts with "/" and not
// with "//" or "/\" (which browsers read as another host), holds no
// backslash or control character, and has no empty, "." or ".." segment nor
// a trailing slash (which the framework would redirect again). Anything
// else is an error, so that ?path= cannot send a visitor to another site (an
// open redirect).
func LocalPath(s string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("path %.60q: %s", s, why)
	}
	switch {
	case s == "":
		return bad("empty")
	case len(s) > maxLocalPath:
		return bad(fmt.Sprintf("over %d bytes", maxLocalPath))
	case s[0] != '/':
		return bad(`must start with "/"`)
	case strings.HasPrefix(s, "//"):
		return bad(`must not start with "//"`)
	case strings.ContainsRune(s, '\\'):
		return bad("must not contain a backslash")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return bad("must not contain control characters")
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return bad("not a local path")
	}
	if p := u.Path; p != path.Clean(p) || strings.HasPrefix(p, "//") {
		return bad("not canonical")
	}
	return s, nil
}
