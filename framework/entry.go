package framework

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/klauspost/compress/gzip"
)

// An entry is one cached response (a page) or one cached value (data, in
// body). Everything a hit needs is computed when the entry is made or read
// from the store, so that serving it formats and allocates nothing.
type entry struct {
	status int
	// body is nil when gzipBody is not: the tier holds a page one way
	// (plain.go), and plainLen is its length decompressed.
	body        []byte
	gzipBody    []byte // nil when gzip does not make the body smaller
	plainLen    int
	sharedBody  bool          // body and gzipBody are another entry's too (a route's 404s)
	generatedAt int64         // Unix nanoseconds at the start of the render
	revalidate  time.Duration // effective window: the page's, or lower data's
	expire      time.Duration // how long past revalidate it may be served stale
	tags        []string      // tags of the data the page used
	// holeAt are the offsets in body where the page's PerRequest holes go, in
	// order (a partially prerendered page); nil for most pages.
	holeAt []int
	// holeNames are the names the holes at holeAt were registered under
	// (Hole.Register), "" for the others; nil when none was.
	holeNames []string
	// holes render the holes at holeAt for one request. Set when this
	// process rendered the entry; an entry read from the store gets them
	// from a render of the page in this process (see holeRenders).
	holes atomic.Pointer[[]Hole]

	// checkTags are the tags whose revalidation makes this entry stale:
	// tags plus the implicit tags of its path and of the layouts above it.
	checkTags []string
	header    responseHeader
	// checked caches the result of comparing checkTags with the app's tag
	// times, valid while no revalidation has happened since.
	checked atomic.Pointer[tagCheck]
	// firstCheck is the first value of checked for an entry read from the
	// store, filled before the entry is shared, so as not to allocate one.
	firstCheck tagCheck
	// stored is the length of the store's value a decoded entry keeps (its
	// bytes and strings point into it), 0 for a rendered entry.
	stored int
	// transient marks an entry read from the store that the memory tier
	// did not keep: nothing will see it again, so nothing is noted in it.
	transient bool
	// sharedCSP reports that header.csp is a value other pages share
	// (cspPolicy.sharedHeader), which the entry's cost leaves out.
	sharedCSP bool
	// source is how to render the page again, for Eager revalidation: set
	// when this process renders the page or first serves it.
	source atomic.Pointer[renderJob]
	// cspSources are the hash sources of the page's inline scripts and
	// styles (inlineSources), "" when they were not computed.
	cspSources string
	// plain is the decompressed body of an entry held gzip'd, while the
	// memory tier's plain share keeps it.
	plain atomic.Pointer[plainCopy]
}

// responseHeader holds an entry's header values, by slot (slotContentType,
// ...; "" for none). value returns one as the one-value slice an
// http.Header holds, pointing into the entry: putting it in a response
// allocates nothing, and the entry holds a string per value rather than a
// string and a slice.
type responseHeader struct {
	vals [headerSlots]string
	csp  []string // Content-Security-Policy, maybe other entries' too (sharedCSP)
}

// Header value slots of a responseHeader, in the order encode writes them.
const (
	slotContentType = iota
	slotCacheControl
	slotEtag
	slotLength
	slotGzipLength
	slotLocation // redirects only
	slotCacheTag
	headerSlots
)

// value returns the value of slot as an http.Header value, nil for none.
// Nothing may write to its element: it is the entry's.
func (h *responseHeader) value(slot int) []string {
	if h.vals[slot] == "" {
		return nil
	}
	return h.vals[slot : slot+1 : slot+1]
}

func (e *entry) contentType() string { return e.header.vals[slotContentType] }
func (e *entry) location() string    { return e.header.vals[slotLocation] }
func (e *entry) etag() string        { return e.header.vals[slotEtag] }

