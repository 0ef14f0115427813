package app

import "context"

func sitemap(ctx context.Context) {}
