package app

// An int is neither a time.Duration nor an untyped number of seconds.
const Revalidate int = 5
