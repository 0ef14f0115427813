// Package metadata has a Page without Load that takes data.
package metadata

import "github.com/a-h/templ"

func Page(n int) templ.Component { return templ.NopComponent } // want `Page takes \(n int\) but the page has no Load to provide it`
