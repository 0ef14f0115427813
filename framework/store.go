package framework

import (
	"context"
	"time"
)

// A Store persists the cache: page entries, data entries and the times at
// which tags and paths were revalidated. The default is a Badger database on
// local disk (package badgerstore); a shared store lets several instances
// serve one cache. A Store must be safe for concurrent use.
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
