package badgerstore

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/ristretto/v2/z"
)

// verifyTables opens every table file in dir as Badger will, here, where a
// panic over a damaged file can be recovered: Badger opens them on
// goroutines of its own, where such a panic kills the process (a crash loop
// under a supervisor). It reads each table's index, not its blocks, so it
// costs little at start.
//
// A damaged table is renamed out of Badger's sight (<name>.corrupt) rather
// than failing the open: a table a crash left half-written is not in the
// manifest yet, and Badger opens fine without it; one the manifest needs
// makes Badger's open fail, and the caller starts an empty cache.
func verifyTables(dir string, opts badger.Options) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sst"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := verifyTable(f, opts); err != nil {
			slog.Warn("badgerstore: damaged table set aside", "table", f, "err", err)
			if err := os.Rename(f, f+".corrupt"); err != nil {
				return fmt.Errorf("badgerstore: open %s: table %s is damaged and cannot be set aside: %w", dir, filepath.Base(f), err)
			}
		}
	}
	return nil
}

// verifyTable opens the table at path as Badger will. Each table is
// written with the compression of its day, which Badger's manifest records:
// this store's are uncompressed, those of earlier releases Snappy, so each
// compression is tried before the table is called damaged.
func verifyTable(path string, opts badger.Options) error {
	var err error
	for _, c := range []options.CompressionType{opts.Compression, options.Snappy, options.ZSTD} {
		if err = openTable(path, opts.BlockSize, c); err == nil {
			return nil
		}
	}
	return err
}

// openTable opens and closes the table at path, read with compression c.
func openTable(path string, blockSize int, c options.CompressionType) (err error) {
	mf, err := z.OpenMmapFile(path, os.O_RDONLY, 0)
	if err != nil && !errors.Is(err, z.NewFile) {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
		if err != nil {
			mf.Close(-1) // OpenTable closed it on some errors: closing again is harmless
		}
	}()
	t, err := table.OpenTable(mf, table.Options{
		ReadOnly:    true,
		BlockSize:   blockSize,
		Compression: c,
		ChkMode:     options.NoVerification,
	})
	if err != nil {
		return err
	}
	return t.MmapFile.Close(-1)
}
