// Package framework stands in for github.com/isr-go/framework/framework:
// the checks compare types by package path and name only.
package framework

type Request struct{}

type Params map[string]string

type Metadata struct{ Title string }

type SitemapEntry struct{ URL string }

type Robots struct{ Host string }
