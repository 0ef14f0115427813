package server

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// exportFileName returns the file, slash-separated and relative to the
// export's root, that holds the URL path p: an HTML page at p + ".html"
// (index.html for /), anything else at p. Static hosts serve /a/b from
// a/b.html (GitHub Pages, Netlify, Cloudflare Pages, nginx with try_files
// $uri.html), where a/b/index.html would get a redirect to /a/b/, a URL
// the app's pages never link to and against which relative links resolve
// differently.
func exportFileName(p string, isHTML bool) (string, error) {
	name, err := url.PathUnescape(p)
	if err != nil {
		return "", err
	}
	name = strings.TrimPrefix(name, "/")
	if isHTML {
		if name == "" {
			name = "index"
		}
		name += ".html"
	}
	if !fs.ValidPath(name) || strings.ContainsRune(name, 0) || path.Clean(name) != name {
		return "", fmt.Errorf("export %s: not a file name a static host can serve", p)
	}
	return name, nil
}

// write writes the body of the URL path p under the export's root, with
// a .gz beside a text file, and returns the file's name; without a root it
// writes nothing.
func (x *exporter) write(p string, isHTML bool, body []byte) (string, error) {
	name, err := exportFileName(p, isHTML)
	if err != nil || x.out == "" {
		return "", err
	}
	return name, x.writeFile(name, body)
}

// textExts are the extensions of the files that get a .gz beside them.
var textExts = map[string]bool{".html": true, ".css": true, ".js": true, ".mjs": true, ".svg": true, ".json": true, ".txt": true, ".xml": true}

// writeFile writes body to name under the export's root, and its gzip
// beside it if name is a text file, for servers that send precompressed
// files (nginx's gzip_static).
func (x *exporter) writeFile(name string, body []byte) error {
	full := filepath.Join(x.out, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(full, body, 0o644); err != nil {
		return err
	}
	if !textExts[path.Ext(name)] {
		return nil
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(body)
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(full+".gz", gz.Bytes(), 0o644)
}
