package cli

import (
	"fmt"
	"net/http"
	pathpkg "path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/isr-go/framework/codegen"
	"github.com/isr-go/framework/framework/asset"
)

// devAssets holds the bundles of assets/ as framework dev last made them
// after an edit, served from memory in place of those compiled into the
// running server: an edit of assets/ is shown without a Go rebuild. The
// pages the server renders still name the bundles of its own build, so a
// bundle is looked up by its name without the hash: "styles.4G3J7X3G.css"
// answers with the current styles.css, whatever its hash now.
type devAssets struct {
	mu    sync.Mutex
	files map[string][]byte // by name without hash; nil until the first edit
}

// fingerprint is the hash esbuild puts in an output's name: "[name].[hash]".
var fingerprint = regexp.MustCompile(`\.[A-Z2-7]{8}\.`)

// unhashed returns name without its hash: "styles.4G3J7X3G.css" gives
// "styles.css".
func unhashed(name string) string { return fingerprint.ReplaceAllLiteralString(name, ".") }

// rebuild bundles dir/assets again and keeps the result.
func (a *devAssets) rebuild(dir string) error {
	out, _, err := codegen.Bundle(dir)
	if err != nil {
		return err
	}
	files := make(map[string][]byte, len(out))
	for name, body := range out {
		files[unhashed(name)] = body
	}
	a.mu.Lock()
	a.files = files
	a.mu.Unlock()
	return nil
}

// serve answers a request for a bundle from memory, not to be cached, and
// reports whether it did (false: no edit yet, or no such file, for the
// running server to answer).
func (a *devAssets) serve(w http.ResponseWriter, r *http.Request) bool {
	name, ok := strings.CutPrefix(r.URL.Path, asset.StaticPrefix)
	if !ok {
		return false
	}
	a.mu.Lock()
	body, ok := a.files[unhashed(name)]
	a.mu.Unlock()
	if !ok {
		return false
	}
	w.Header().Set("Content-Type", codegen.ContentType(pathpkg.Base(name)))
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(body)
	return true
}

// isAsset reports whether rel (slash-separated, relative to the app) is a
// source of the bundles: a file under assets/.
func isAsset(rel string) bool { return strings.HasPrefix(rel, codegen.AssetsDir+"/") }

// changeAssets bundles assets/ again after an edit of files (rel paths),
// and tells the open tabs: a stylesheet is swapped in place when only CSS
// changed; anything else reloads the page. A bundle that fails shows as a
// build error does, until the next good one.
func (d *devServer) changeAssets(files []string) {
	start := time.Now()
	err := d.assets.rebuild(d.dir)
	d.mu.Lock()
	if err != nil {
		d.buildErr = err.Error()
		d.assetsFailed = true
	} else if d.assetsFailed {
		d.buildErr, d.assetsFailed = "", false
	}
	d.mu.Unlock()
	if err != nil {
		fmt.Fprintf(d.env.Stderr, "framework dev: bundling assets/ failed:\n%s\n", err)
		d.reloadClients()
		return
	}
	cssOnly := true
	for _, f := range files {
		cssOnly = cssOnly && strings.HasSuffix(f, ".css")
	}
	fmt.Fprintf(d.env.Stdout, "framework dev: %s: bundled in %s, no rebuild needed\n", strings.Join(files, ", "), time.Since(start).Round(time.Millisecond))
	if cssOnly {
		d.notifyClients("css")
	} else {
		d.reloadClients()
	}
}

// reset forgets the bundles made after edits: a new build of the app
// embeds its own.
func (a *devAssets) reset() {
	a.mu.Lock()
	a.files = nil
	a.mu.Unlock()
}

// relNamesList returns files relative to root, slash-separated.
func relNamesList(root string, files []string) []string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f
		if rel, ok := appRel(root, f); ok {
			names[i] = rel
		}
	}
	return names
}

// cssSwap is the part of the dev reload script that answers a "css"
// event: each stylesheet of assets/ is loaded again beside the old one,
// which goes once the new one applies, so that the page keeps its state
// and scroll and never shows unstyled.
const cssSwap = `es.addEventListener("css",function(){` +
	`document.querySelectorAll('link[rel=stylesheet][href^="` + asset.StaticPrefix + `"]').forEach(function(old){` +
	`var l=old.cloneNode();l.href=old.href.split("?")[0]+"?dev="+Date.now();` +
	`l.onload=function(){old.remove()};old.after(l)})});`
