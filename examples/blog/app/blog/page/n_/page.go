// Package listpage is an older page of the list of posts, at
// /blog/page/:n (page 1 is /blog).
package listpage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/posts"
)

// Revalidate: as the list's first page, regenerated at most once an hour,
// and at once when a post is written.
const Revalidate = time.Hour

// DynamicParams: a page past those prerendered (and a page the list grew
// into after the build) is rendered on its first request, then cached.
const DynamicParams = true

// prerenderPages is how many pages of the list a build prerenders: those
// visitors reach from /blog. Each is a query bounded by its page, but
// reaching page n reads n pages of the index, so prerendering every page of
// a million posts would cost the build the square of that.
const prerenderPages = 50

// StaticParams lists pages 2 to prerenderPages of the list.
func StaticParams(ctx context.Context) ([]framework.Params, error) {
	pages, err := posts.Pages(ctx)
	if err != nil {
		return nil, err
	}
	var params []framework.Params
	for n := 2; n <= min(pages, prerenderPages); n++ {
		params = append(params, framework.Params{"n": strconv.Itoa(n)})
	}
	return params, nil
}

// Load reads page n. Page 1 is /blog, a permanent redirect there; another
// spelling of a number (/blog/page/02) redirects to its one URL; anything
// else that is not a page of the list is a 404.
func Load(ctx context.Context, r *framework.Request) (posts.Page, error) {
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil || n < 1 {
		return posts.Page{}, framework.ErrNotFound
	}
	if n == 1 || strconv.Itoa(n) != r.Param("n") {
		if _, err := posts.ListPage(ctx, n); err != nil {
			return posts.Page{}, err
		}
		return posts.Page{}, framework.PermanentRedirect(posts.URL(n))
	}
	return posts.ListPage(ctx, n)
}

// Metadata titles the page and names its canonical URL.
func Metadata(ctx context.Context, p posts.Page) framework.Metadata {
	return framework.Metadata{
		Title:       fmt.Sprintf("Posts, page %d of %d", p.Number, p.Pages),
		Description: fmt.Sprintf("Older posts of the ISR Blog, page %d.", p.Number),
		Canonical:   posts.URL(p.Number),
	}
}
