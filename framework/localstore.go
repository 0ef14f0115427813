package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/isr-go/framework/framework/store"
)

// openLocalStore opens the local store (LocalStore, Badger in the app
// server) in dir. The cache is disposable, the
// site is not: a directory Badger cannot open (damaged files, a crash in the
// wrong place) is moved aside to dir.corrupt-<time> and replaced by an empty
// one, and when no directory can be used (no permission, a full disk) the
// app serves from its memory tier alone. Either is logged once and counted
// (framework_store_resets_total, framework_store_memory_only). Only a
// directory another server holds is an error: two servers must not share
// one Badger directory, and moving it aside would pull it from under the
// other.
func (a *App) openLocalStore(dir string) (store.Store, error) {
	open := registeredStore(LocalStore)
	if open == nil {
		a.metrics.memoryOnly.Store(true)
		a.log.Warn("framework: no local store registered (import github.com/isr-go/framework/framework/badgerstore); serving from the memory tier only")
		return nopStore{}, nil
	}
	s, err := open(dir)
	if err == nil {
		return s, nil
	}
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("framework: another server is using this build's cache: %w; stop it, or give this one its own --cache-dir", err)
	}
	if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.ENOSPC) {
		if aside, moveErr := moveAside(dir, a.clock.local()); moveErr == nil {
			a.metrics.storeResets.Add(1)
			a.log.Error("framework: cache dir could not be opened; moved it aside and started an empty cache", "dir", dir, "moved_to", aside, "err", err)
			if s, err = open(dir); err == nil {
				return s, nil
			}
		}
	}
	a.metrics.memoryOnly.Store(true)
	a.log.Error("framework: no usable cache dir; serving from the memory tier only (pages render again after a restart)", "dir", dir, "err", err)
	return nopStore{}, nil
}

// moveAside renames dir to dir.corrupt-<time>, first deleting the earlier
// ones: the cache is disposable, and a server restarting on a bad disk must
// not fill it with copies.
func moveAside(dir string, now time.Time) (string, error) {
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	old, _ := filepath.Glob(dir + ".corrupt-*")
	for _, o := range old {
		os.RemoveAll(o)
	}
	aside := dir + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	return aside, os.Rename(dir, aside)
}

// nopStore is the store of an app that has no usable cache directory: it
// keeps nothing, so that the memory tier is the whole cache.
type nopStore struct{}

func (nopStore) Get(context.Context, string) ([]byte, error)              { return nil, nil }
func (nopStore) Set(context.Context, string, []byte, time.Duration) error { return nil }
func (nopStore) Delete(context.Context, string) error                     { return nil }
func (nopStore) SetTagTime(context.Context, string, int64) error          { return nil }
func (nopStore) DeleteTagTimes(context.Context, []string) error           { return nil }
func (nopStore) TagTimes(context.Context) (map[string]int64, error)       { return nil, nil }
func (nopStore) Close() error                                             { return nil }
