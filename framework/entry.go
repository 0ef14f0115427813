package framework

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
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
	status      int
	contentType string
	location    string // redirects only
	body        []byte
	gzipBody    []byte // nil when gzip does not make the body smaller
	sharedBody  bool   // body and gzipBody are another entry's too (a route's 404s)
	etag        string
	generatedAt int64         // Unix nanoseconds at the start of the render
	revalidate  time.Duration // effective window: the page's, or lower data's
	expire      time.Duration // how long past revalidate it may be served stale
	tags        []string      // tags of the data the page used
	// holeAt are the offsets in body where the page's Dynamic holes go, in
	// order (a partially prerendered page); nil for most pages.
	holeAt []int
	// holeNames are the names the holes at holeAt were registered under
	// (Hole.Register), "" for the others; nil when none was.
	holeNames []string
	// holes render the holes at holeAt for one request. Set when this
	// process rendered the entry; an entry read from the store gets them
	// from a render of the page in this process (see page.holesOf).
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
	// source is how to render the page again, for Eager revalidation: set
	// when this process renders the page or first serves it.
	source atomic.Pointer[renderJob]
}

// responseHeader holds an entry's header values, ready to be put in an
// http.Header without allocating.
type responseHeader struct {
	contentType, cacheControl, etag, location, cacheTag []string
	length, gzipLength                                  []string
}

// entryVersion starts every encoded entry; a different one is read as a miss.
// Version 2 added the precomputed header values and implicit tags, 3 the
// offsets of holes, 4 the checksum.
const entryVersion = 4

// entryChecksum is the CRC-32C (hardware-accelerated on amd64 and arm64)
// that ends every encoded entry. Badger checks the records of its newest
// value log only when it opens, and reads the older ones as they are: without
// it, a flipped bit on disk was served as a cached page (wrong bytes, or a
// gzip copy no browser can decode). A damaged entry is a miss instead.
var entryChecksum = crc32.MakeTable(crc32.Castagnoli)

// checksumSize is the length of the checksum at the end of an entry.
const checksumSize = 4

// errBadEntry reports bytes in the store that are not an entry of ours.
var errBadEntry = errors.New("framework: malformed cache entry")

// encode returns the entry's bytes as kept in the store. Besides the entry's
// own fields, it holds what preparePage derives from them (the header
// values and the implicit tags of the page's path, which lead checkTags), so
// that a read from the store parses and formats nothing.
func (e *entry) encode() []byte {
	cc := dynamicCacheControl
	if e.revalidate > 0 {
		cc = cacheControl(e.revalidate, e.expire)
	}
	length, gzipLength := strconv.Itoa(len(e.body)), ""
	if len(e.gzipBody) > 0 {
		gzipLength = strconv.Itoa(len(e.gzipBody))
	}
	implicit := e.implicitTags()
	b := make([]byte, 0, 96+checksumSize+len(e.body)+len(e.gzipBody)+len(e.contentType)+len(e.etag)+len(e.location)+len(cc))
	b = append(b, entryVersion)
	b = binary.AppendUvarint(b, uint64(e.status))
	b = binary.AppendVarint(b, e.generatedAt)
	b = binary.AppendVarint(b, int64(e.revalidate))
	b = binary.AppendVarint(b, int64(e.expire))
	b = appendString(b, e.contentType)
	b = appendString(b, e.location)
	b = appendString(b, e.etag)
	b = appendString(b, cc)
	b = appendString(b, length)
	b = appendString(b, gzipLength)
	b = appendString(b, strings.Join(e.tags, ","))
	b = binary.AppendUvarint(b, uint64(len(implicit)))
	for _, t := range implicit {
		b = appendString(b, t)
	}
	b = binary.AppendUvarint(b, uint64(len(e.tags)))
	for _, t := range e.tags {
		b = appendString(b, t)
	}
	b = appendBytes(b, e.body)
	b = appendBytes(b, e.gzipBody)
	b = binary.AppendUvarint(b, uint64(len(e.holeAt)))
	for _, at := range e.holeAt {
		b = binary.AppendUvarint(b, uint64(at))
	}
	if len(e.holeAt) > 0 {
		for i := range e.holeAt {
			name := ""
			if i < len(e.holeNames) {
				name = e.holeNames[i]
			}
			b = appendString(b, name)
		}
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, entryChecksum))
}

