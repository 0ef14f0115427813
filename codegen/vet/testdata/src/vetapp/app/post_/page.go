// Package post is /:post, with a StaticParams of the wrong type.
package post

import (
	"context"

	"github.com/a-h/templ"
)

func StaticParams(ctx context.Context) ([]string, error) { return nil, nil } // want `StaticParams must be func\(ctx context.Context\) \(\[\]framework.Params, error\), got func\(ctx context.Context\) \(\[\]string, error\)`

func Page() templ.Component { return templ.NopComponent }
