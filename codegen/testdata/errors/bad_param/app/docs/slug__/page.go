package doc

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// A catch-all's param is its folder's name, not "*".
func Load(ctx context.Context, r *framework.Request) (string, error) {
	return r.Param("slug") + r.Param("*"), nil
}
