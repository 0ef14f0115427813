// Package negative has a window below 0 and one between two seconds.
package negative

import "github.com/a-h/templ"

const Revalidate = -1 // want `Revalidate must be 0 or more seconds, got -1`

const Expire = 1.5 // want `Expire must be a whole number of seconds, got 1.5 \(for fractions, write a time.Duration: 1500 \* time.Millisecond\)`

func Page() templ.Component { return templ.NopComponent }
