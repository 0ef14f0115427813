package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// Robots keeps crawlers out of the admin and points them at the sitemap.
func Robots(ctx context.Context) (framework.Robots, error) {
	return framework.Robots{
		Rules:    []framework.RobotsRule{{Allow: []string{"/"}, Disallow: []string{"/admin"}}},
		Sitemaps: []string{framework.SitemapPath},
	}, nil
}
