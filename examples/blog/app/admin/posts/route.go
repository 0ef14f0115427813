// Package posts handles the admin form: POST /admin/posts.
package posts

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/posts"
)

// POST creates or updates a post, published ("Publish", the default) or as
// a draft (action=draft, "Save as draft"), then refreshes the pages that
// show it: every page built from the post list through its data tag (like
// Next's createPost + revalidateTag), and the list and the post's own page
// expired, so that the editor sees the change on the next request (like
// updateTag); a post made a draft again is a 404 from then on. A published
// post redirects to its page, a draft back to its form, which links to its
// preview.
func POST(c echo.Context) error {
	var id int64
	if s := c.FormValue("id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "id must be a positive number")
		}
		id = n
	}
	published := true
	switch c.FormValue("action") {
	case "", "publish":
	case "draft":
		published = false
	default:
		return echo.NewHTTPError(http.StatusBadRequest, `action must be "publish" or "draft"`)
	}
	db, err := posts.Default()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	id, err = db.Save(ctx, id, c.FormValue("title"), c.FormValue("body"), published)
	if errors.Is(err, framework.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "no such post")
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	path := fmt.Sprintf("/blog/%d", id)
	if err := framework.RevalidateTag(ctx, posts.Tag); err != nil {
		return err
	}
	for _, p := range []string{"/blog", path} {
		if err := framework.ExpirePath(ctx, p); err != nil {
			return err
		}
	}
	if !published {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin?edit=%d", id))
	}
	return c.Redirect(http.StatusSeeOther, path)
}
