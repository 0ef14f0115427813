// Package doc is one doc, at /docs/:slug.
package doc

import (
	"context"

	"github.com/isr-go/framework/examples/docs/site"
	"github.com/isr-go/framework/framework"
)

// DynamicParams false: the docs StaticParams lists are all there are, so
// that framework export writes them all and needs no server.
const DynamicParams = false

// StaticParams lists every doc.
func StaticParams(ctx context.Context) ([]framework.Params, error) {
	return site.Docs.Params(ctx, "slug")
}

// Load reads the doc of the URL's slug; an unknown one is a 404.
func Load(ctx context.Context, r *framework.Request) (site.Doc, error) {
	return site.Docs.Get(ctx, r.Params["slug"])
}

// Metadata titles the page with the doc's title, describes it with its
// first paragraph, and tells the layout which doc it is.
func Metadata(ctx context.Context, d site.Doc) framework.Metadata {
	return framework.Metadata{Title: site.Title(d), Description: site.Description(d), Extra: map[string]any{"slug": d.Slug}}
}
