package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

func Robots(ctx context.Context) (framework.Robots, error) { return framework.Robots{}, nil }
