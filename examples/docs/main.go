// Command docs is the framework's manual as a site: the repository's
// docs/*.md, a page each at /docs/<name>, with a navigation sidebar, a
// table of contents per page and client-side search. See README.md.
package main

import "github.com/isr-go/framework/framework/server"

func main() {
	server.Main(Routes(), Register, server.Options{})
}
