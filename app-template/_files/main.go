// Command server is this app's server, built by `framework build` and run by
// `framework start`. Routes and Register are generated from app/ into
// routes_gen.go.
package main

import "github.com/isr-go/framework/framework"

func main() { framework.Main(Routes(), Register) }