// newPageEntry makes the entry of a rendered page, compressing its body once
// here rather than on every response. The entry keeps the gzip'd body
// alone when gzip makes it smaller.
//
// A page with holes is not compressed: it is sent in parts, with the holes
// rendered per request between them.
func newPageEntry(status int, contentType, location string, body []byte, holeAt []int, generatedAt time.Time, revalidate, expire time.Duration, tags []string) *entry {
	e := &entry{
		status:      status,
		body:        body,
		plainLen:    len(body),
		generatedAt: generatedAt.UnixNano(),
		revalidate:  revalidate,
		expire:      expire,
		tags:        tags,
		holeAt:      holeAt,
	}
	e.header.vals[slotContentType] = contentType
	e.header.vals[slotLocation] = location
	e.header.vals[slotEtag] = bodyETag(body)
	if holeAt == nil {
		e.gzipBody = gzipBytes(body)
	}
	if e.gzipBody != nil {
		e.body = nil
	}
	return e
}

// bodyETag is the ETag of a page's body.
func bodyETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// minGzipSize is the body size below which gzip is not worth a header.
const minGzipSize = 512

// smallGzipSize is the body size below which gzipBytes compresses at a
// fast level (smallGzipLevel) rather than a thorough one (largeGzipLevel).
// For a small page the fixed cost of a thorough level (resetting its match
// tables, building Huffman tables) is most of the work, and the fast level
// loses few bytes. Above a few KB the compression itself dominates and the
// smaller output is worth its time.
//
// The compressor is github.com/klauspost/compress/gzip (Badger depends on
// it already), much faster than compress/gzip at these levels for a few
// more bytes.
const (
	smallGzipSize  = 8 << 10
	smallGzipLevel = 5
	largeGzipLevel = 7
)

// gzipWriters and gzipFastWriters recycle compressors: a new one allocates
// hundreds of KB, far more than the page it compresses.
var (
	gzipWriters = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, largeGzipLevel)
		return zw
	}}
	gzipFastWriters = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, smallGzipLevel)
		return zw
	}}
)

// gzipBytes returns body compressed, or nil when that does not save space.
func gzipBytes(body []byte) []byte {
	if len(body) < minGzipSize {
		return nil
	}
	writers := &gzipWriters
	if len(body) < smallGzipSize {
		writers = &gzipFastWriters
	}
	buf := gzipBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledGzipBuffer {
			gzipBuffers.Put(buf)
		}
	}()
	buf.Reset()
	zw := writers.Get().(*gzip.Writer)
	zw.Reset(buf)
	zw.Write(body)
	zw.Close()
	zw.Reset(nil) // drop buf
	writers.Put(zw)
	if buf.Len() >= len(body) {
		return nil
	}
	// A copy of its exact size: the entry may live long in the memory
	// tier, which counts its length (cost).
	return bytes.Clone(buf.Bytes())
}

// gzipBuffers recycles what gzipBytes compresses into, up to
// maxPooledGzipBuffer: the odd huge page does not stay in the pool.
var gzipBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledGzipBuffer = 1 << 20

// cacheControl returns the Cache-Control of a cached response, as Next.js
// sends it: CDNs may keep it for the window and serve it stale for expire.
func cacheControl(revalidate, expire time.Duration) string {
	if revalidate == Never {
		return "s-maxage=31536000"
	}
	s := "s-maxage=" + strconv.FormatInt(seconds(revalidate), 10)
	if expire > 0 {
		s += ", stale-while-revalidate=" + strconv.FormatInt(seconds(expire), 10)
	}
	return s
}

// seconds rounds d up to whole seconds, at least 1.
func seconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// cacheControl returns the Cache-Control of e as a cached page: for its
// window and expire time, or none (dynamicCacheControl) when its data made
// it dynamic. A response decides between it and the others in
// setPageHeader.
func (e *entry) cacheControl() string {
	if e.revalidate > 0 {
		return cacheControl(e.revalidate, e.expire)
	}
	return dynamicCacheControl
}

// dynamicCacheControl is the Cache-Control of a response no cache may keep.
const dynamicCacheControl = "private, no-cache, no-store, max-age=0, must-revalidate"

// privateCacheControl is the Cache-Control of a response made for one
// visitor out of shared parts (a page with holes, a draft-mode page): no
// shared cache may keep it, and the browser keeps no copy either.
const privateCacheControl = "private, no-store"

