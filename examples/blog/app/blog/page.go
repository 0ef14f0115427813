// Package blog is the list of posts, at /blog.
package blog

import (
	"context"
	"time"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/posts"
)

// Revalidate: the list is regenerated at most once an hour, and at once when
// a post is written (the admin revalidates the "posts" tag).
const Revalidate = time.Hour

// Load reads the posts through the data cache, tagged "posts": the
// published ones, and the drafts too in draft mode.
func Load(ctx context.Context, r *framework.Request) ([]posts.Summary, error) {
	return posts.List(ctx)
}

// Metadata titles the list.
func Metadata(ctx context.Context, list []posts.Summary) framework.Metadata {
	return framework.Metadata{Title: "Posts", Description: "Every post of the ISR Blog.", Canonical: "/blog"}
}