// implicitTags returns the implicit tags at the head of e.checkTags:
// preparePage puts them before e.tags.
func (e *entry) implicitTags() []string {
	n := len(e.checkTags) - len(e.tags)
	if n <= 0 {
		return nil
	}
	return e.checkTags[:n]
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Header value slots in the one []string a decoded entry allocates.
const (
	slotContentType = iota
	slotCacheControl
	slotEtag
	slotLength
	slotGzipLength
	slotLocation
	slotCacheTag
	headerSlots
)

// decodeEntry parses bytes made by encode. It never panics on bad input, and
// rejects bytes whose checksum does not match (errBadEntry).
//
// The entry keeps b: its body, gzip body and strings point into it, and its
// header values, tags and check tags share one []string, so that a read from
// the store allocates the entry and that slice and nothing else. The caller
// must not modify b afterwards (stores return a fresh or immutable value).
// The header's Cache-Tag is set whatever the App's option; the caller drops
// it.
func decodeEntry(b []byte) (*entry, error) {
	if len(b) < 1+checksumSize || b[0] != entryVersion {
		return nil, errBadEntry
	}
	payload := b[:len(b)-checksumSize]
	if crc32.Checksum(payload, entryChecksum) != binary.BigEndian.Uint32(b[len(payload):]) {
		return nil, errBadEntry
	}
	d := decoder{b: payload}
	if d.byte() != entryVersion {
		return nil, errBadEntry
	}
	e := &entry{
		stored:      len(b),
		status:      int(d.uvarint()),
		generatedAt: d.varint(),
		revalidate:  time.Duration(d.varint()),
		expire:      time.Duration(d.varint()),
	}
	var head [headerSlots]string
	head[slotContentType] = d.string()
	head[slotLocation] = d.string()
	head[slotEtag] = d.string()
	head[slotCacheControl] = d.string()
	head[slotLength] = d.string()
	head[slotGzipLength] = d.string()
	head[slotCacheTag] = d.string()
	nImplicit := d.uvarint()
	if d.err || nImplicit > uint64(len(d.b)) {
		return nil, errBadEntry
	}
	// Each tag takes at least its length's byte, so len(d.b) bounds the
	// counts before anything is allocated for them.
	rest := d.b
	for range nImplicit {
		d.string()
	}
	nTags := d.uvarint()
	if d.err || nTags > uint64(len(d.b)) {
		return nil, errBadEntry
	}
	vals := make([]string, headerSlots+int(nImplicit)+int(nTags))
	copy(vals, head[:])
	d.b = rest
	for i := range nImplicit {
		vals[headerSlots+int(i)] = d.string()
	}
	d.uvarint()
	for i := range nTags {
		vals[headerSlots+int(nImplicit)+int(i)] = d.string()
	}
	e.body = d.bytes()
	e.gzipBody = d.bytes()
	if nHoles := d.uvarint(); nHoles > 0 && !d.err {
		// Each offset takes at least a byte, so len(d.b) bounds the count.
		if nHoles > uint64(len(d.b)) {
			return nil, errBadEntry
		}
		e.holeAt = make([]int, nHoles)
		last := uint64(0)
		for i := range e.holeAt {
			at := d.uvarint()
			if at < last || at > uint64(len(e.body)) {
				return nil, errBadEntry
			}
			e.holeAt[i], last = int(at), at
		}
		e.holeNames = make([]string, nHoles)
		named := false
		for i := range e.holeNames {
			e.holeNames[i] = d.string()
			named = named || e.holeNames[i] != ""
		}
		if !named {
			e.holeNames = nil
		}
	}
	if d.err || len(d.b) != 0 {
		return nil, errBadEntry
	}
	if len(e.gzipBody) == 0 {
		e.gzipBody = nil
	}
	// The lengths are what Content-Length says: they must be right.
	if n, err := strconv.Atoi(head[slotLength]); err != nil || n != len(e.body) {
		return nil, errBadEntry
	}
	if e.gzipBody != nil {
		if n, err := strconv.Atoi(head[slotGzipLength]); err != nil || n != len(e.gzipBody) {
			return nil, errBadEntry
		}
	} else if head[slotGzipLength] != "" {
		return nil, errBadEntry
	}
	e.contentType, e.location, e.etag = head[slotContentType], head[slotLocation], head[slotEtag]
	e.checkTags = vals[headerSlots:]
	if nTags > 0 {
		e.tags = e.checkTags[nImplicit:]
	}
	slot := func(i int) []string { return vals[i : i+1 : i+1] }
	e.header = responseHeader{
		contentType:  slot(slotContentType),
		cacheControl: slot(slotCacheControl),
		etag:         slot(slotEtag),
		length:       slot(slotLength),
	}
	if e.location != "" {
		e.header.location = slot(slotLocation)
	}
	if e.gzipBody != nil {
		e.header.gzipLength = slot(slotGzipLength)
	}
	if len(e.tags) > 0 {
		e.header.cacheTag = slot(slotCacheTag)
	}
	return e, nil
}

// decoder reads what encode wrote, remembering the first error.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// string returns the next bytes as a string sharing their memory: the
// decoded entry keeps the buffer and nothing writes to it.
func (d *decoder) string() string {
	s := d.bytes()
	if len(s) == 0 {
		return ""
	}
	return unsafe.String(&s[0], len(s))
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err || n > uint64(len(d.b)) {
		d.err = true
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

// newPageEntry makes the entry of a rendered page, compressing its body once
// here rather than on every response.
//
// A page with holes is not compressed: it is sent in parts, with the holes
// rendered per request between them.
func newPageEntry(status int, contentType, location string, body []byte, holeAt []int, generatedAt time.Time, revalidate, expire time.Duration, tags []string) *entry {
	sum := sha256.Sum256(body)
	e := &entry{
		status:      status,
		contentType: contentType,
		location:    location,
		body:        body,
		etag:        `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`,
		generatedAt: generatedAt.UnixNano(),
		revalidate:  revalidate,
		expire:      expire,
		tags:        tags,
		holeAt:      holeAt,
	}
	if holeAt == nil {
		e.gzipBody = gzipBytes(body)
	}
	return e
}

// minGzipSize is the body size below which gzip is not worth a header.
const minGzipSize = 512

// smallGzipSize is the body size below which gzipBytes compresses at a
// fast level (smallGzipLevel) rather than a thorough one (largeGzipLevel).
// For a small page the fixed cost of a thorough level (resetting its match
// tables, building Huffman tables) is most of the work: the fast level
// compresses a 3 KB blog post in a quarter of the time, to 3% more bytes
// (700 against 678). Above a few KB the compression itself dominates and
// the smaller output is worth its time.
//
// The compressor is github.com/klauspost/compress/gzip (Badger depends on
// it already): at these levels it compresses a 3 KB post about twice as
// fast as compress/gzip's BestSpeed, and a 26 KB page five times as fast as
// compress/gzip's BestCompression, for 8% more bytes.
const (
	smallGzipSize  = 8 << 10
	smallGzipLevel = 2
	largeGzipLevel = 7
)

// gzipWriters and gzipFastWriters recycle compressors: a new one allocates
// hundreds of KB, far more than the page it compresses, which made every
// render a burst of garbage.
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
	cc := dynamicCacheControl
	if e.revalidate > 0 {
		cc = cacheControl(e.revalidate, e.expire)
	}
	e.header = responseHeader{
		contentType:  []string{e.contentType},
		cacheControl: []string{cc},
		etag:         []string{e.etag},
		length:       []string{strconv.Itoa(len(e.body))},
	}
	if e.location != "" {
		e.header.location = []string{e.location}
	}
	if e.gzipBody != nil {
		e.header.gzipLength = []string{strconv.Itoa(len(e.gzipBody))}
	}
	if withCacheTag && len(e.tags) > 0 {
		e.header.cacheTag = []string{strings.Join(e.tags, ",")}
	}
}

// cost is the entry's weight in the memory tier: what it holds on the heap,
// so that the tier's bound is the memory it takes (checked by
// TestMemoryTierCostsWhatTheHeapHolds).
func (e *entry) cost() int64 {
	if e.stored > 0 { // a decoded entry's bytes and strings are all in one buffer
		return int64(e.stored) + entryOverhead
	}
	// A rendered entry's are apart: the bodies, and strings and one-value
	// slices for its tags and header values, each rounded up to a size
	// class by the heap, by 6% on average.
	n := len(e.body) + len(e.gzipBody) + 2*len(e.etag) + renderedOverhead
	for _, t := range e.checkTags {
		n += len(t) + int(unsafe.Sizeof(""))
	}
	return int64(n+n/16) + entryOverhead
}

// entryOverhead is what any entry in the memory tier costs besides its
// bytes: the entry, its memory-tier item and map and ring slots, and its
// header values (a decoded entry's share one slice).
const entryOverhead = int64(unsafe.Sizeof(entry{}) + unsafe.Sizeof(memoryItem{}) + 64 + (headerSlots+4)*unsafe.Sizeof(""))

// renderedOverhead is what a rendered entry adds: a slice header and value
// for each of its header values, and its tag lists.
const renderedOverhead = 512

func (e *entry) String() string {
	return fmt.Sprintf("entry{status %d, %d bytes, window %v}", e.status, len(e.body), e.revalidate)
}
