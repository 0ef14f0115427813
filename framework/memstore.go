package framework

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// devStore is the store of an app in development (Options.Dev): a map in
// the process's memory. Dev renders every page, so what it holds is the data
// of Fetch and Cache, and that must not outlive the code that produced it:
// framework dev starts a new process for every build, so an edit of the
// function behind Cache (or of a URL's handling) is seen at once, and two dev
// servers never share anything. Pages are not stored (dev renders each
// request), so the data is all it holds; past maxBytes it starts again from
// empty, which costs a refetch and nothing else.
type devStore struct {
	mu       sync.Mutex
	now      func() time.Time
	maxBytes int
	bytes    int
	values   map[string]devValue
	tags     map[string]int64
}

type devValue struct {
	b       []byte
	expires time.Time // zero: never
}

func newDevStore(maxBytes int64, now func() time.Time) *devStore {
	return &devStore{now: now, maxBytes: int(maxBytes), values: make(map[string]devValue), tags: make(map[string]int64)}
}

func (s *devStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	if !ok || !v.expires.IsZero() && !s.now().Before(v.expires) {
		return nil, nil
	}
	return v.b, nil
}

func (s *devStore) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(key)
	if s.bytes+len(value) > s.maxBytes {
		clear(s.values)
		s.bytes = 0
	}
	v := devValue{b: slices.Clone(value)}
	if ttl > 0 {
		v.expires = s.now().Add(ttl)
	}
	s.values[key] = v
	s.bytes += len(value)
	return nil
}

func (s *devStore) remove(key string) {
	if v, ok := s.values[key]; ok {
		s.bytes -= len(v.b)
		delete(s.values, key)
	}
}

func (s *devStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(key)
	return nil
}

func (s *devStore) SetTagTime(_ context.Context, tag string, unixNano int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags[tag] = unixNano
	return nil
}

func (s *devStore) TagTimes(context.Context) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.tags), nil
}

func (s *devStore) DeleteTagTimes(_ context.Context, tags []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range tags {
		delete(s.tags, t)
	}
	return nil
}

func (s *devStore) Close() error { return nil }
