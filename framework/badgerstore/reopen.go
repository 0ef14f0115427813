package badgerstore

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/isr-go/framework/framework/store"
)

// dirCheckInterval is how often a Cache checks that its directory is
// still the one it opened.
const dirCheckInterval = time.Second

var (
	_ store.Store          = (*Cache)(nil)
	_ store.KeyBytesGetter = (*Cache)(nil)
	_ store.Reset          = (*Cache)(nil)
)

// Cache is the store OpenCache returns: a Store that starts again, empty,
// in its directory when the directory is removed (or replaced) while the
// server runs, an operator's or a cleanup job's rm -rf. Left alone, Badger
// fails every write once it needs a new file there (its next value log),
// and revalidations answer 503 until a restart; a Cache notices within
// dirCheckInterval and opens a new database, so that the cache and
// revalidations work again within seconds.
//
// The database it replaces is left as it is: Badger would retry forever to
// write its memtables into the missing directory when closed, and a new
// directory in the same place is the new database's. Its memory (a few
// memtables, the mapped files, deleted but still open) is freed when the
// process exits.
type Cache struct {
	cur atomic.Pointer[Store]
	dir string
	log *slog.Logger
	// setAside is where OpenCache moved the unusable directory the first
	// database replaced, or "".
	setAside string

	mu       sync.Mutex // one reopen at a time, none once closed
	closed   bool
	saidFail bool // the failure to reopen was logged
	stop     chan struct{}
	done     sync.WaitGroup
}

// newCache returns a Cache over s, watching its directory.
func newCache(s *Store, log *slog.Logger) *Cache {
	c := &Cache{dir: s.dir, log: log, stop: make(chan struct{})}
	c.cur.Store(s)
	c.done.Add(1)
	go c.watch()
	return c
}

func (c *Cache) watch() {
	defer c.done.Done()
	t := time.NewTicker(dirCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.reopenIfRemoved()
	}
}

// reopenIfRemoved opens a new, empty database in the directory when the
// current one's directory was removed or replaced.
func (c *Cache) reopenIfRemoved() {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.cur.Load()
	if c.closed || !old.removed() {
		return
	}
	s, err := Open(c.dir)
	if err != nil {
		if !c.saidFail {
			c.saidFail = true
			c.log.Error("framework: cache dir removed while serving, and no new one can be opened there; retrying every second", "dir", c.dir, "err", err)
		}
		return
	}
	c.saidFail = false
	c.cur.Store(s)
	old.abandon()
	c.log.Error("framework: cache dir removed while serving; started an empty cache there", "dir", c.dir)
}

// removed reports whether s's directory is gone or another one.
func (s *Store) removed() bool {
	info, err := os.Stat(s.dir)
	return err != nil || !os.SameFile(info, s.dirInfo)
}

// abandon stops s's own goroutines and leaves its database as it is (see
// Cache).
func (s *Store) abandon() {
	close(s.stop)
	s.done.Wait()
}

// Get reads key from the current database.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	return c.cur.Load().Get(ctx, key)
}

// GetKeyBytes is Get with the key as bytes.
func (c *Cache) GetKeyBytes(ctx context.Context, key []byte) ([]byte, error) {
	return c.cur.Load().GetKeyBytes(ctx, key)
}

// Set stores value under key in the current database.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return c.cur.Load().Set(ctx, key, value, ttl)
}

// Delete removes key from the current database.
func (c *Cache) Delete(ctx context.Context, key string) error {
	return c.cur.Load().Delete(ctx, key)
}

// SetTagTime records a tag time in the current database.
func (c *Cache) SetTagTime(ctx context.Context, tag string, unixNano int64) error {
	return c.cur.Load().SetTagTime(ctx, tag, unixNano)
}

// DeleteTagTimes removes tag times from the current database.
func (c *Cache) DeleteTagTimes(ctx context.Context, tags []string) error {
	return c.cur.Load().DeleteTagTimes(ctx, tags)
}

// TagTimes returns the tag times of the current database.
func (c *Cache) TagTimes(ctx context.Context) (map[string]int64, error) {
	return c.cur.Load().TagTimes(ctx)
}

// SetAside returns where OpenCache moved the unusable directory it
// replaced, or "".
func (c *Cache) SetAside() string { return c.setAside }

// Close stops watching the directory and closes the current database.
func (c *Cache) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	close(c.stop)
	c.done.Wait()
	return c.cur.Load().Close()
}
