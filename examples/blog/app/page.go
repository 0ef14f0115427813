package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// Metadata describes the home page for search engines and link previews.
func Metadata(ctx context.Context) framework.Metadata {
	return framework.Metadata{
		Description: "A blog whose pages are rendered once, served from a persistent cache, and regenerated in the background.",
		Canonical:   "/",
	}
}
