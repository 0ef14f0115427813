// Package post is one post, at /blog/:id.
package post

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/posts"
)

// Revalidate: a post is regenerated at most once a minute, or as often as
// $BLOG_POST_REVALIDATE says (a Go duration: the scaling benchmark sets 1h
// so that it measures cached posts, and its storm phase the regenerations).
var Revalidate = posts.Window(time.Minute)

// DynamicParams: a post created after the build is rendered on its first
// request, then cached.
const DynamicParams = true

// StaticParams lists every published post, for framework build to
// prerender.
func StaticParams(ctx context.Context) ([]framework.Params, error) {
	db, err := posts.Default()
	if err != nil {
		return nil, err
	}
	ids, err := db.PublishedIDs(ctx)
	if err != nil {
		return nil, err
	}
	params := make([]framework.Params, len(ids))
	for i, id := range ids {
		params[i] = framework.Params{"id": strconv.FormatInt(id, 10)}
	}
	return params, nil
}

// Load reads the post; an id that is not a number, not a post or a draft
// (outside draft mode) is a 404.
// Another spelling of a post's number (/blog/01, /blog/+1) is a permanent
// redirect to its one URL, so that search engines and caches see one page.
func Load(ctx context.Context, r *framework.Request) (posts.Post, error) {
	id, err := strconv.ParseInt(r.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return posts.Post{}, framework.ErrNotFound
	}
	if canonical := strconv.FormatInt(id, 10); r.Param("id") != canonical {
		return posts.Post{}, framework.PermanentRedirect("/blog/" + canonical)
	}
	db, err := posts.Default()
	if err != nil {
		return posts.Post{}, err
	}
	p, err := db.Get(ctx, id)
	if err != nil {
		return posts.Post{}, err
	}
	// A draft does not exist for visitors; the admin sees it in draft
	// mode (GET /admin/preview?path=/blog/N).
	if !p.Published && !framework.DraftMode(ctx) {
		return posts.Post{}, framework.ErrNotFound
	}
	return p, nil
}

// Metadata describes the post for <head>.
func Metadata(ctx context.Context, p posts.Post) framework.Metadata {
	desc := p.Body
	if len(desc) > 150 {
		desc = desc[:150] + "…"
	}
	return framework.Metadata{
		Title:       p.Title,
		Description: desc,
		Canonical:   fmt.Sprintf("/blog/%d", p.ID),
		OpenGraph:   framework.OpenGraph{Title: p.Title, Type: "article"},
	}
}
