// Command markdown is an example site written in Markdown: its home and
// about pages are app/**/page.md files, and its blog a content collection,
// content/posts/*.md, rendered by one page of a dozen lines
// (app/blog/slug_/page.go). See docs/content.md.
package main

import "github.com/isr-go/framework/framework/server"

func main() {
	server.Main(Routes(), Register, server.Options{})
}
