package vet_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/isr-go/framework/codegen/vet"
)

// TestAnalyzer runs the analyzer on the app in testdata (GOPATH layout,
// with stand-ins for the framework and templ packages): each page
// there has one kind of mistake, marked with want comments; the good page,
// a package of the app that is no page and a package outside app/ have
// none.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), vet.Analyzer, "vetapp/...")
}
