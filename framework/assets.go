package framework

import "github.com/isr-go/framework/framework/asset"

// Asset returns the URL of the bundle of an entry point of the app's
// assets/ folder: "styles.css" gives "/_framework/static/styles.<hash>.css",
// "main.ts" its JavaScript, "/_framework/static/main.<hash>.js". The URL
// changes with the content, and is cached by browsers for a year. A
// constant name that is no entry point is an error of `framework build`
// and `framework vet`, at the call.
func Asset(name string) string { return asset.URL(name) }
