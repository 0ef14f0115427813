package product

import (
	"testing"

	"github.com/isr-go/framework/framework"
)

// A test may ask for a param the route lacks on purpose: not reported.
func TestMissingParam(t *testing.T) {
	r := &framework.Request{}
	if r.Param("nope") != "" {
		t.Fail()
	}
}
