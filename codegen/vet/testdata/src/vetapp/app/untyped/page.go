// Package untyped has the trap vet is for: 60 is 60ns, not a minute.
package untyped

import "github.com/a-h/templ"

const Revalidate = 60 // want `Revalidate must be a time.Duration, got int`

var Expire = 3600.0 // want `Expire must be a time.Duration, got float64`

const DynamicParams = "yes" // want `DynamicParams must be a bool, got string`

func Page() templ.Component { return templ.NopComponent }
