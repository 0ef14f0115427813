// Package blog is the list of posts: its newest page at /blog, older pages
// at /blog/page/N (package listpage).
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

// Load reads the newest page of posts through the data cache, tagged
// "posts": the published ones, and the drafts too in draft mode.
func Load(ctx context.Context, r *framework.Request) (posts.Page, error) {
	return posts.ListPage(ctx, 1)
}

// Metadata titles the list.
func Metadata(ctx context.Context, p posts.Page) framework.Metadata {
	return framework.Metadata{Title: "Posts", Description: "The newest posts of the ISR Blog.", Canonical: posts.URL(1)}
}
