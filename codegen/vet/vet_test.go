package vet_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/isr-go/framework/codegen/vet"
)

// TestAnalyzer runs the analyzer on the app in testdata (GOPATH layout,
// with stand-ins for the framework and templ packages): each page
// there has one kind of mistake, marked with want comments (windows of
// the wrong type, negative, fractional or too long in seconds; Param
// names the route lacks); the good pages (windows in seconds, a
// time.Duration or framework.Never), a package of the app that is no page,
// a package outside app/ and a test asking for a missing param have none.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), vet.Analyzer, "vetapp/...")
}
