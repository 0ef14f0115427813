package framework

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/store"
)

// coldClockStore is a store whose clock, an hour ahead of the machine's,
// answers its first reading late, as a store does that dials (and loads a
// cluster's slot map) before it reads its clock.
type coldClockStore struct {
	store.Store
	readings atomic.Int32
}

const coldClockAhead = time.Hour

func (s *coldClockStore) Now(context.Context) (time.Time, error) {
	if s.readings.Add(1) == 1 {
		time.Sleep(100 * time.Millisecond)
	}
	return time.Now().Add(coldClockAhead), nil
}

// TestClockOffsetFromTheQuickestReading: the offset to the store's clock
// comes from its quickest reading, not from a first one slowed by dialing,
// which would put it half that delay off (50 ms here).
func TestClockOffsetFromTheQuickestReading(t *testing.T) {
	store := &coldClockStore{Store: newDevStore(1<<20, time.Now)}
	a, err := New(Options{Store: store, BuildID: "b"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n := store.readings.Load(); n < 2 {
		t.Fatalf("%d readings of the store's clock, want several", n)
	}
	// Off by 50 ms from the first reading; within a warm round trip
	// from the others (20 ms leaves room for a loaded machine).
	if off := (time.Duration(a.clock.offset.Load()) - coldClockAhead).Abs(); off > 20*time.Millisecond {
		t.Fatalf("offset off by %v", off)
	}
}
