// Package huge has more seconds than a time.Duration holds, and a
// negative time.Duration.
package huge

import (
	"time"

	"github.com/a-h/templ"
)

const Revalidate = 1e10 // want `Revalidate must be at most 9223372036 seconds \(about 292 years; framework.Never caches until revalidated\), got 1e\+10`

const Expire = -time.Second // want `Expire must be 0 or more, got -1s`

func Page() templ.Component { return templ.NopComponent }
