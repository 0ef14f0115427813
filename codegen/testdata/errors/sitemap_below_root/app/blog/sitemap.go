package blog

import (
	"context"

	"github.com/isr-go/framework/framework"
)

func Sitemap(ctx context.Context) ([]framework.SitemapEntry, error) { return nil, nil }