// pathTag and layoutTag are the implicit tags of paths, so that
// RevalidatePath is a tag revalidation like any other.
func pathTag(path string) string   { return "_path:" + path }
func layoutTag(path string) string { return "_layout:" + path }

// implicitTags returns the tags that RevalidatePath of path, or of any
// layout above it, sets: /blog/7 has _path:/blog/7, _layout:/,
// _layout:/blog and _layout:/blog/7.
func implicitTags(path string) []string {
	tags := []string{pathTag(path), layoutTag("/")}
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			tags = append(tags, layoutTag(path[:i]))
		}
	}
	if path != "/" {
		tags = append(tags, layoutTag(path))
	}
	return tags
}

// preparePage fills the derived fields of a page entry for path.
func (e *entry) preparePage(path string, withCacheTag bool) {
	e.checkTags = append(implicitTags(path), e.tags...)
	h := &e.header.vals
	h[slotCacheControl] = e.cacheControl()
	h[slotLength] = strconv.Itoa(e.plainLen)
	h[slotGzipLength], h[slotCacheTag] = "", ""
	if e.gzipBody != nil {
		h[slotGzipLength] = strconv.Itoa(len(e.gzipBody))
	}
	if withCacheTag && len(e.tags) > 0 {
		h[slotCacheTag] = strings.Join(e.tags, ",")
	}
}

// setCSP sets e's Content-Security-Policy from policy and the hashes of
// its inline scripts and styles, computing them when e was rendered
// without (by a process without a policy). Nothing is done without one.
func (e *entry) setCSP(policy *cspPolicy) {
	if policy == nil || e.location() != "" {
		return
	}
	if e.cspSources == "" {
		page := e.body
		if page == nil && e.gzipBody != nil { // held gzip'd
			page, _ = gunzip(e.gzipBody, e.plainLen)
		}
		e.cspSources = inlineSources(page)
	}
	e.header.csp, e.sharedCSP = policy.sharedHeader(e.cspSources)
}

// cost is the entry's weight in the memory tier: what it holds on the heap,
// so that the tier's bound is the memory it takes (checked by
// TestMemoryTierCostsWhatTheHeapHolds).
func (e *entry) cost() int64 {
	own := int64(0) // a page's own policy, with its hashes
	if e.header.csp != nil && !e.sharedCSP {
		own = int64(len(e.header.csp[0]))
	}
	if e.stored > 0 { // a decoded entry's bytes and strings are all in one buffer
		return int64(e.stored) + own + storedOverhead
	}
	own += int64(len(e.cspSources))
	// A rendered entry's are apart: the bodies, and strings and one-value
	// slices for its tags and header values, each rounded up to a size
	// class by the heap.
	n := len(e.body) + len(e.gzipBody) + len(e.etag()) + int(own) + renderedOverhead
	for _, t := range e.checkTags {
		n += len(t) + int(unsafe.Sizeof(""))
	}
	return int64(n+n/16) + entryOverhead
}

// entryOverhead is what any entry in the memory tier costs besides its
// bytes: the entry, its memory-tier item and map and ring slots, and its
// tags (about four implicit ones).
const entryOverhead = int64(unsafe.Sizeof(entry{}) + unsafe.Sizeof(memoryItem{}) + 64 + 4*unsafe.Sizeof(""))

// storedOverhead is entryOverhead for an entry read from the store, which
// comes with room for its tags (storedEntry).
const storedOverhead = entryOverhead + int64(unsafe.Sizeof(storedEntry{})-unsafe.Sizeof(entry{})) - 4*int64(unsafe.Sizeof(""))

// renderedOverhead is what a rendered entry adds: the strings of its
// header values and the arrays of its tag lists, each its own allocation
// (TestMemoryTierCostsWhatTheHeapHolds measures it).
const renderedOverhead = 64

func (e *entry) String() string {
	return fmt.Sprintf("entry{status %d, %d bytes, window %v}", e.status, e.plainLen, e.revalidate)
}
