package framework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/isr-go/framework/framework/store"
)

// The cache is disposable, the site is not: whatever the store does (fail,
// stall, panic, fill its disk), a store call returns, as an error the App
// treats as a miss or a skipped write, and cached pages keep being served
// from memory.
const (
	// slowFailure is how long a failing call must have taken for the
	// breaker to open: a store that fails slowly (a stalled Redis) would
	// cost every request that long, one that fails fast (a damaged key,
	// Redis refusing connections) costs nothing to keep asking, and asking
	// is how a damaged entry gets rewritten.
	slowFailure = 200 * time.Millisecond

	// storeRetryInterval is how often a background probe asks a store
	// skipped by the open breaker whether it works again.
	storeRetryInterval = time.Second

	// storeCloseTimeout bounds Close: a store that hangs while closing (a
	// Badger value log it cannot sync) must not keep the process from
	// exiting.
	storeCloseTimeout = 10 * time.Second

	// storeLogInterval spaces out the log lines about a store that keeps
	// failing and recovering, and those about one key's value too large
	// to store.
	storeLogInterval = time.Minute

	// maxStoredValue is the largest entry the framework writes to a
	// store; a larger one is kept in the memory tier only. Every instance
	// reading an entry copies and decodes it whole, and Redis serves one
	// command at a time: an entry of tens of megabytes (a list of every
	// post) would cost each reader that much, and stall Redis for every
	// other. 8 MiB holds any page a browser should load as one document,
	// and is half Badger's largest value (badgerstore.MaxValueSize).
	maxStoredValue = 8 << 20

	// tooLargeKeys bounds the keys whose too-large log line is remembered.
	tooLargeKeys = 1024
)

// errStoreSkipped is what store calls return while the breaker is open.
var errStoreSkipped = errors.New("framework: cache store skipped after a slow failure; retrying in the background")

// guardedStore is the store as the App uses it. It turns a panic in the
// store into an error, opens a circuit breaker after a slow failure so that
// later calls skip the store at once while a background probe waits for it
// to answer again, bounds Close, and logs a failing store once rather than
// on every call.
type guardedStore struct {
	inner   store.Store
	locker  store.Locker     // nil unless inner is one
	watcher store.TagWatcher // nil unless inner is one
	clock   store.Clock      // nil unless inner is one
	// keyBytes is inner when it reads keys given as bytes, else nil.
	keyBytes store.KeyBytesGetter
	log      *slog.Logger
	errors   *atomic.Uint64 // the metric of failed calls
	// elapsed is a cheap real clock, in nanoseconds, to time failed calls.
	elapsed func() int64

	open     atomic.Bool  // the breaker: calls are skipped
	failing  atomic.Bool  // the last call failed, for the store_up metric
	diskFull atomic.Bool  // the last write was refused for lack of space
	lastLog  atomic.Int64 // when a failure was last logged, Unix nanoseconds
	// saidDown is set while the last line logged about the store said it
	// was failing: the next call that succeeds says it answers again.
	saidDown  atomic.Bool
	stop      chan struct{}
	probing   sync.WaitGroup
	closeOnce sync.Once
	// closeTimeout is storeCloseTimeout; tests shorten it.
	closeTimeout time.Duration

	// maxValue is maxStoredValue; tests raise it to reach the store's own
	// limit.
	maxValue int
	// tooLarge is when each key's value was last logged as too large,
	// elapsed nanoseconds, for one line per key and minute.
	tooLargeMu sync.Mutex
	tooLarge   map[string]int64
	// tooLargeValues counts the values not stored for their size, for
	// the metric framework_store_values_too_large_total.
	tooLargeValues atomic.Uint64

	// tracer makes a span of each read and write; nil when tracing is
	// off. system names the store in them (storeSystem).
	tracer trace.Tracer
	system string
}

