// Package seconds declares its windows in seconds, as Next.js's export
// const revalidate = 60: nothing to report.
package seconds

import "github.com/a-h/templ"

const Revalidate = 60

const Expire = 3600.0

func Page() templ.Component { return templ.NopComponent }
