// Package doc is the catch-all /docs/*: its param is slug, not "*".
package doc

import (
	"context"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

func Load(ctx context.Context, r *framework.Request) (string, error) {
	return r.Param("slug") + r.Param("*"), nil // want `Param\("\*"\): route /docs/\* has no param "\*" \(its params: slug\)`
}

func Page(s string) templ.Component { return templ.NopComponent }