func newGuardedStore(inner store.Store, log *slog.Logger, errs *atomic.Uint64, elapsed func() int64) *guardedStore {
	s := &guardedStore{inner: inner, log: log, errors: errs, elapsed: elapsed, stop: make(chan struct{}), closeTimeout: storeCloseTimeout, maxValue: maxStoredValue}
	s.locker, _ = inner.(store.Locker)
	s.watcher, _ = inner.(store.TagWatcher)
	s.clock, _ = inner.(store.Clock)
	s.keyBytes, _ = inner.(store.KeyBytesGetter)
	s.system = storeSystem(inner)
	return s
}

// call runs f against the store unless the breaker is open, and accounts
// for its outcome.
func (s *guardedStore) call(op string, f func() error) (err error) {
	if s.open.Load() {
		return errStoreSkipped
	}
	start := s.elapsed()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("framework: cache store panicked in %s: %v", op, v)
		}
		if err != nil && !errors.Is(err, store.ErrTooLarge) {
			// A value refused for its size is the store answering, not
			// failing: it neither counts nor opens the breaker.
			s.failed(op, err, time.Duration(s.elapsed()-start))
		} else if s.failing.Load() {
			s.failing.Store(false)
			if s.saidDown.CompareAndSwap(true, false) {
				// Once per failure logged, itself once a minute at most:
				// a store that flaps cannot flood the log.
				s.log.Info("framework: cache store answers again")
			}
		}
	}()
	return f()
}

// failed accounts for a failed call that took took.
func (s *guardedStore) failed(op string, err error, took time.Duration) {
	s.errors.Add(1)
	s.failing.Store(true)
	switch {
	case errors.Is(err, syscall.ENOSPC):
		if s.diskFull.CompareAndSwap(false, true) {
			s.log.Error("framework: cache disk full; serving from memory and writing again once there is space", "op", op, "err", err)
		}
	case took >= slowFailure:
		if s.open.CompareAndSwap(false, true) {
			s.logFailure("framework: cache store failing slowly; skipping it, serving from memory and retrying every second", op, err)
			s.probing.Add(1)
			go s.probe()
		}
	default:
		s.logFailure("framework: cache store failing; serving from memory", op, err)
	}
}

// logFailure logs a failure unless one was logged in the last
// storeLogInterval, so that a store failing on every request does not
// flood the log.
func (s *guardedStore) logFailure(msg, op string, err error) {
	now := s.elapsed()
	last := s.lastLog.Load()
	if last != 0 && time.Duration(now-last) < storeLogInterval {
		return
	}
	if s.lastLog.CompareAndSwap(last, now) {
		s.log.Error(msg, "op", op, "err", err)
		s.saidDown.Store(true)
	}
}

// probe asks the store every storeRetryInterval whether it answers again,
// and closes the breaker when it does.
func (s *guardedStore) probe() {
	defer s.probing.Done()
	t := time.NewTicker(storeRetryInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if s.probeOnce() {
			s.open.Store(false)
			s.failing.Store(false)
			s.saidDown.Store(false)
			s.log.Info("framework: cache store answers again")
			return
		}
	}
}

// probeOnce reports whether one read of the store succeeds quickly.
func (s *guardedStore) probeOnce() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), slowFailure)
	defer cancel()
	start := s.elapsed()
	_, err := s.inner.Get(ctx, "framework-probe")
	return err == nil && time.Duration(s.elapsed()-start) < slowFailure
}

// up reports whether the store's last call succeeded.
func (s *guardedStore) up() bool { return !s.failing.Load() && !s.open.Load() }

func (s *guardedStore) Get(ctx context.Context, key string) (value []byte, err error) {
	if s.tracer != nil && recording(ctx) {
		var span trace.Span
		ctx, span = s.startStoreSpan(ctx, "get", key)
		defer func() { endStoreRead(span, value, err) }()
	}
	err = s.call("get", func() error {
		value, err = s.inner.Get(ctx, key)
		return err
	})
	return value, err
}

