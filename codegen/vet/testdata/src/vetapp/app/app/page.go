// Package app is a page folder named app, /app: its route has no params.
package app

import (
	"context"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

func StaticParams(ctx context.Context) ([]framework.Params, error) { return nil, nil } // want `StaticParams is for pages with params, and /app has none`

func Page() templ.Component { return templ.NopComponent }
