// Package redisstore is the shared store of the ISR cache: several
// instances of an app pointed at one Redis serve one cache. Besides entries
// and tag times it gives the framework a regeneration lock (one instance
// regenerates a page) and a pub/sub stream of tag times (a revalidation on
// one instance applies on all at once).
//
// It satisfies store.Store, store.Locker, store.TagWatcher and
// store.Clock. The app server (package server) opens it with Open for a
// redis:// or rediss:// --cache (FRAMEWORK_CACHE) and passes it to the app
// in framework.Options.Store. The URL's form picks the deployment, as
// go-redis's own URL parsers read it:
//
//	redis://host:6379/0                                      one Redis
//	redis://h1:7000?addr=h2:7000&addr=h3:7000                a Redis Cluster (seed nodes)
//	redis://s1:26379/0?master_name=mymaster&addr=s2:26379    Redis Sentinel (sentinels)
//
// For anything a URL cannot say (a custom TLS config, credentials from a
// secret store, a custom dialer, a cluster behind one configuration
// endpoint), build a go-redis client and pass it to New, then the store to
// framework.Options.Store.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isr-go/framework/framework/store"
)

var (
	_ store.Store      = (*Store)(nil)
	_ store.Locker     = (*Store)(nil)
	_ store.TagWatcher = (*Store)(nil)
	_ store.Clock      = (*Store)(nil)
)

// Key names. Everything the framework writes starts with keyPrefix, so that
// the app can share a Redis database with other data.
//
// In a Redis Cluster a key lives on the node owning its slot, the hash of
// the part of its name between the first { and the next }, or of the whole
// name without one; a transaction may only touch keys of one slot. The tag
// times' hash and its version change together in one transaction, so both
// carry the hash tag {tags} and live on one node (with the PUBLISH sent in
// that transaction, which any node broadcasts to the whole cluster). Tag
// times are few and read every few seconds, so one node is enough for them.
// Entries and locks have no hash tag of ours: each is a single-key
// operation, and by their whole names they spread across the nodes. (A { in
// a page's path narrows that spread, nothing else: single-key operations
// are correct on any slot.) On one Redis the braces are plain characters.
//
// The tag times were under framework:tags before; a deploy of this version
// does not read those. It needs none of them: entries are keyed by build,
// so every entry the new build serves was generated after them.
const (
	keyPrefix = "framework:"
	tagsKey   = keyPrefix + "{tags}"
	// tagsChannel is a classic pub/sub channel: a cluster broadcasts it to
	// every node, whichever node the publisher and subscribers talk to.
	tagsChannel = keyPrefix + "tags"
	// tagsVersionKey changes with every tag time recorded, so that
	// TagTimes can skip rereading a hash that has not changed.
	tagsVersionKey = keyPrefix + "{tags}:version"
	lockPrefix     = keyPrefix + "lock:"
)

// Store is a store.Store backed by Redis: one server, a Redis Cluster
// or a master watched by Redis Sentinel.
type Store struct {
	client redis.UniversalClient

	// maxValue is Redis's proto-max-bulk-len, the largest value it takes,
	// once read (0 before).
	maxValue atomic.Int64

	// The tag times last read and the version they had.
	mu          sync.Mutex
	tagsVersion string
	tags        map[string]int64
}

// New returns a store on client: a *redis.Client (one Redis, or Sentinel's
// redis.NewFailoverClient), a *redis.ClusterClient, or any other
// redis.UniversalClient. The store takes client over: Close closes it.
//
// The client's own timeouts apply. Open's are short (500 ms to dial, read or
// write, one retry) so that a Redis outage costs a request at most about a
// second; go-redis's defaults are several times longer.
func New(client redis.UniversalClient) *Store {
	return &Store{client: client}
}

// The timeouts Open gives every client, short so that a Redis outage costs
// a request at most about a second.
const (
	dialTimeout = 500 * time.Millisecond
	ioTimeout   = 500 * time.Millisecond
	poolTimeout = time.Second
	// go-redis redials five times 100 ms apart by default: most of a
	// second for every command while Redis is down.
	dialerRetries      = 1
	dialerRetryTimeout = 10 * time.Millisecond
	maxRetries         = 1
	maxRedirects       = 1
)

