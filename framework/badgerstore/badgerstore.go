// Package badgerstore is the default persistent store of the ISR cache: an
// embedded Badger database on local disk, sized for a small machine.
//
// It satisfies framework.Store; it does not import package framework, so that
// framework can open it by default.
package badgerstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// tagPrefix starts the keys that hold tag revalidation times, kept apart
// from cache keys so that TagTimes reads only them.
const tagPrefix = "\x00tag/"

// gcInterval is how often the value log is garbage-collected. Cache entries
// are rewritten on every regeneration, so without GC the value log only grows.
const gcInterval = 5 * time.Minute

// Store is a framework.Store backed by Badger.
type Store struct {
	db   *badger.DB
	stop chan struct{}
	done sync.WaitGroup
}

// Open opens (creating if needed) the Badger database in dir. Its memory is
// bounded to a few tens of MiB whatever the size of the cache on disk; the
// hot tier in front of it keeps the pages that are read often.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("badgerstore: %w", err)
	}
	opts := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{}).
		WithNumVersionsToKeep(1).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).
		WithBaseTableSize(2 << 20).
		WithValueLogFileSize(16 << 20).
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithNumCompactors(2).
		WithValueThreshold(1 << 10)
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("badgerstore: open %s: %w", dir, err)
	}
	s := &Store{db: db, stop: make(chan struct{})}
	s.done.Add(1)
	go s.collectGarbage()
	return s, nil
}

// collectGarbage runs value-log GC until Close.
func (s *Store) collectGarbage() {
	defer s.done.Done()
	t := time.NewTicker(gcInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			// One call rewrites at most one file; repeat while it finds work.
			for s.db.RunValueLogGC(0.5) == nil {
			}
		}
	}
}

// Get returns the value stored under key, or nil, nil when there is none or
// it has expired.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	var value []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(key))
		if err != nil {
			return err
		}
		value, err = item.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("badgerstore: get %q: %w", key, err)
	}
	return value, nil
}

// Set stores value under key; it expires after ttl, or never when ttl is 0.
func (s *Store) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	e := badger.NewEntry([]byte(key), value)
	if ttl > 0 {
		e = e.WithTTL(ttl)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.SetEntry(e) }); err != nil {
		return fmt.Errorf("badgerstore: set %q: %w", key, err)
	}
	return nil
}

// Delete removes key; deleting an absent key is not an error.
func (s *Store) Delete(_ context.Context, key string) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(key)) }); err != nil {
		return fmt.Errorf("badgerstore: delete %q: %w", key, err)
	}
	return nil
}

// SetTagTime records that tag was revalidated at unixNano.
func (s *Store) SetTagTime(_ context.Context, tag string, unixNano int64) error {
	value := binary.BigEndian.AppendUint64(nil, uint64(unixNano))
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte(tagPrefix+tag), value)
	}); err != nil {
		return fmt.Errorf("badgerstore: set tag time %q: %w", tag, err)
	}
	return nil
}

// DeleteTagTimes removes the times of tags. It writes through a batch, which
// splits itself into transactions Badger accepts however many tags there are.
func (s *Store) DeleteTagTimes(_ context.Context, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	wb := s.db.NewWriteBatch()
	for _, tag := range tags {
		if err := wb.Delete([]byte(tagPrefix + tag)); err != nil {
			wb.Cancel()
			return fmt.Errorf("badgerstore: delete tag times: %w", err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("badgerstore: delete tag times: %w", err)
	}
	return nil
}

// TagTimes returns every recorded tag revalidation time, by tag.
func (s *Store) TagTimes(_ context.Context) (map[string]int64, error) {
	times := make(map[string]int64)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(tagPrefix), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			err := item.Value(func(v []byte) error {
				if len(v) != 8 {
					return fmt.Errorf("tag time %q has %d bytes, want 8", item.Key(), len(v))
				}
				times[string(item.Key()[len(tagPrefix):])] = int64(binary.BigEndian.Uint64(v))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("badgerstore: tag times: %w", err)
	}
	return times, nil
}

// Close stops GC and closes the database, flushing it to disk.
func (s *Store) Close() error {
	close(s.stop)
	s.done.Wait()
	return s.db.Close()
}

// badgerLogger sends Badger's warnings and errors to slog and drops its
// chatty info and debug lines.
type badgerLogger struct{}

func (badgerLogger) Errorf(f string, a ...any) {
	slog.Error("badger: " + strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (badgerLogger) Warningf(f string, a ...any) {
	slog.Warn("badger: " + strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
