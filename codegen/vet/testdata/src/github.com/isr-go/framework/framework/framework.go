// Package framework stands in for github.com/isr-go/framework/framework:
// the checks compare types by package path and name only.
package framework

import (
	"math"
	"time"
)

const Never time.Duration = math.MaxInt64

type Request struct{ Params Params }

func (r *Request) Param(name string) string { return r.Params[name] }

type Params map[string]string

type Metadata struct{ Title string }

type SitemapEntry struct{ URL string }

type Robots struct{ Host string }
