package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

func Load(ctx context.Context, r *framework.Request) (int, error) { return 1, nil }

func Metadata(ctx context.Context, n string) framework.Metadata { return framework.Metadata{} }
