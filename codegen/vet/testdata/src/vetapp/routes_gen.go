// Package main is the app's root: its routes_gen.go marks the app/ beside
// it as the app's, not a page folder named app.
package main
