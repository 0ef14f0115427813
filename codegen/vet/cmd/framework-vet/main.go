// Command framework-vet runs the framework's page checks (package
// github.com/isr-go/framework/codegen/vet) as a vet tool:
//
//	go install github.com/isr-go/framework/codegen/vet/cmd/framework-vet
//	go vet -vettool=$(which framework-vet) ./...
//
// or on its own, like any single-analyzer command: framework-vet ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/isr-go/framework/codegen/vet"
)

// singlechecker also speaks go vet's protocol (a .cfg file per package),
// so the one binary serves both ways.
func main() { singlechecker.Main(vet.Analyzer) }
