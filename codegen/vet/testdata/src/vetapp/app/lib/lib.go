// Package lib is a package of the app that is no page: its Revalidate is
// its own business.
package lib

const Revalidate = 60
