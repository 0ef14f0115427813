// Package full is a codegen fixture with every kind of route; its
// routes_gen.go is the golden output, compiled and served by the tests.
package full
