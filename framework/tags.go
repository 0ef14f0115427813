package framework

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxEntryLifetime is the age past which no entry, page or data, is served,
// whatever its window: a page cached until revalidated (Never) is rendered
// again after it too. It is what makes revalidation times disposable: a time
// older than now - maxEntryLifetime is before the generation of every entry
// that may still be served, so it can no longer change how any is served,
// and is forgotten (tagTimes.prune). Without it a page cached forever would
// need every revalidation time forever.
const maxEntryLifetime = 400 * 24 * time.Hour

// tagTimeMargin delays forgetting a revalidation time past maxEntryLifetime,
// so that instances whose clocks differ by less never disagree about one.
const tagTimeMargin = time.Hour

// tagPruneInterval is how often the app forgets revalidation times older
// than maxEntryLifetime.
const tagPruneInterval = time.Hour

// floorTag is the reserved name under which the store keeps the floor (see
// tagTimes). A user tag cannot take it: checkTag refuses control characters,
// and the implicit tags of paths start with "_path:" or "_layout:".
const floorTag = "\x00all"

// tagTimes holds, in memory, when each tag was last revalidated (soft) and
// expired (hard). A cache hit compares an entry's generation time with these;
// they are written through to the store, which is the record across restarts
// and instances.
//
// The names are bounded: past limit, the oldest tenth are forgotten and
// their latest times raise the floor, which counts as a revalidation of
// every tag at once. That is conservative: an entry generated before a
// forgotten time becomes stale (or expired), never wrongly fresh, and is
// regenerated once.
type tagTimes struct {
	mu   sync.RWMutex
	soft map[string]int64
	// hard holds the names also expired; each is in soft too, with a time
	// at least as late, so that len(soft) counts the names.
	hard map[string]int64
	// floorSoft and floorHard are the latest soft and hard times among the
	// forgotten names.
	floorSoft, floorHard int64
	limit                int
	// gen counts changes, so that an entry checked since the last change
	// skips the lookups.
	gen     atomic.Uint64
	settled settledTimes // the future times brought back to now
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

// newTagTimes returns an empty set that keeps at most limit names.
func newTagTimes(limit int) *tagTimes {
	return &tagTimes{soft: make(map[string]int64), hard: make(map[string]int64), limit: max(limit, 1)}
}

// load merges times as returned by Store.TagTimes: the later time wins, and
// a time at or below the floor, which adds nothing, is skipped. It returns
// the names forgotten to stay within the limit, for the caller to delete
// from the store (App.forgetTagTimes), and whether times carry a floor lower
// than this one: another instance recorded its own over it, which the
// caller must put right (App.recordFloor).
func (t *tagTimes) load(times map[string]int64) (forgotten []string, floorBehind bool) {
	times, back := t.settleLoaded(times)
	if back != nil {
		defer t.settled.writeBack(back) // after the unlock
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := false
	// The floor first, so that the times below it are skipped.
	if at, ok := times[softTagPrefix+floorTag]; ok {
		floorBehind = at < t.floorSoft
		if at > t.floorSoft {
			t.floorSoft, changed = at, true
		}
	}
	if at, ok := times[hardTagPrefix+floorTag]; ok {
		floorBehind = floorBehind || at < t.floorHard
		if at > t.floorHard {
			t.floorHard, changed = at, true
		}
	}
	for name, at := range times {
		hard := false
		switch {
		case strings.HasPrefix(name, softTagPrefix):
			name = name[len(softTagPrefix):]
		case strings.HasPrefix(name, hardTagPrefix):
			name, hard = name[len(hardTagPrefix):], true
		default:
			continue
		}
		switch {
		case name == floorTag:
		case hard && at > t.floorHard && at > t.hard[name]:
			t.hard[name] = at
			t.soft[name] = max(t.soft[name], at)
			changed = true
		case !hard && at > t.floorSoft && at > t.soft[name]:
			t.soft[name] = at
			changed = true
		}
	}
	if len(t.soft) > t.limit {
		forgotten = t.forgetOldest()
		changed = true
	}
	if changed {
		t.gen.Add(1)
	}
	return forgotten, floorBehind
}

// mark records a revalidation of tag at at; hard also expires it. It returns
// the names forgotten to stay within the limit, as load does.
func (t *tagTimes) mark(tag string, at int64, hard bool) (forgotten []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.soft[tag] = max(t.soft[tag], at)
	if hard {
		t.hard[tag] = max(t.hard[tag], at)
	}
	if len(t.soft) > t.limit {
		forgotten = t.forgetOldest()
	}
	t.gen.Add(1)
	return forgotten
}

// forgetOldest forgets the oldest names, a tenth of the limit (so that it
// runs once per many marks, not on each), and raises the floor to their
// latest times. Names left at or below the new floor add nothing and go
// too. The caller holds the lock.
func (t *tagTimes) forgetOldest() []string {
	type named struct {
		name string
		at   int64
	}
	all := make([]named, 0, len(t.soft))
	for name, at := range t.soft {
		all = append(all, named{name, at})
	}
	slices.SortFunc(all, func(a, b named) int { return cmp.Compare(a.at, b.at) })
	n := min(len(all), max(len(all)-t.limit, t.limit/10, 1))
	for _, x := range all[:n] {
		t.floorSoft = max(t.floorSoft, x.at)
		t.floorHard = max(t.floorHard, t.hard[x.name])
	}
	for n < len(all) && all[n].at <= t.floorSoft && t.hard[all[n].name] <= t.floorHard {
		n++
	}
	forgotten := make([]string, n)
	for i, x := range all[:n] {
		delete(t.soft, x.name)
		delete(t.hard, x.name)
		forgotten[i] = x.name
	}
	return forgotten
}

// prune forgets the times before before, the floor's included: they are
// older than every entry that may still be served. It reports how many
// names it forgot.
func (t *tagTimes) prune(before int64) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for name, at := range t.hard {
		if at < before {
			delete(t.hard, name)
		}
	}
	for name, at := range t.soft {
		if at < before {
			delete(t.soft, name)
			n++
		}
	}
	changed := n > 0
	if t.floorSoft != 0 && t.floorSoft < before {
		t.floorSoft, changed = 0, true
	}
	if t.floorHard != 0 && t.floorHard < before {
		t.floorHard, changed = 0, true
	}
	if changed {
		t.gen.Add(1)
	}
	return n
}

// floor returns the latest soft and hard times of the forgotten names.
func (t *tagTimes) floor() (soft, hard int64) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.floorSoft, t.floorHard
}