// Open returns a store for a redis:// or rediss:// URL. Like go-redis's
// NewUniversalClient, it reads the deployment from the URL: a master_name
// parameter makes it Redis Sentinel (the host and every addr parameter are
// sentinels, parsed by redis.ParseFailoverURL), addr parameters without one
// a Redis Cluster (the host and the addrs are seed nodes,
// redis.ParseClusterURL), neither one Redis (redis.ParseURL).
//
// It does not wait for Redis: an app starts while Redis is down, serves
// what it can, and uses Redis once it is back.
func Open(rawURL string) (*Store, error) {
	// A URL that does not parse is left to redis.ParseURL to report.
	var query url.Values
	var db string
	if u, err := url.Parse(rawURL); err == nil {
		query, db = u.Query(), strings.Trim(u.Path, "/")
	}
	switch {
	case query.Has("master_name"):
		opts, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisstore: sentinel URL: %w", err)
		}
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = dialTimeout, ioTimeout, ioTimeout, poolTimeout
		opts.DialerRetries, opts.DialerRetryTimeout, opts.MaxRetries = dialerRetries, dialerRetryTimeout, maxRetries
		return New(redis.NewFailoverClient(opts)), nil
	case query.Has("addr"):
		opts, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisstore: cluster URL: %w", err)
		}
		// ParseClusterURL ignores the path: a database other than 0,
		// which a cluster does not have, would be silently dropped.
		if db != "" && db != "0" {
			return nil, fmt.Errorf("redisstore: cluster URL: a Redis Cluster has only database 0, not %q", db)
		}
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = dialTimeout, ioTimeout, ioTimeout, poolTimeout
		opts.DialerRetries, opts.DialerRetryTimeout, opts.MaxRetries = dialerRetries, dialerRetryTimeout, maxRetries
		// A command is sent up to MaxRedirects+1 times, with a growing
		// pause after each failure. With go-redis's 3, a call to a
		// stopped master took 150-230 ms here, past the 200 ms after
		// which the framework sets the whole store aside; with 1 (still
		// enough to follow a slot that moved) it took 15-150 ms.
		opts.MaxRedirects = maxRedirects
		return New(redis.NewClusterClient(opts)), nil
	default:
		opts, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisstore: %w", err)
		}
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = dialTimeout, ioTimeout, ioTimeout, poolTimeout
		opts.DialerRetries, opts.DialerRetryTimeout, opts.MaxRetries = dialerRetries, dialerRetryTimeout, maxRetries
		return New(redis.NewClient(opts)), nil
	}
}

// Now returns the time on Redis's clock (TIME), the one clock of the
// instances that share this store. In a cluster every node has its own
// clock, so every instance asks the same one: the master of the tag times'
// slot (after a failover, its successor).
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	var node redis.Cmdable = s.client
	if cluster, ok := s.client.(*redis.ClusterClient); ok {
		master, err := cluster.MasterForKey(ctx, tagsKey)
		if err != nil {
			return time.Time{}, fmt.Errorf("redisstore: time: %w", err)
		}
		node = master
	}
	t, err := node.Time(ctx).Result()
	if err != nil {
		return time.Time{}, fmt.Errorf("redisstore: time: %w", err)
	}
	return t, nil
}

// Get returns the value stored under key, or nil, nil when there is none.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.client.Get(ctx, keyPrefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: get %q: %w", key, err)
	}
	return v, nil
}

// Set stores value under key; it expires after ttl, or never when ttl is 0.
//
// A value over Redis's proto-max-bulk-len is refused with a
// *store.TooLargeError before it is sent: Redis would answer it with a
// protocol error and close the connection.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if limit := s.valueLimit(ctx); int64(len(value)) > limit {
		return fmt.Errorf("redisstore: %w", &store.TooLargeError{Key: key, Size: int64(len(value)), Limit: limit})
	}
	if err := s.client.Set(ctx, keyPrefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: set %q: %w", key, err)
	}
	return nil
}

// defaultMaxValue is Redis's default proto-max-bulk-len, 512 MB.
const defaultMaxValue = 512 << 20

