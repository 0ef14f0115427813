// Package static lists params for a route without any.
package static

import (
	"context"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

func StaticParams(ctx context.Context) ([]framework.Params, error) { return nil, nil } // want `StaticParams is for pages with params, and /static has none`

func Page() templ.Component { return templ.NopComponent }