// getKeyBytes is Get with the key as bytes, through the store's
// KeyBytesGetter when it is one.
func (s *guardedStore) getKeyBytes(ctx context.Context, key []byte) (value []byte, err error) {
	if s.keyBytes == nil {
		return s.Get(ctx, string(key))
	}
	if s.tracer != nil && recording(ctx) {
		var span trace.Span
		ctx, span = s.startStoreSpan(ctx, "get", string(key))
		defer func() { endStoreRead(span, value, err) }()
	}
	err = s.call("get", func() error {
		value, err = s.keyBytes.GetKeyBytes(ctx, key)
		return err
	})
	return value, err
}

// Set stores value, unless it is over maxValue or the store refuses it as
// too large: then it returns an error wrapping store.ErrTooLarge, which the
// caller answers by keeping the value in memory, deletes what key held (an
// older, smaller version must not come back once memory drops the new
// one), and logs the key and sizes once a minute. The error of a Set never
// carries the store's text past its first line, where a store may quote
// the value (Badger dumps its first kilobyte).
func (s *guardedStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) (err error) {
	if s.tracer != nil && recording(ctx) {
		var span trace.Span
		ctx, span = s.startStoreSpan(ctx, "set", key)
		span.SetAttributes(attrStoreBytes.Int(len(value)))
		defer func() { endSpan(span, err) }()
	}
	if len(value) > s.maxValue {
		err = &store.TooLargeError{Key: key, Size: int64(len(value)), Limit: int64(s.maxValue)}
	} else {
		err = s.call("set", func() error { return setError(key, value, s.inner.Set(ctx, key, value, ttl)) })
	}
	var tooLarge *store.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		s.logTooLarge(key, int64(len(value)), tooLarge.Limit)
		s.Delete(ctx, key)
	case errors.Is(err, store.ErrTooLarge):
		s.logTooLarge(key, int64(len(value)), 0)
		s.Delete(ctx, key)
	case err == nil && s.diskFull.Load() && s.diskFull.CompareAndSwap(true, false):
		s.log.Info("framework: cache disk has space again; writing the cache")
	}
	return err
}

func (s *guardedStore) Delete(ctx context.Context, key string) error {
	return s.call("delete", func() error { return s.inner.Delete(ctx, key) })
}

func (s *guardedStore) SetTagTime(ctx context.Context, tag string, unixNano int64) error {
	return s.call("set tag time", func() error { return s.inner.SetTagTime(ctx, tag, unixNano) })
}

func (s *guardedStore) DeleteTagTimes(ctx context.Context, tags []string) error {
	return s.call("delete tag times", func() error { return s.inner.DeleteTagTimes(ctx, tags) })
}

func (s *guardedStore) TagTimes(ctx context.Context) (times map[string]int64, err error) {
	err = s.call("tag times", func() error {
		times, err = s.inner.TagTimes(ctx)
		return err
	})
	return times, err
}

// TryLock takes a regeneration lock on a shared store; the caller checks
// s.locker first.
func (s *guardedStore) TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error) {
	var release func()
	err = s.call("lock", func() error {
		release, ok, err = s.locker.TryLock(ctx, key, ttl)
		return err
	})
	if err != nil || !ok {
		return nil, false, err
	}
	return func() {
		s.call("unlock", func() error { release(); return nil })
	}, true, nil
}

// Now reads the store's clock; the caller checks s.clock first.
func (s *guardedStore) Now(ctx context.Context) (t time.Time, err error) {
	err = s.call("time", func() error {
		t, err = s.clock.Now(ctx)
		return err
	})
	return t, err
}

// close stops the probe and, when closeInner, closes the store, giving up
// after storeCloseTimeout.
func (s *guardedStore) close(closeInner bool) error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stop)
		s.probing.Wait()
		if !closeInner {
			return
		}
		done := make(chan error, 1)
		go func() {
			defer func() {
				if v := recover(); v != nil {
					done <- fmt.Errorf("framework: cache store panicked while closing: %v", v)
				}
			}()
			done <- s.inner.Close()
		}()
		select {
		case err = <-done:
		case <-time.After(s.closeTimeout):
			err = fmt.Errorf("framework: cache store did not close within %v; giving up on it", s.closeTimeout)
		}
	})
	return err
}
