package blog

import (
	"context"
	"time"

	"github.com/isr-go/framework/framework"
)

const Revalidate = time.Hour

func Load(ctx context.Context, r *framework.Request) ([]string, error) {
	return []string{"one", "two"}, nil
}

func Metadata(ctx context.Context, titles []string) framework.Metadata {
	return framework.Metadata{Title: "Blog"}
}
