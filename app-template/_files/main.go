// Command server is this app's server, built by `framework build` and run by
// `framework start`. Routes and Register are generated from app/ into
// routes_gen.go; `go doc github.com/isr-go/framework/framework/server` lists
// its commands, flags and environment variables.
package main

import "github.com/isr-go/framework/framework/server"

func main() { server.Main(Routes(), Register) }
