package about

import (
	"context"

	"github.com/isr-go/framework/framework"
)

func Load(ctx context.Context, r *framework.Request) (string, error) {
	return r.Param("id"), nil
}
