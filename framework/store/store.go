// Package store is what a store author implements: the Store interface that
// persists the ISR cache, and the capabilities a store may add (reading by a
// key in bytes, a lock among instances, a stream of tag times, a shared
// clock). The framework checks for each capability with a type assertion and
// uses it when the store has it.
//
// An app does not import this package to serve pages: the app server
// (package server) opens the store its flags name (package badgerstore for a
// directory, package redisstore for a URL) and passes it in
// framework.Options.Store. An app that builds its own store passes it there
// too.
//
// Stores hold opaque bytes; the framework encodes entries itself, so a new
// store needs no knowledge of pages. Package storetest checks a store
// against this contract.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A Store persists the cache: page entries, data entries and the times at
// which tags and paths were revalidated. The default is a Badger database on
// local disk (package badgerstore); a shared store lets several instances
// serve one cache (package redisstore). A Store must be safe for concurrent
// use.
type Store interface {
	// Get returns the value stored under key, or nil and a nil error when
	// there is none or it has expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key. It expires after ttl; 0 keeps it until
	// it is overwritten or deleted. A value larger than the store holds is
	// refused with a *TooLargeError, leaving key as it was.
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

// A Reset is a local store that found its data unusable when it opened
// (damaged files), set it aside and started empty. The framework counts it
// in the metric framework_store_resets_total.
type Reset interface {
	// SetAside returns where the unusable data went, or "" when the store
	// opened its own.
	SetAside() string
}

// Discard is a Store that keeps nothing. A local store that finds no usable
// directory falls back on it (package badgerstore's OpenCache): the app then
// serves from its memory tier alone, and its health check and metrics say
// "memory-only".
var Discard Store = discard{}

type discard struct{}

func (discard) Get(context.Context, string) ([]byte, error)              { return nil, nil }
func (discard) Set(context.Context, string, []byte, time.Duration) error { return nil }
func (discard) Delete(context.Context, string) error                     { return nil }
func (discard) SetTagTime(context.Context, string, int64) error          { return nil }
func (discard) DeleteTagTimes(context.Context, []string) error           { return nil }
func (discard) TagTimes(context.Context) (map[string]int64, error)       { return nil, nil }
func (discard) Close() error                                             { return nil }

// ErrLocked is wrapped by the error a local store returns from opening a
// directory that another process has open. The directory must then be left
// alone rather than set aside from under the other process.
var ErrLocked = errors.New("another process is using the store")

// ErrTooLarge is wrapped by the error Set returns for a value larger than
// the store can hold. It is not a failure of the store: the framework keeps
// such a value in memory, logs it, and keeps using the store.
var ErrTooLarge = errors.New("value too large for the store")

// A TooLargeError is what Set returns for a value larger than the store
// holds. Its text names the key and the sizes, never the value, which may
// be private data. It wraps ErrTooLarge.
type TooLargeError struct {
	Key   string
	Size  int64 // the value's size, in bytes
	Limit int64 // the largest value the store holds, in bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("set %q: value of %d bytes over the limit %d", e.Key, e.Size, e.Limit)
}

// Unwrap returns ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }
