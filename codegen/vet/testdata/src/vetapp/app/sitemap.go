// Package app is the root of the app: its sitemap.go and robots.go are
// checked, though it has no page.
package app

import "context"

// Entry is not framework.SitemapEntry.
type Entry struct{ URL string }

const SitemapRevalidate = 0.25 // want `SitemapRevalidate must be a whole number of seconds, got 0.25 \(for fractions, write a time.Duration: 250 \* time.Millisecond\)`

func Sitemap(ctx context.Context) ([]Entry, error) { return nil, nil } // want `Sitemap must be func Sitemap\(ctx context.Context\) \(\[\]framework.SitemapEntry, error\), got func\(ctx context.Context\) \(\[\]app.Entry, error\)`
