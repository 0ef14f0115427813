package framework

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/isr-go/framework/framework/store"
)

// A value the store cannot hold (over maxStoredValue, or refused by the
// store with store.ErrTooLarge) is not a failure of the store: the value is
// kept in the memory tier, and the log says so once per key and minute,
// with the key and sizes and never the value, which may be private data.

// logTooLarge counts key's value (size bytes, over limit, 0 when the store
// did not say) as not stored, and says so once per key and
// storeLogInterval.
func (s *guardedStore) logTooLarge(key string, size, limit int64) {
	s.tooLargeValues.Add(1)
	now := s.elapsed()
	s.tooLargeMu.Lock()
	if s.tooLarge == nil || len(s.tooLarge) >= tooLargeKeys {
		// Forget the lines older than the interval; the map stays
		// bounded whatever the number of keys.
		for k, at := range s.tooLarge {
			if time.Duration(now-at) >= storeLogInterval {
				delete(s.tooLarge, k)
			}
		}
		if s.tooLarge == nil || len(s.tooLarge) >= tooLargeKeys {
			s.tooLarge = make(map[string]int64)
		}
	}
	at, seen := s.tooLarge[key]
	logIt := !seen || time.Duration(now-at) >= storeLogInterval
	if logIt {
		s.tooLarge[key] = now
	}
	s.tooLargeMu.Unlock()
	if logIt {
		s.log.Warn("framework: value too large for the cache store; not stored, served from memory while it fits there",
			"key", key, "bytes", size, "limit", limit)
	}
}

// setError is the error of a Set of value under key, stripped of what may
// quote the value: a store's error text past its first line, or holding the
// value's first bytes. It wraps err, for errors.Is.
func setError(key string, value []byte, err error) error {
	if err == nil {
		return nil
	}
	var tooLarge *store.TooLargeError
	if errors.As(err, &tooLarge) {
		return err // its text is sizes only
	}
	text, _, cut := strings.Cut(err.Error(), "\n")
	const maxText = 300
	if len(text) > maxText {
		text, cut = text[:maxText], true
	}
	if n := min(len(value), 16); n >= 8 && strings.Contains(text, string(value[:n])) {
		text, cut = "the store's error quotes the value", true
	}
	if !cut {
		return err
	}
	return &strippedError{text: fmt.Sprintf("set %q: value of %d bytes: %s (rest of the store's error withheld)", key, len(value), text), err: err}
}

// strippedError is a store's error whose text setError shortened.
type strippedError struct {
	text string
	err  error
}

func (e *strippedError) Error() string { return e.text }
func (e *strippedError) Unwrap() error { return e.err }
