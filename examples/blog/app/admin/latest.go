package admin

import (
	"context"
	"io"
	"time"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/posts"
)

// latestCount is how many posts the "Latest posts" box shows.
const latestCount = 5

// LatestPosts is the admin's "Latest posts" box: the newest published
// posts, read from the database and rendered once, then cached with
// framework.CacheComponent until the "posts" tag is revalidated (the admin's form
// does, on every save). The admin page itself is dynamic, rendered on every
// request; the box is not.
func LatestPosts() templ.Component {
	return framework.CacheComponent("admin/latest-posts", framework.CacheOptions{
		Revalidate: framework.Never,
		Tags:       []string{posts.Tag},
	}, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		db, err := posts.Default()
		if err != nil {
			return err
		}
		list, err := db.List(ctx, false)
		if err != nil {
			return err
		}
		return latestPosts(list[:min(len(list), latestCount)], time.Now()).Render(ctx, w)
	}))
}
