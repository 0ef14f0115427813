// Package untyped declares windows of types that are neither a
// time.Duration nor an untyped number of seconds.
package untyped

import "github.com/a-h/templ"

const Revalidate int = 60 // want `Revalidate must be a time.Duration or an untyped constant counting seconds \(const Revalidate = 60\), got int`

var Expire = 3600.0 // want `Expire must be a time.Duration or an untyped constant counting seconds \(const Expire = 60\), got float64`

const DynamicParams = "yes" // want `DynamicParams must be a bool, got string`

func Page() templ.Component { return templ.NopComponent }
