package framework

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/store"
)

// coldClockStore is a store whose clock, an hour ahead of the app's,
// answers its first reading late, as a store does that dials (and loads a
// cluster's slot map) before it reads its clock: the app's clock moves on
// by coldClockDelay during that reading, and not during the others.
type coldClockStore struct {
	store.Store
	clock    *clock // the app's
	readings atomic.Int32
}

const (
	coldClockAhead = time.Hour
	coldClockDelay = 100 * time.Millisecond
)

func (s *coldClockStore) Now(context.Context) (time.Time, error) {
	if s.readings.Add(1) == 1 {
		s.clock.Advance(coldClockDelay)
	}
	return s.clock.Now().Add(coldClockAhead), nil
}

// TestClockOffsetFromTheQuickestReading: the offset to the store's clock
// comes from its quickest reading, not from a first one slowed by dialing,
// which would put it half that delay off.
func TestClockOffsetFromTheQuickestReading(t *testing.T) {
	clk := newClock()
	store := &coldClockStore{Store: newDevStore(1<<20, clk.Now), clock: clk}
	a, err := New(Options{Store: store, BuildID: "b", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n := store.readings.Load(); n < 2 {
		t.Fatalf("%d readings of the store's clock, want several", n)
	}
	// The first reading would put it half its delay off.
	if off := time.Duration(a.clock.offset.Load()); off != coldClockAhead {
		t.Fatalf("offset %v, want %v", off, coldClockAhead)
	}
}
