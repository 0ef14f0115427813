// Package missing is a page.templ that declares no Page: templ generated
// its page_templ.go, so it is a page, and the package clause is where the
// missing export is reported.
package missing // want `want templ Page\(\)`

import "github.com/a-h/templ"

func Other() templ.Component { return templ.NopComponent }
