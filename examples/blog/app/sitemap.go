package app

import (
	"context"
	"strconv"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/posts"
)

// Sitemap lists the home page, the list and every post, read like the
// list at /blog reads them (posts.List, tagged "posts"): a post the admin
// writes revalidates the tag, and the sitemap with it. Without
// SitemapRevalidate it is cached until then.
func Sitemap(ctx context.Context) ([]framework.SitemapEntry, error) {
	list, err := posts.List(ctx)
	if err != nil {
		return nil, err
	}
	entries := make([]framework.SitemapEntry, 0, len(list)+2)
	entries = append(entries, framework.SitemapEntry{URL: "/", ChangeFrequency: framework.ChangeMonthly})
	blog := framework.SitemapEntry{URL: "/blog", ChangeFrequency: framework.ChangeDaily}
	for _, p := range list {
		if p.Updated.After(blog.LastModified) {
			blog.LastModified = p.Updated
		}
	}
	entries = append(entries, blog)
	for _, p := range list {
		entries = append(entries, framework.SitemapEntry{URL: "/blog/" + strconv.FormatInt(p.ID, 10), LastModified: p.Updated})
	}
	return entries, nil
}
