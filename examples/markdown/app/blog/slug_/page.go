// Package post is one post of the blog, at /blog/:slug: the whole Markdown
// blog is these few lines and page.templ.
package post

import (
	"context"

	"github.com/isr-go/framework/examples/markdown/app/blog"
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/content"
)

// StaticParams lists every post, for framework build to prerender.
func StaticParams(ctx context.Context) ([]framework.Params, error) {
	return blog.Posts.Params(ctx, "slug")
}

// Load reads the post of the URL's slug; an unknown slug is a 404.
func Load(ctx context.Context, r *framework.Request) (content.Entry[blog.PostMeta], error) {
	return blog.Posts.Get(ctx, r.Params["slug"])
}

// Metadata titles the page with the post's title.
func Metadata(ctx context.Context, post content.Entry[blog.PostMeta]) framework.Metadata {
	return framework.Metadata{Title: post.Data.Title}
}
