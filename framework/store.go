package framework

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/isr-go/framework/framework/store"
)

// An OpenStore function opens a store at a location: a directory for a local
// store, a URL for a shared one.
type OpenStore func(location string) (store.Store, error)

// LocalStore is the name under which the local store registers: New opens
// it in Options.CacheDir when neither Store nor CacheURL is set.
const LocalStore = "local"

var (
	storesMu sync.RWMutex
	stores   = map[string]OpenStore{}
)

// RegisterStore makes a store available to New by name: LocalStore for the
// store New opens in Options.CacheDir, or a URL scheme ("redis") for the
// stores Options.CacheURL names. Store packages call it from an init
// function, like database/sql drivers; importing the package is enough.
// Registering a name twice panics.
func RegisterStore(name string, open OpenStore) {
	storesMu.Lock()
	defer storesMu.Unlock()
	if _, dup := stores[name]; dup {
		panic("framework: RegisterStore called twice for " + name)
	}
	stores[name] = open
}

// registeredStore returns the opener registered under name, or nil.
func registeredStore(name string) OpenStore {
	storesMu.RLock()
	defer storesMu.RUnlock()
	return stores[name]
}

// storeNames lists the registered names, for error messages.
func storeNames() string {
	storesMu.RLock()
	defer storesMu.RUnlock()
	var names []string
	for name := range stores {
		if name != LocalStore {
			names = append(names, name+"://")
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none registered: import a store package such as github.com/isr-go/framework/framework/redisstore"
	}
	return strings.Join(names, ", ")
}

// openURLStore opens the store a CacheURL names, by its scheme.
func openURLStore(url string) (store.Store, error) {
	scheme, _, ok := strings.Cut(url, "://")
	if open := registeredStore(scheme); ok && open != nil {
		return open(url)
	}
	return nil, fmt.Errorf("framework: cache %q: want a URL whose scheme is a registered store (%s), or nothing for the local cache", url, storeNames())
}
