// Package product is /products/:slug: its constant Param names are
// checked against the route's, wherever it calls Param.
package product

import (
	"context"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
)

const key = "sulg"

func Load(ctx context.Context, r *framework.Request) (string, error) {
	good := r.Param("slug")
	typo := r.Param("slgu")                     // want `Param\("slgu"\): route /products/:slug has no param "slgu" \(its params: slug\)`
	named := r.Param(key)                       // want `Param\("sulg"\): route /products/:slug has no param "sulg" \(its params: slug\)`
	expr := (*framework.Request).Param(r, "id") // want `Param\("id"\): route /products/:slug has no param "id" \(its params: slug\)`
	return good + typo + named + expr + dynamic(r, "any"), nil
}

// dynamic asks for a param named at run time: not checked.
func dynamic(r *framework.Request, name string) string { return r.Param(name) }

// form has a Param method of its own: not framework's, not checked.
type form struct{}

func (form) Param(name string) string { return name }

var _ = form{}.Param("anything")

func Page(s string) templ.Component { return templ.NopComponent }
