package framework

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// A Store persists the cache: page entries, data entries and the times at
// which tags and paths were revalidated. The default is a Badger database on
// local disk (package badgerstore); a shared store lets several instances
// serve one cache (package redisstore). A Store must be safe for concurrent
// use.
//
// Store packages import this one and register how to open them
// (RegisterStore); this package imports none of them, so that an app links
// only the stores it uses. The app server (package server) links Badger and
// Redis.
//
// Stores hold opaque bytes; the framework encodes entries itself, so a new
// store needs no knowledge of pages.
type Store interface {
	// Get returns the value stored under key, or nil and a nil error when
	// there is none or it has expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key. It expires after ttl; 0 keeps it until
	// it is overwritten or deleted.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key. Deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// SetTagTime records that tag was revalidated at unixNano. Tags also
	// stand for paths and layouts; there are few of them next to entries.
	SetTagTime(ctx context.Context, tag string, unixNano int64) error
	// TagTimes returns every recorded tag time. The framework reads them
	// once at start, so that a cache hit never waits on the store.
	TagTimes(ctx context.Context) (map[string]int64, error)
	// DeleteTagTimes removes the times of tags, named as passed to
	// SetTagTime. The framework deletes the times too old to matter and
	// those past Options.TagTimeLimit, so that they do not pile up forever.
	// Deleting an absent tag is not an error; neither is an empty list.
	DeleteTagTimes(ctx context.Context, tags []string) error
	// Close releases the store.
	Close() error
}

// A KeyBytesGetter is a store that can read a value under a key given as
// bytes, so that a page's key is built in a reused buffer rather than as a
// new string on every read of the store. The framework uses it for pages
// when the store has it.
type KeyBytesGetter interface {
	// GetKeyBytes is Get with the key as bytes. The store must not keep
	// key, nor any slice of it, past the call: the caller reuses it. The
	// value returned is the caller's, as Get's.
	GetKeyBytes(ctx context.Context, key []byte) ([]byte, error)
}

// A Locker is a store shared by several instances that can lock a key
// among them, so that one instance in the cluster regenerates a stale page.
type Locker interface {
	// TryLock takes the lock named key for at most ttl, reporting false
	// when another holder has it. unlock releases it if it is still held.
	TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// A TagWatcher is a store shared by several instances that streams the tag
// times any of them records, so that a revalidation on one instance applies
// on all at once.
type TagWatcher interface {
	// WatchTagTimes calls fn for every tag time recorded from now on,
	// until ctx ends.
	WatchTagTimes(ctx context.Context, fn func(tag string, unixNano int64))
}

// A Clock is a store shared by several instances that tells the time by its
// own clock. The times instances compare (when a page was generated, when a
// tag was revalidated) are then taken on that one clock, offset from each
// machine's, so that instances whose clocks disagree by minutes neither
// regenerate a page in a loop nor lose a revalidation.
type Clock interface {
	// Now returns the store's current time.
	Now(ctx context.Context) (time.Time, error)
}

// ErrStoreLocked is wrapped by the error a local store returns from opening a
// directory that another process has open. New refuses to start on it rather
// than move the directory aside from under the other process.
var ErrStoreLocked = errors.New("another process is using the store")

// An OpenStore function opens a store at a location: a directory for a local
// store, a URL for a shared one.
type OpenStore func(location string) (Store, error)

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
func openURLStore(url string) (Store, error) {
	scheme, _, ok := strings.Cut(url, "://")
	if open := registeredStore(scheme); ok && open != nil {
		return open(url)
	}
	return nil, fmt.Errorf("framework: cache %q: want a URL whose scheme is a registered store (%s), or nothing for the local cache", url, storeNames())
}
