// Package good is a page with every export right: nothing to report.
package good

import (
	"context"
	"time"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

const Revalidate = time.Minute

const Expire = 24 * time.Hour

const DynamicParams = true

func Load(ctx context.Context, r *framework.Request) (int, error) { return 1, nil }

func Page(n int) templ.Component { return templ.NopComponent }

func Metadata(ctx context.Context, n int) framework.Metadata { return framework.Metadata{} }
