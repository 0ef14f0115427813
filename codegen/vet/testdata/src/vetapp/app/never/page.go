// Package never is cached until revalidated on demand, with the default
// Expire written out: nothing to report.
package never

import (
	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

const Revalidate = framework.Never

const Expire = 0

func Page() templ.Component { return templ.NopComponent }
