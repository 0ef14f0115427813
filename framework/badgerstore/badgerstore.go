// Package badgerstore is the default persistent store of the ISR cache: an
// embedded Badger database on local disk, sized for a small machine.
//
// The app server (package server) opens it in --cache-dir with OpenCache,
// which keeps the site up whatever state the directory is in, and passes it
// to the app:
//
//	s, err := badgerstore.OpenCache(".framework/cache/b1", slog.Default())
//	if err != nil { ... }
//	defer s.Close()
//	app, err := framework.New(framework.Options{BuildID: "b1", Store: s})
package badgerstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/isr-go/framework/framework/internal/ratelog"
	"github.com/isr-go/framework/framework/store"
)

// tagPrefix starts the keys that hold tag revalidation times, kept apart
// from cache keys so that TagTimes reads only them.
const tagPrefix = "\x00tag/"

// gcInterval is how often the value log is garbage-collected. Cache entries
// are rewritten on every regeneration, so without GC the value log only grows.
const gcInterval = 5 * time.Minute

// ErrLocked is returned by Open for a directory another process has open.
// It wraps store.ErrLocked.
var ErrLocked = fmt.Errorf("badgerstore: %w", store.ErrLocked)

var _ store.Store = (*Store)(nil)

// Store is a store.Store backed by Badger.
type Store struct {
	db     *badger.DB
	dir    string
	absDir string // dir, absolute, as /proc/self/maps names its files
	// dirInfo is dir as opened, to tell at Close whether it is still there.
	dirInfo os.FileInfo
	stop    chan struct{}
	done    sync.WaitGroup
	// version is the last commit timestamp handed out. The database is
	// opened in Badger's managed mode, where the store, not Badger's
	// oracle, numbers the versions: in the default mode every read
	// registers with the oracle's watermark goroutine and deregisters,
	// two channel sends (about a sixth of a read of one page). A cache
	// needs no snapshot isolation: a read sees the latest version
	// committed, and of two writes of one key at once, the one that took
	// the later version wins.
	version atomic.Uint64
	// discardTs is the highest version committed, which Badger may
	// compact below.
	discardMu sync.Mutex
	discardTs uint64
	// ops counts reads and writes; check asks releasePages to look at the
	// resident size of the mapped files.
	ops   atomic.Uint64
	check chan struct{}
	// opened starts the store's monotonic clock; checkedAt is when, on
	// it, hasSpace last found enough free space, and unchecked how many
	// bytes were written since.
	opened    time.Time
	checkedAt atomic.Int64
	unchecked atomic.Int64
	// readOnly is the error of every write to a store opened read-only,
	// on a full disk; nil otherwise.
	readOnly error
	// vlogMaps is held for reading by whatever may unmap or move a value
	// log's memory map (writes, which may rotate the log; value-log GC,
	// which deletes files) and for writing while releaseMappedPages
	// madvises the ranges it read from /proc/self/maps: a range released
	// after Badger unmapped it could by then hold other memory, which
	// MADV_DONTNEED would zero.
	vlogMaps sync.RWMutex
	// setAside is where OpenCache moved the unusable directory this
	// store replaced, or "".
	setAside string
}

// Sizes of the files Badger writes. They also set how much free space a
// write needs (minFreeBytes).
//
// valueLogFileSize is also the largest value Badger takes (it refuses one
// larger than a value log file). 16 MiB keeps the value log collected in
// small steps, the memory it maps small and the free space a write needs
// low, and holds twice the framework's own cap on an entry (8 MiB), so that
// the cap, not Badger, is what refuses an entry the framework writes.
const (
	memTableSize     = 4 << 20
	numMemTables     = 2
	baseTableSize    = 2 << 20
	valueLogFileSize = 16 << 20
)

// MaxValueSize is the largest value Set stores; a larger one is refused
// with a *store.TooLargeError before Badger sees it, whose own error would
// quote the value's first kilobyte.
const MaxValueSize = valueLogFileSize

// minFreeBytes is the free space below which the store refuses writes.
// Badger writes its value log and memtables through memory-mapped files
// that it extends ahead of use (a value log file is mapped at twice its
// size): on a full disk a write to such a page is not an error but a
// SIGBUS that kills the process. Refusing writes while less than what
// Badger may map next, plus room for a compaction, is free keeps the
// process alive; the cache serves from memory until space is back.
const minFreeBytes = 2*valueLogFileSize + (numMemTables+1)*memTableSize + 8*baseTableSize

