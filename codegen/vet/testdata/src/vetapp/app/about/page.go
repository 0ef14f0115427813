// Package about is /about, a route without params.
package about

import (
	"context"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

func Load(ctx context.Context, r *framework.Request) (string, error) {
	return r.Param("id"), nil // want `Param\("id"\): route /about has no params`
}

func Page(s string) templ.Component { return templ.NopComponent }
