package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// Load takes the wrong arguments. Page and Metadata, whose types depend on
// Load's, are not reported: the error to fix is Load's.
func Load(id string) (int, error) { return 0, nil }

func Metadata(ctx context.Context, n int) framework.Metadata { return framework.Metadata{} }
