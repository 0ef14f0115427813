package blog

import (
	"context"
	"slices"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/content"
)

// Load lists the posts, newest first.
func Load(ctx context.Context, r *framework.Request) ([]content.Entry[PostMeta], error) {
	posts, err := Posts.All(ctx)
	slices.SortFunc(posts, func(a, b content.Entry[PostMeta]) int { return b.Data.Date.Compare(a.Data.Date) })
	return posts, err
}

// Metadata titles the index.
func Metadata(ctx context.Context, posts []content.Entry[PostMeta]) framework.Metadata {
	return framework.Metadata{Title: "Blog"}
}
