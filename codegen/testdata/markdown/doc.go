// Package markdown is a codegen fixture of Markdown pages; its
// routes_gen.go is the golden output, compiled and served by the tests.
package markdown
