// Package seconds is a codegen fixture whose windows are declared every
// way codegen accepts: untyped constants counting seconds (whole floats
// too), time.Durations and framework.Never. Its routes_gen.go is the
// golden output, compiled into the tests, which read the windows back.
package seconds
