// Package admin is the form that writes posts, at /admin: dynamic, behind
// the password of package blog/admin.
package admin

import (
	"context"
	"strconv"
	"time"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/admin"
	"github.com/isr-go/framework/examples/blog/posts"
)

// Revalidate 0: rendered on every request, never cached.
const Revalidate time.Duration = 0

// Data is what the admin page shows.
type Data struct {
	Token string          // CSRF token for the form
	Edit  posts.Post      // the post being edited; ID 0 for a new one
	Posts []posts.Summary // every post, drafts too, to pick one to edit
}

// Load reads the posts from the database itself (not the data cache), so
// that the admin always sees what is stored.
func Load(ctx context.Context, r *framework.Request) (Data, error) {
	db, err := posts.Default()
	if err != nil {
		return Data{}, err
	}
	d := Data{Token: admin.CSRFToken(r.HTTP)}
	if d.Posts, err = db.List(ctx, true); err != nil {
		return Data{}, err
	}
	if r.HTTP != nil {
		if id, err := strconv.ParseInt(r.HTTP.URL.Query().Get("edit"), 10, 64); err == nil {
			if d.Edit, err = db.Get(ctx, id); err != nil {
				return Data{}, err
			}
		}
	}
	return d, nil
}

// Metadata titles the page.
func Metadata(ctx context.Context, d Data) framework.Metadata {
	return framework.Metadata{Title: "Write"}
}
