package post

import (
	"context"
	"time"

	"github.com/isr-go/framework/framework"
)

const (
	Revalidate    = time.Minute
	Expire        = time.Hour
	DynamicParams = false
)

func StaticParams(ctx context.Context) ([]framework.Params, error) {
	return []framework.Params{{"id": "1"}, {"id": "2"}}, nil
}

func Load(ctx context.Context, r *framework.Request) (string, error) {
	return r.Param("id"), nil
}

func Metadata(ctx context.Context, id string) framework.Metadata {
	return framework.Metadata{Title: "Post " + id}
}