// Open opens (creating if needed) the Badger database in dir. Its memory is
// bounded to a few tens of MiB whatever the size of the cache on disk; the
// hot tier in front of it keeps the pages that are read often.
//
// Open returns an error, never panics, whatever state dir is in (Badger
// panics on some damaged files); the caller decides what to do with a
// directory it cannot open.
func Open(dir string) (s *Store, err error) {
	defer func() {
		if v := recover(); v != nil {
			s, err = nil, fmt.Errorf("badgerstore: open %s: badger panicked: %v", dir, v)
		}
	}()
	// Badger maps files while opening: on a full disk a fault there is a
	// panic to recover rather than a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("badgerstore: %w", err)
	}
	// On a full disk a cache written before is still worth serving: it is
	// opened read-only (Badger then writes nothing, not even a new
	// memtable), and its writes are refused. A directory without a
	// database has nothing to serve.
	full := checkSpace(dir)
	if full != nil {
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
			return nil, full
		}
	}
	opts := badgerOptions(dir, full != nil)
	if err := verifyTables(dir, opts); err != nil {
		return nil, err
	}
	db, err := badger.OpenManaged(opts)
	if err != nil && strings.Contains(err.Error(), "Another process is using this Badger database") {
		pid, _ := os.ReadFile(filepath.Join(dir, "LOCK"))
		return nil, fmt.Errorf("%w: %s (pid %s)", ErrLocked, dir, strings.TrimSpace(string(pid)))
	}
	if err != nil && full != nil {
		// Not a damaged directory to move aside: a full disk.
		return nil, fmt.Errorf("%w; opening it read-only failed too: %v", full, err)
	}
	if err != nil {
		return nil, fmt.Errorf("badgerstore: open %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	info, err := os.Stat(dir)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("badgerstore: open %s: %w", dir, err)
	}
	s = &Store{db: db, dir: dir, absDir: abs, dirInfo: info, stop: make(chan struct{}), check: make(chan struct{}, 1), opened: time.Now()}
	// Versions go on from the highest on disk, whichever mode wrote it, so
	// that a write after a restart supersedes what was there.
	s.version.Store(db.MaxVersion())
	s.committed(db.MaxVersion())
	s.done.Add(1)
	go s.releasePages()
	if full != nil {
		s.readOnly = fmt.Errorf("%w; the cache was opened read-only and takes writes again after a restart", full)
		slog.Warn("badgerstore: disk full: the cache is served read-only until a restart with space", "dir", dir, "err", full)
		return s, nil
	}
	s.done.Add(1)
	go s.collectGarbage()
	return s, nil
}

// badgerOptions are the options Open gives Badger: a bounded memory, and
// tables that hold keys and small values only.
func badgerOptions(dir string, readOnly bool) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{}).
		WithNumVersionsToKeep(1).
		WithDetectConflicts(false).
		WithMemTableSize(memTableSize).
		WithNumMemtables(numMemTables).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).
		WithBaseTableSize(baseTableSize).
		WithValueLogFileSize(valueLogFileSize).
		// Tables hold keys and small values only (pages go to the value
		// log, past ValueThreshold), and page bodies are gzip'd already:
		// uncompressed blocks are read in place from the mapped table,
		// with no block cache on the heap to fill and no copy.
		WithCompression(options.None).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithNumCompactors(2).
		WithValueThreshold(1 << 10).
		WithReadOnly(readOnly)
}

// update runs a write transaction of about size bytes if there is space
// for it, and commits it as the next version.
func (s *Store) update(size int, f func(txn *badger.Txn) error) error {
	if err := s.hasSpace(size); err != nil {
		return err
	}
	s.touched()
	s.vlogMaps.RLock()
	defer s.vlogMaps.RUnlock()
	version := s.version.Add(1)
	txn := s.db.NewTransactionAt(math.MaxUint64, true)
	defer txn.Discard()
	if err := f(txn); err != nil {
		return err
	}
	if err := txn.CommitAt(version, nil); err != nil {
		return err
	}
	s.committed(version)
	return nil
}

// committed lets compactions and value-log GC drop what version replaced:
// in managed mode Badger keeps every version above the discard timestamp.
// Versions may commit out of order; the discard timestamp only grows.
func (s *Store) committed(version uint64) {
	s.discardMu.Lock()
	if version > s.discardTs {
		s.discardTs = version
		s.db.SetDiscardTs(version)
	}
	s.discardMu.Unlock()
}

