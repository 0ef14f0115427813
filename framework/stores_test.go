package framework_test

// The stores register themselves with the framework when imported; the
// framework cannot import them (they import it), so its tests, which run
// against a real Badger and a real Redis, link them from here.
import (
	_ "github.com/isr-go/framework/framework/badgerstore"
	_ "github.com/isr-go/framework/framework/redisstore"
)
