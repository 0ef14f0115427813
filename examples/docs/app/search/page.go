// Package search is the search index, at /search: a page, so that it is
// prerendered, cached and exported like the docs. Its JSON (in a
// <script type="application/json">) is what assets/search.ts fetches and
// searches; its list of links is the search for a browser without
// scripts.
package search

import (
	"context"

	"github.com/isr-go/framework/examples/docs/site"
	"github.com/isr-go/framework/framework"
)

// Load builds the index of every doc's title and headings.
func Load(ctx context.Context, r *framework.Request) ([]site.Entry, error) {
	docs, err := site.Ordered(ctx)
	return site.Index(docs), err
}

// Metadata titles the page.
func Metadata(ctx context.Context, index []site.Entry) framework.Metadata {
	return framework.Metadata{Title: "Search"}
}
