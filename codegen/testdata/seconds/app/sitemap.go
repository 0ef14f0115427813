package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// SitemapRevalidate is two minutes, in seconds.
const SitemapRevalidate = 120

// Sitemap lists the home page.
func Sitemap(ctx context.Context) ([]framework.SitemapEntry, error) {
	return []framework.SitemapEntry{{URL: "/"}}, nil
}
