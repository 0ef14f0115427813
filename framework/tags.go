package framework

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tagTimes holds, in memory, when each tag was last revalidated (soft) and
// expired (hard). A cache hit compares an entry's generation time with these;
// they are written through to the store, which is the record across restarts
// and instances.
type tagTimes struct {
	mu   sync.RWMutex
	soft map[string]int64
	hard map[string]int64
	// gen counts changes, so that an entry checked since the last change
	// skips the lookups.
	gen atomic.Uint64
}

// tagCheck is the latest soft and hard revalidation time among an entry's
// tags, as of tag generation gen.
type tagCheck struct {
	gen        uint64
	soft, hard int64
}

// Store names of a tag's two times.
const (
	softTagPrefix = "s:"
	hardTagPrefix = "h:"
)

func newTagTimes() *tagTimes {
	return &tagTimes{soft: make(map[string]int64), hard: make(map[string]int64)}
}

// load merges times as returned by Store.TagTimes: the later time wins.
func (t *tagTimes) load(times map[string]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := false
	for name, at := range times {
		var m map[string]int64
		switch {
		case strings.HasPrefix(name, softTagPrefix):
			m, name = t.soft, name[len(softTagPrefix):]
		case strings.HasPrefix(name, hardTagPrefix):
			m, name = t.hard, name[len(hardTagPrefix):]
		default:
			continue
		}
		if at > m[name] {
			m[name] = at
			changed = true
		}
	}
	if changed {
		t.gen.Add(1)
	}
}

// mark records a revalidation of tag at at; hard also expires it.
func (t *tagTimes) mark(tag string, at int64, hard bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.soft[tag] = max(t.soft[tag], at)
	if hard {
		t.hard[tag] = max(t.hard[tag], at)
	}
	t.gen.Add(1)
}

// check returns the latest revalidation times among e's tags.
func (t *tagTimes) check(e *entry) *tagCheck {
	gen := t.gen.Load()
	if c := e.checked.Load(); c != nil && c.gen == gen {
		return c
	}
	c := &tagCheck{gen: gen}
	t.mu.RLock()
	for _, tag := range e.checkTags {
		c.soft = max(c.soft, t.soft[tag])
		c.hard = max(c.hard, t.hard[tag])
	}
	t.mu.RUnlock()
	e.checked.Store(c)
	return c
}

// freshness is how an entry may be served now.
type freshness int

const (
	fresh   freshness = iota // serve it: HIT
	stale                    // serve it and regenerate in the background: STALE
	expired                  // do not serve it; render in the request
)

// freshness tells how e may be served at now (Unix nanoseconds). An entry
// generated at the very instant of a revalidation counts as after it.
func (t *tagTimes) freshness(e *entry, now int64) freshness {
	c := t.check(e)
	if c.hard > e.generatedAt {
		return expired
	}
	if e.revalidate != Never {
		age := time.Duration(now - e.generatedAt)
		if age >= e.revalidate {
			if age-e.revalidate >= e.expire {
				return expired
			}
			return stale
		}
	}
	if c.soft > e.generatedAt {
		return stale
	}
	return fresh
}