// valueLimit returns Redis's proto-max-bulk-len. It is read with CONFIG GET
// on the first write rather than in Open, which does not wait for Redis;
// where CONFIG is not allowed (an ACL, a managed Redis that renames it) the
// default is assumed for good. While Redis does not answer, the default
// stands and the next write asks again.
func (s *Store) valueLimit(ctx context.Context) int64 {
	if n := s.maxValue.Load(); n > 0 {
		return n
	}
	got, err := s.client.ConfigGet(ctx, "proto-max-bulk-len").Result()
	var reply redis.Error
	switch {
	case err == nil:
		if n, err := strconv.ParseInt(got["proto-max-bulk-len"], 10, 64); err == nil && n > 0 {
			s.maxValue.Store(n)
			return n
		}
		s.maxValue.Store(defaultMaxValue)
	case errors.As(err, &reply):
		s.maxValue.Store(defaultMaxValue) // refused: asking again would not help
	}
	return defaultMaxValue
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.client.Del(ctx, keyPrefix+key).Err(); err != nil {
		return fmt.Errorf("redisstore: delete %q: %w", key, err)
	}
	return nil
}

// SetTagTime records a tag time in one hash, gives the hash a new version
// and publishes the time to the other instances, in one transaction.
func (s *Store) SetTagTime(ctx context.Context, tag string, unixNano int64) error {
	at := strconv.FormatInt(unixNano, 10)
	// A random version, not a counter: a counter would start again at 1
	// after Redis lost its data, and could match a version read before.
	version := randomToken()
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, tagsKey, tag, at)
		p.Set(ctx, tagsVersionKey, version, 0)
		p.Publish(ctx, tagsChannel, at+" "+tag)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: set tag time %q: %w", tag, err)
	}
	return nil
}

// hdelChunk is how many fields one HDEL removes, so that deleting many tag
// times does not make one huge command.
const hdelChunk = 1000

// DeleteTagTimes removes the times of tags from the hash and gives it a new
// version, in one transaction, so that every instance's next TagTimes reads
// the hash again. Nothing is published: each instance forgets old times by
// itself.
func (s *Store) DeleteTagTimes(ctx context.Context, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for chunk := range slices.Chunk(tags, hdelChunk) {
			p.HDel(ctx, tagsKey, chunk...)
		}
		p.Set(ctx, tagsVersionKey, randomToken(), 0)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: delete %d tag times: %w", len(tags), err)
	}
	return nil
}

// TagTimes returns every recorded tag time. Apps call it every few seconds
// in case they missed a published time; while the hash's version is the one
// last read, it answers from memory instead of reading the whole hash again.
// The map returned is the caller's.
func (s *Store) TagTimes(ctx context.Context) (map[string]int64, error) {
	// The version is read first: a time recorded between the two reads
	// then makes the next call read the hash again.
	version, err := s.client.Get(ctx, tagsVersionKey).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: tag times: %w", err)
	}
	s.mu.Lock()
	if version != "" && version == s.tagsVersion {
		times := maps.Clone(s.tags)
		s.mu.Unlock()
		return times, nil
	}
	s.mu.Unlock()

	all, err := s.client.HGetAll(ctx, tagsKey).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: tag times: %w", err)
	}
	times := make(map[string]int64, len(all))
	for tag, at := range all {
		n, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("redisstore: tag time of %q is %q, not a number", tag, at)
		}
		times[tag] = n
	}
	s.mu.Lock()
	s.tagsVersion, s.tags = version, maps.Clone(times)
	s.mu.Unlock()
	return times, nil
}

// WatchTagTimes calls fn with every tag time any instance records, until
// ctx ends. The subscription reconnects by itself after an outage; times
// published meanwhile are missed, which is why the framework also rereads
// TagTimes now and then.
func (s *Store) WatchTagTimes(ctx context.Context, fn func(tag string, unixNano int64)) {
	sub := s.client.Subscribe(ctx, tagsChannel)
	defer sub.Close()
	messages := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-messages:
			if !ok {
				return
			}
			at, tag, found := strings.Cut(msg.Payload, " ")
			n, err := strconv.ParseInt(at, 10, 64)
			if found && err == nil {
				fn(tag, n)
			}
		}
	}
}

// unlockScript deletes a lock only if it still holds the caller's token, so
// that a holder whose lock expired cannot release the next holder's.
var unlockScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// TryLock takes the lock named key for at most ttl. It reports false when
// another holder has it. unlock releases it if it is still this caller's.
func (s *Store) TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error) {
	token := randomToken()
	name := lockPrefix + key
	ok, err = s.client.SetNX(ctx, name, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: lock %q: %w", key, err)
	}
	if !ok {
		return nil, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		unlockScript.Run(ctx, s.client, []string{name}, token)
	}, true, nil
}

// randomToken returns 128 random bits in hex.
func randomToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Close closes the connections to Redis.
func (s *Store) Close() error { return s.client.Close() }
