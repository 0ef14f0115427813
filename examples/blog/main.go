// Command blog is the example app: the Next.js ISR guide's blog, with posts
// in SQLite and an admin to write them.
//
//	go run ./cli/framework build examples/blog && go run ./cli/framework start examples/blog
package main

import "github.com/isr-go/framework/framework/server"

func main() { server.Main(Routes(), Register) }
