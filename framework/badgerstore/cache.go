package badgerstore

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/isr-go/framework/framework/store"
)

var _ store.Reset = (*Store)(nil)

// OpenCache opens the store in dir as a cache, which is disposable while
// the site is not: a directory removed while the server runs is opened
// again, empty (see Cache); a directory Badger cannot open (damaged files, a crash in
// the wrong place) is moved aside to dir.corrupt-<time> and replaced by an
// empty one (SetAside then names it), and when no directory can be used (no
// permission, a full disk with no database to serve read-only) it returns
// store.Discard, with which the app serves from its memory tier alone.
// Either is logged to log. Only a directory another process holds is an
// error: two servers must not share one Badger directory, and moving it
// aside would pull it from under the other.
func OpenCache(dir string, log *slog.Logger) (store.Store, error) {
	s, err := Open(dir)
	if err == nil {
		return newCache(s, log), nil
	}
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("another server is using this build's cache: %w; stop it, or give this one its own --cache-dir", err)
	}
	if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.ENOSPC) {
		if aside, moveErr := moveAside(dir, time.Now()); moveErr == nil {
			log.Error("framework: cache dir could not be opened; moved it aside and started an empty cache", "dir", dir, "moved_to", aside, "err", err)
			if s, err = Open(dir); err == nil {
				c := newCache(s, log)
				c.setAside = aside
				return c, nil
			}
		}
	}
	log.Error("framework: no usable cache dir; serving from the memory tier only (pages render again after a restart)", "dir", dir, "err", err)
	return store.Discard, nil
}

// SetAside returns where OpenCache moved the unusable directory this store
// replaced, or "" when it opened the directory it was given.
func (s *Store) SetAside() string { return s.setAside }

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
