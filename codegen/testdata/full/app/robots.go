package app

import (
	"context"
	"time"

	"github.com/isr-go/framework/framework"
)

// RobotsRevalidate is robots.txt's window (Revalidate would be the home
// page's).
const RobotsRevalidate = time.Hour

// Robots keeps crawlers out of the API and points them at the sitemap.
func Robots(ctx context.Context) (framework.Robots, error) {
	return framework.Robots{
		Rules:    []framework.RobotsRule{{Disallow: []string{"/api/"}}},
		Sitemaps: []string{framework.SitemapPath},
	}, nil
}
