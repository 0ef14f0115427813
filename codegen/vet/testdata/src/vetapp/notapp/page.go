// Package notapp is outside app/: not a page, whatever it declares.
package notapp

import "github.com/a-h/templ"

const Revalidate = 60

func Page() templ.Component { return templ.NopComponent }
