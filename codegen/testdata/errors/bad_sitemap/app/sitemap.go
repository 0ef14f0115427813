package app

import "context"

// A window is whole seconds, and a sitemap is not a list of strings.
const SitemapRevalidate = 0.5

func Sitemap(ctx context.Context) ([]string, error) { return nil, nil }
