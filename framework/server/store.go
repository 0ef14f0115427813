package server

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/badgerstore"
	"github.com/isr-go/framework/framework/redisstore"
	"github.com/isr-go/framework/framework/store"
)

// openStore sets opts.Store to the cache's store, unless the app set one or
// it runs in dev (framework.New then keeps the cache in memory): the Redis
// that url names, else Badger in dir (badgerstore.OpenCache, which sets a
// damaged directory aside, or serves from memory alone when none is
// usable). It returns the store it opened, for the caller to close after
// the app, or nil.
func openStore(opts *framework.Options, url, dir string, logger *slog.Logger) (store.Store, error) {
	if opts.Store != nil || opts.Dev {
		return nil, nil
	}
	var s store.Store
	var err error
	if url != "" {
		s, err = openURL(url)
	} else {
		s, err = badgerstore.OpenCache(dir, logger)
	}
	if err != nil {
		return nil, fmt.Errorf("framework: %w", err)
	}
	opts.Store = s
	return s, nil
}

// openURL opens the shared store a --cache URL names.
func openURL(url string) (store.Store, error) {
	scheme, _, _ := strings.Cut(url, "://")
	if scheme != "redis" && scheme != "rediss" {
		return nil, fmt.Errorf("cache %q: want a redis:// or rediss:// URL (package redisstore documents the forms for a Redis Cluster and Sentinel), or nothing for the local cache in --cache-dir", url)
	}
	return redisstore.Open(url)
}
