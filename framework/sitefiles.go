package framework

import (
	"container/list"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// siteFiles caches the sitemaps and robots.txt of an app without a site
// URL, which differ by the request's scheme and host, in memory, by
// origin and path. Any Host header can make one, so it is bounded like the
// side tier (Options.NotFoundLimit entries, a quarter of MemoryCacheBytes),
// split in two halves. An origin's first entry goes in probation, least
// recently used first out; asked for again, it moves to the protected
// half, which makes room only by dropping an entry unused for
// siteFileIdle. Requests with a new Host each (a scan, an attack), even
// each sent twice, churn probation, and fill the protected half only as
// its entries fall idle: the hosts the site is really served under, asked
// for now and then, keep theirs.
type siteFiles struct {
	probation *sideTier
	mu        sync.Mutex
	protected protectedTier
}

// siteFileIdle is how long a protected entry must go unused before a new
// one may take its place.
const siteFileIdle = time.Hour

func newSiteFiles(limit int, limitBytes int64) *siteFiles {
	half, halfBytes := max(limit/2, 1), limitBytes/2
	return &siteFiles{probation: newSideTier(half, halfBytes),
		protected: protectedTier{limit: half, limitBytes: halfBytes, order: list.New(), items: make(map[string]*list.Element)}}
}

// protectedTier is the protected half of siteFiles, least recently used
// at the back.
type protectedTier struct {
	limit      int
	limitBytes int64
	bytes      int64
	order      *list.List // of *protectedItem
	items      map[string]*list.Element
}

type protectedItem struct {
	key  string
	e    *entry
	cost int64
	used int64 // Unix nanoseconds
}

// get returns the entry of key (origin and path) at now, or nil; an entry
// in probation asked for again is protected, if there is room.
func (s *siteFiles) get(key string, now int64) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.protected.items[key]; ok {
		it := el.Value.(*protectedItem)
		it.used = now
		s.protected.order.MoveToFront(el)
		return it.e
	}
	e := s.probation.get(key)
	if e != nil && s.protected.add(key, e, now) {
		s.probation.remove(key)
	}
	return e
}

// put keeps e for key: in the protected half when key's entry was there
// already (a regeneration), in probation otherwise.
func (s *siteFiles) put(key string, e *entry, now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.protected.items[key]; ok {
		s.protected.drop(key)
		if s.protected.add(key, e, now) {
			return
		}
	}
	s.probation.put(key, e)
}

// add protects e under key if there is room, or room can be made by
// dropping entries unused for siteFileIdle; the caller holds the lock.
func (p *protectedTier) add(key string, e *entry, now int64) bool {
	cost := sideCost(key, e)
	if cost > p.limitBytes {
		return false
	}
	for len(p.items) >= p.limit || p.bytes+cost > p.limitBytes {
		back := p.order.Back().Value.(*protectedItem)
		if now-back.used < int64(siteFileIdle) {
			return false
		}
		p.drop(back.key)
	}
	p.items[key] = p.order.PushFront(&protectedItem{key: key, e: e, cost: cost, used: now})
	p.bytes += cost
	return true
}

// drop removes key's entry; the caller holds the lock.
func (p *protectedTier) drop(key string) {
	el := p.items[key]
	p.order.Remove(el)
	delete(p.items, key)
	p.bytes -= el.Value.(*protectedItem).cost
}

// size returns the entries held and their cost, both halves together.
func (s *siteFiles) size() (entries int, bytes int64) {
	n, b := s.probation.size()
	s.mu.Lock()
	defer s.mu.Unlock()
	return n + len(s.protected.items), b + s.protected.bytes
}

// serveSiteFile serves a sitemap or robots.txt of an app without a site
// URL: from siteFiles while fresh, else rendered with the request's origin
// one render at a time (siteRenders), and kept when it is a 200. A request
// whose context ends while in line gets a 503.
//
// It is sent with the Cache-Control of a response rendered per request: a
// shared cache that keys by path alone must not serve one Host's URLs to
// another.
func (p *page) serveSiteFile(c echo.Context, key string) error {
	a := p.app
	req := c.Request()
	base, err := a.siteBase(&Request{HTTP: req})
	origin := base + key
	if err == nil {
		if e := a.freshSiteFile(origin); e != nil {
			return p.respond(c, key, e, cacheHit, nil)
		}
	}
	if !a.sites.acquire(req.Context()) {
		return echo.NewHTTPError(http.StatusServiceUnavailable)
	}
	defer a.sites.release()
	if err == nil {
		// Rendered by the request this one waited on.
		if e := a.freshSiteFile(origin); e != nil {
			return p.respond(c, key, e, cacheHit, nil)
		}
	}
	e, rerr := p.render(req.Context(), key, p.params(c), req, p.route.Render)
	if rerr != nil {
		return p.fail(c, key, "", rerr, true)
	}
	if err != nil || e.status != http.StatusOK {
		return p.respond(c, key, e, "", nil)
	}
	e.header.vals[slotCacheControl] = dynamicCacheControl
	a.siteFiles.put(origin, e, a.cache.hitNow())
	return p.respond(c, key, e, cacheMiss, nil)
}

// freshSiteFile returns the entry siteFiles holds for origin (and path)
// while it is fresh, or nil.
func (a *App) freshSiteFile(origin string) *entry {
	now := a.cache.hitNow()
	e := a.siteFiles.get(origin, now)
	if e == nil || a.tags.freshness(e, now) != fresh {
		return nil
	}
	return e
}
