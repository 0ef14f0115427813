// Package rune has a window that is an untyped constant but no number.
package rune

import "github.com/a-h/templ"

const Revalidate = 'm' // want `Revalidate must be a time.Duration or an untyped constant counting seconds \(const Revalidate = 60\), got rune`

func Page() templ.Component { return templ.NopComponent }
