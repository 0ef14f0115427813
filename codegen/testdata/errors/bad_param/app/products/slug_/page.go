package product

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// key is a constant: its value is checked like a literal's.
const key = "sulg"

func Load(ctx context.Context, r *framework.Request) (string, error) {
	slug := r.Param("slug")
	typo := r.Param("slgu")
	named := r.Param(key)
	return slug + typo + named + param(r, "any"), nil
}

// param asks for a param named at run time: not checked.
func param(r *framework.Request, name string) string { return r.Param(name) }
