// Package mismatch has a Page that does not take Load's result.
package mismatch

import (
	"context"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

func Load(ctx context.Context, r *framework.Request) (int, error) { return 0, nil }

func Page(s string) templ.Component { return templ.NopComponent } // want `Page must take Load's result \(int\), got \(s string\)`

func Metadata(ctx context.Context) framework.Metadata { return framework.Metadata{} } // want `Metadata must be func\(ctx context.Context, data int\) framework.Metadata, got func\(ctx context.Context\) framework.Metadata`