var _ store.KeyBytesGetter = (*Store)(nil)

// Get returns the value stored under key, or nil, nil when there is none or
// it has expired.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	return s.get([]byte(key))
}

// GetKeyBytes is Get with the key as bytes, which it does not keep: Badger
// holds it in the Item of a read transaction that ends here.
func (s *Store) GetKeyBytes(_ context.Context, key []byte) ([]byte, error) {
	return s.get(key)
}

// get reads key in a read-only transaction of its own, without View's
// closure, copying the value out once.
func (s *Store) get(key []byte) ([]byte, error) {
	s.touched()
	txn := s.db.NewTransactionAt(math.MaxUint64, false)
	defer txn.Discard()
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	var value []byte
	if err == nil {
		value, err = item.ValueCopy(nil)
	}
	if err != nil {
		return nil, fmt.Errorf("badgerstore: get %q: %w", key, err)
	}
	return value, nil
}

// Set stores value under key; it expires after ttl, or never when ttl is 0.
func (s *Store) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if len(value) > MaxValueSize {
		return fmt.Errorf("badgerstore: %w", &store.TooLargeError{Key: key, Size: int64(len(value)), Limit: MaxValueSize})
	}
	e := badger.NewEntry([]byte(key), value)
	if ttl > 0 {
		e = e.WithTTL(ttl)
	}
	if err := s.update(len(key)+len(value), func(txn *badger.Txn) error { return txn.SetEntry(e) }); err != nil {
		return fmt.Errorf("badgerstore: set %q: %w", key, err)
	}
	return nil
}

// Delete removes key; deleting an absent key is not an error.
func (s *Store) Delete(_ context.Context, key string) error {
	if err := s.update(len(key), func(txn *badger.Txn) error { return txn.Delete([]byte(key)) }); err != nil {
		return fmt.Errorf("badgerstore: delete %q: %w", key, err)
	}
	return nil
}

// SetTagTime records that tag was revalidated at unixNano.
func (s *Store) SetTagTime(_ context.Context, tag string, unixNano int64) error {
	value := binary.BigEndian.AppendUint64(nil, uint64(unixNano))
	if err := s.update(len(tagPrefix)+len(tag)+len(value), func(txn *badger.Txn) error {
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
	size := 0
	for _, tag := range tags {
		size += len(tagPrefix) + len(tag)
	}
	if err := s.hasSpace(size); err != nil {
		return err
	}
	s.vlogMaps.RLock()
	defer s.vlogMaps.RUnlock()
	version := s.version.Add(1)
	wb := s.db.NewWriteBatchAt(version)
	for _, tag := range tags {
		if err := wb.Delete([]byte(tagPrefix + tag)); err != nil {
			wb.Cancel()
			return fmt.Errorf("badgerstore: delete tag times: %w", err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("badgerstore: delete tag times: %w", err)
	}
	s.committed(version)
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

// runValueLogGC rewrites at most one value log file, which it then
// deletes (and unmaps).
func (s *Store) runValueLogGC() error {
	s.vlogMaps.RLock()
	defer s.vlogMaps.RUnlock()
	return s.db.RunValueLogGC(0.5)
}

// Close stops GC and closes the database, flushing it to disk.
//
// When the directory was removed (or replaced) while the store was open, it
// returns an error at once and leaves Badger as it is: Badger's Close would
// retry writing its memtable into the missing directory forever, and a
// server's shutdown must end.
func (s *Store) Close() error {
	close(s.stop)
	s.done.Wait()
	if info, err := os.Stat(s.dir); err != nil || !os.SameFile(info, s.dirInfo) {
		return fmt.Errorf("badgerstore: %s was removed while open; its last writes are lost", s.dir)
	}
	return s.db.Close()
}

// badgerLogger sends Badger's warnings and errors to slog, at most
// 20 lines a minute (a damaged value log makes Badger log two
// lines on every read), and drops its chatty info and debug lines.
type badgerLogger struct{}

var badgerLog = ratelog.Limiter{Prefix: "badger: ", Burst: 20}

func (badgerLogger) Errorf(f string, a ...any) {
	badgerLog.Log(context.Background(), slog.LevelError, fmt.Sprintf(f, a...))
}
func (badgerLogger) Warningf(f string, a ...any) {
	badgerLog.Log(context.Background(), slog.LevelWarn, fmt.Sprintf(f, a...))
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
