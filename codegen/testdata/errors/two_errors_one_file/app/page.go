package app

// The checker finds the error at line 12 before the one at line 9 (it
// checks Revalidate before DynamicParams), and sorting by text would keep
// it first ("page.go:12" < "page.go:9"); the errors must come out by
// line.

// DynamicParams is a string, not a bool.
const DynamicParams = "yes"

// Revalidate is an int: no time.Duration, no untyped number of seconds.
const Revalidate int = 60