// len returns the number of names held.
func (t *tagTimes) len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.soft)
}

// absent returns the names of names not held.
func (t *tagTimes) absent(names []string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []string
	for _, name := range names {
		if _, ok := t.soft[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

// check returns the latest revalidation times among e's tags, the floor
// included. It is cached in e until the next change of the times, so that
// a hit costs the same however many names there are.
func (t *tagTimes) check(e *entry) *tagCheck {
	gen := t.gen.Load()
	if c := e.checked.Load(); c != nil && c.gen == gen {
		return c
	}
	c := new(tagCheck)
	t.fill(c, e)
	e.checked.Store(c)
	return c
}

// fill sets c to the latest revalidation times among e's tags, the floor
// included, as of now.
func (t *tagTimes) fill(c *tagCheck, e *entry) {
	// The generation is read before the times: a change between the two
	// makes c look older than it is, never newer.
	*c = tagCheck{gen: t.gen.Load()}
	t.mu.RLock()
	// The floor stands for forgotten names, any of which may have been
	// this entry's; an entry with no tags (data read without any) could
	// not have been revalidated by any.
	if len(e.checkTags) > 0 {
		c.soft, c.hard = t.floorSoft, t.floorHard
	}
	for _, tag := range e.checkTags {
		c.soft = max(c.soft, t.soft[tag])
		c.hard = max(c.hard, t.hard[tag])
	}
	t.mu.RUnlock()
}

// freshness is how an entry may be served now.
type freshness int

const (
	fresh   freshness = iota // serve it: HIT
	stale                    // serve it and regenerate in the background: STALE
	expired                  // do not serve it; render in the request
)

// freshness tells how e may be served at now (Unix nanoseconds). An entry
// generated at the very instant of a revalidation counts as after it. An
// entry maxEntryLifetime old is expired whatever its window.
func (t *tagTimes) freshness(e *entry, now int64) freshness {
	age := time.Duration(now - e.generatedAt)
	if age >= maxEntryLifetime {
		return expired
	}
	c := t.check(e)
	if max(c.soft, c.hard) > now+int64(clockSlack) {
		// Revalidated in the future: this clock has been set back since.
		// Left there, the revalidation would come after every
		// regeneration until the clock caught up, and the page would
		// regenerate on every request; taken as made now, the page
		// regenerates once.
		t.settle(now)
		c = t.check(e)
	}
	if c.hard > e.generatedAt {
		return expired
	}
	if age < -clockSlack {
		// Generated in the future, as above: its age would not reach its
		// window before the clock caught up (years, after a clock set years
		// ahead by mistake). Regenerated once, it is dated now.
		return stale
	}
	if e.revalidate != Never && age >= e.revalidate {
		if age-e.revalidate >= e.expire {
			return expired
		}
		return stale
	}
	if c.soft > e.generatedAt {
		return stale
	}
	return fresh
}

// loadTags merges times read from the store (at start, on a refresh, or
// published by another instance), and deletes from the store the names it
// forgot to stay within the limit.
func (a *App) loadTags(times map[string]int64) {
	ctx := context.Background()
	forgotten, floorBehind := a.tags.load(times)
	switch {
	case forgotten != nil:
		a.forgetTagTimes(ctx, forgotten)
	case floorBehind:
		// Two instances recorded their floors at once and the lower one
		// landed last: put the higher one back, or an instance starting
		// now would miss the names this one deleted.
		a.tagWrites.Lock()
		defer a.tagWrites.Unlock()
		a.recordFloor(ctx) // a failure is the store guard's to log
	}
}

// recordFloor writes the floor to the store. The caller holds tagWrites, so
// that floors are written in the order they rise.
func (a *App) recordFloor(ctx context.Context) error {
	soft, hard := a.tags.floor()
	if soft == 0 {
		return nil // pruned: too old to matter
	}
	err := a.store.SetTagTime(ctx, softTagPrefix+floorTag, soft)
	if err == nil && hard > 0 {
		err = a.store.SetTagTime(ctx, hardTagPrefix+floorTag, hard)
	}
	return err
}

// forgetTagTimes records the floor in the store, then deletes the forgotten
// names from it, in that order so that a crash in between leaves names the
// next start forgets again rather than a floor too low. A name revalidated
// again since it was forgotten is kept: tagWrites makes sure its new time is
// either in memory by now or written after the deletion.
func (a *App) forgetTagTimes(ctx context.Context, names []string) {
	a.tagWrites.Lock()
	defer a.tagWrites.Unlock()
	soft, _ := a.tags.floor()
	a.log.Warn("framework: more revalidated tags and paths than Options.TagTimeLimit; forgot the oldest, so pages generated before their latest revalidation regenerate once",
		"forgotten", len(names), "limit", a.tags.limit, "before", time.Unix(0, soft).UTC())
	if err := a.recordFloor(ctx); err != nil {
		return
	}
	names = a.tags.absent(names)
	if len(names) == 0 {
		return
	}
	keys := make([]string, 0, 2*len(names))
	for _, name := range names {
		keys = append(keys, softTagPrefix+name, hardTagPrefix+name)
	}
	a.store.DeleteTagTimes(ctx, keys)
}

// pruneTagTimes forgets, in memory and in the store, the revalidation times
// too old to matter (see maxEntryLifetime). The store's are read afresh, so
// that a deletion that failed once is done the next time.
func (a *App) pruneTagTimes(ctx context.Context) {
	before := a.now().Add(-maxEntryLifetime - tagTimeMargin).UnixNano()
	a.tags.prune(before)
	if !a.store.up() {
		return // the next prune will do it; a start must not wait on a dead store twice
	}
	a.tagWrites.Lock()
	defer a.tagWrites.Unlock()
	times, err := a.store.TagTimes(ctx)
	if err != nil {
		return
	}
	var old []string
	for name, at := range times {
		if at < before {
			old = append(old, name)
		}
	}
	if len(old) == 0 {
		return
	}
	if err := a.store.DeleteTagTimes(ctx, old); err != nil {
		return
	}
	a.log.Info("framework: forgot revalidation times older than the longest an entry is served", "count", len(old), "max_age", maxEntryLifetime)
}

// startPruning prunes the tag times now, then every tagPruneInterval until
// Close.
func (a *App) startPruning() {
	a.pruneTagTimes(context.Background())
	a.every(tagPruneInterval, a.pruneTagTimes)
}
