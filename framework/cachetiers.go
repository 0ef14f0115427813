package framework

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// pageKey and lockKey are store keys; the build ID in them keeps builds
// apart.
func (c *cache) pageKey(path string) string { return "p/" + c.buildID + path }
func (c *cache) lockKey(path string) string { return c.buildID + path }

// pageKeys recycles the buffers storedPage builds page keys in (pageKey's
// bytes), so that a read of the store does not allocate its key.
var pageKeys = sync.Pool{New: func() any { return new([]byte) }}

// lookupPage returns the cached entry for path from the fastest tier that
// has it, or nil.
func (c *cache) lookupPage(ctx context.Context, path string) *entry {
	if e := c.hot.get(path); e != nil {
		return e
	}
	if e := c.side.get(path); e != nil {
		return e
	}
	return c.storedPage(ctx, path)
}

// storedPage returns the store's entry for path, or nil, and keeps it in
// the memory tier.
func (c *cache) storedPage(ctx context.Context, path string) *entry {
	kb := pageKeys.Get().(*[]byte)
	*kb = append(append(append((*kb)[:0], "p/"...), c.buildID...), path...)
	b, err := c.store.getKeyBytes(ctx, *kb)
	pageKeys.Put(kb)
	if err != nil || b == nil {
		return nil
	}
	e, err := decodeEntry(b)
	if err != nil {
		c.log.Warn("framework: dropping unreadable cache entry", "path", path, "err", err)
		return nil
	}
	// encode stored what preparePage would derive; only the Cache-Tag
	// header depends on the options.
	if !c.cacheTagHeader {
		e.header.vals[slotCacheTag] = ""
	}
	e.setCSP(c.csp)
	// Check its tags now, while no other goroutine sees it, into the
	// entry itself rather than a new tagCheck.
	c.tags.fill(&e.firstCheck, e)
	e.checked.Store(&e.firstCheck)
	held := c.hot.share(path, e)
	if held == nil {
		// Too large for the memory tier: served once and dropped.
		e.transient = true
		return e
	}
	return held
}

// savePage caches a rendered page: 200s in the memory tier and the store,
// 404s and redirects in the side tier, replacing the page the path had.
func (c *cache) savePage(ctx context.Context, path string, e *entry) error {
	if e.status != http.StatusOK {
		c.side.put(path, e)
		c.hot.del(path)
		c.deleteStoredPage(ctx, path)
		return nil
	}
	c.side.remove(path)
	c.hot.set(path, e)
	return c.store.Set(ctx, c.pageKey(path), e.encode(), entryTTL(e))
}

// deleteStoredPage deletes the stored page of path, if there is one: a
// delete is a write (a tombstone in Badger), which a 404 for a URL that never
// had a page must not cost.
func (c *cache) deleteStoredPage(ctx context.Context, path string) {
	key := c.pageKey(path)
	b, err := c.store.Get(ctx, key)
	if err == nil && b == nil {
		return
	}
	c.store.Delete(ctx, key)
}

// entryTTL is how long the store keeps e: until it may no longer be served
// stale (or, for a page cached until revalidated, its expire time).
//
// It is never more than maxEntryLifetime, past which no entry is served, nor
// 0, which would keep it forever.
func entryTTL(e *entry) time.Duration {
	var ttl time.Duration
	switch {
	case e.revalidate == Never:
		ttl = e.expire
	case e.revalidate >= maxEntryLifetime || e.expire >= maxEntryLifetime:
		ttl = maxEntryLifetime // and no overflow
	default:
		ttl = e.revalidate + e.expire
	}
	if ttl <= 0 || ttl > maxEntryLifetime {
		return maxEntryLifetime
	}
	return ttl
}
