// Package wrongload has a Load of the wrong type: Page and Metadata,
// whose types depend on it, are not reported too.
package wrongload

import (
	"context"

	"github.com/a-h/templ"
)

func Load(ctx context.Context, id string) (int, error) { return 0, nil } // want `Load must be func\(ctx context.Context, r \*framework.Request\) \(T, error\), got func\(ctx context.Context, id string\) \(int, error\)`

func Page(s string) templ.Component { return templ.NopComponent }
