package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// Metadata describes the home page for search engines and link previews;
// the layout puts it in <head>.
func Metadata(ctx context.Context) framework.Metadata {
	return framework.Metadata{
		Description: "A Go web app with file-based routes and pages served from an ISR cache.",
		Canonical:   "/",
	}
}
