package framework

import (
	"context"
	"maps"
	"time"
)

// clockSlack is how far in the future a time may lie (an entry's generation,
// a revalidation) before it is taken for the mark of a clock that was set
// back since: more than the error of instances' offsets to a shared store's
// clock (half a round trip, under 125 ms), less than what a clock set back
// by NTP or by hand usually moves.
const clockSlack = time.Second

// settledTimes remembers the revalidation times more than clockSlack in the
// future that were brought back to now, so that reading the store again
// (a shared store's refresh, a restart) settles nothing twice: a future
// time read again would be settled to a later now, and every page
// regenerated since the first settling would regenerate once more.
type settledTimes struct {
	// from holds, by store name ("s:tag"), the future time settled, so
	// that the same time read again from the store is skipped.
	from map[string]int64
	// now is the app's clock in Unix nanoseconds; nil (in tests of
	// tagTimes alone) settles nothing on load.
	now func() int64
	// store writes the settled times, by store name, back to the store,
	// so that the next process reads them as settled; nil writes nothing.
	store func(map[string]int64)
}

// writeBack writes settled times back to the store, if there is one.
func (s *settledTimes) writeBack(times map[string]int64) {
	if s.store != nil {
		s.store(times)
	}
}

// note records that the time at of the store name was settled. The caller
// holds the lock. The map is bounded by the names the times hold, and is
// dropped when it outgrows twice their limit.
func (t *tagTimes) noteSettled(name string, at int64) {
	if t.settled.from == nil || len(t.settled.from) > 2*t.limit {
		t.settled.from = make(map[string]int64)
	}
	t.settled.from[name] = at
}

// settleLoaded returns times as load should merge them: a time settled
// before is dropped, and one more than clockSlack after now is now. It
// returns the times settled here, by store name, to write back, or nil.
func (t *tagTimes) settleLoaded(times map[string]int64) (map[string]int64, map[string]int64) {
	if t.settled.now == nil {
		return times, nil
	}
	now := t.settled.now()
	limit := now + int64(clockSlack)
	t.mu.Lock()
	defer t.mu.Unlock()
	var out, back map[string]int64
	for name, at := range times {
		if was, ok := t.settled.from[name]; (!ok || at != was) && at <= limit {
			continue
		}
		if out == nil {
			out = maps.Clone(times)
		}
		if was, ok := t.settled.from[name]; ok && at == was {
			delete(out, name) // settled already, in memory as now then
			continue
		}
		t.noteSettled(name, at)
		out[name] = now
		if back == nil {
			back = make(map[string]int64)
		}
		back[name] = now
	}
	if out == nil {
		return times, nil
	}
	return out, back
}

// settle brings the times more than clockSlack after now back to now: they
// were recorded before the clock was set back. It writes them back to the
// store, so that a restart or a refresh does not read them in the future
// again.
func (t *tagTimes) settle(now int64) {
	t.mu.Lock()
	limit := now + int64(clockSlack)
	var back map[string]int64
	settle := func(name string, at *int64) {
		if *at <= limit {
			return
		}
		t.noteSettled(name, *at)
		if back == nil {
			back = make(map[string]int64)
		}
		*at, back[name] = now, now
	}
	for prefix, times := range map[string]map[string]int64{softTagPrefix: t.soft, hardTagPrefix: t.hard} {
		for name, at := range times {
			settle(prefix+name, &at)
			times[name] = at
		}
	}
	settle(softTagPrefix+floorTag, &t.floorSoft)
	settle(hardTagPrefix+floorTag, &t.floorHard)
	if back != nil {
		t.gen.Add(1)
	}
	t.mu.Unlock()
	if back != nil {
		t.settled.writeBack(back)
	}
}

// writeSettled writes settled times back to the store, each unless a
// revalidation since put a later one in memory (tagWrites keeps one from
// landing in between).
func (a *App) writeSettled(times map[string]int64) {
	a.tagWrites.Lock()
	defer a.tagWrites.Unlock()
	for name, at := range times {
		if a.tags.current(name) == at {
			a.store.SetTagTime(context.Background(), name, at) // a failure is the store guard's to log
		}
	}
}

// current returns the time in memory of a store name ("s:tag", "h:tag", or
// a floor's).
func (t *tagTimes) current(name string) int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	switch name {
	case softTagPrefix + floorTag:
		return t.floorSoft
	case hardTagPrefix + floorTag:
		return t.floorHard
	}
	if len(name) > len(softTagPrefix) && name[:len(softTagPrefix)] == softTagPrefix {
		return t.soft[name[len(softTagPrefix):]]
	}
	if len(name) > len(hardTagPrefix) && name[:len(hardTagPrefix)] == hardTagPrefix {
		return t.hard[name[len(hardTagPrefix):]]
	}
	return 0
}
