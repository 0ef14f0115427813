// Package app is the site's home, the index of the docs in site.Order,
// and its layout.
package app

import (
	"context"

	"github.com/isr-go/framework/examples/docs/site"
	"github.com/isr-go/framework/framework"
)

// Load lists the docs in order.
func Load(ctx context.Context, r *framework.Request) ([]site.Doc, error) {
	return site.Ordered(ctx)
}

// Metadata titles the home page.
func Metadata(ctx context.Context, docs []site.Doc) framework.Metadata {
	return framework.Metadata{Title: "Docs", Description: "The manual of framework, a Go web framework: file routing and ISR over templ, Echo and Badger."}
}
