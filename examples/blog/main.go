// Command blog is the example app: the Next.js ISR guide's blog, with posts
// in SQLite and an admin to write them.
//
//	go run ./cli/framework build examples/blog && go run ./cli/framework start examples/blog
package main

import (
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/server"
)

// The blog sends a strict Content-Security-Policy: its inline scripts and
// styles (the speculation rules, a post's JSON-LD, the greeting's script,
// the latest posts' style) are allowed by their hashes, which the
// framework keeps with each cached page.
func main() {
	server.Main(Routes(), Register, server.Options{Options: framework.Options{
		ContentSecurityPolicy: framework.DefaultContentSecurityPolicy,
	}})
}
