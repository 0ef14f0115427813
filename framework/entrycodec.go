package framework

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// entryVersion starts every encoded entry; a different one is read as a miss.
// Version 2 added the precomputed header values and implicit tags, 3 the
// offsets of holes, 4 the checksum, 5 the hashes of inline scripts and
// styles, 6 the body left out when it is gzip'd.
const entryVersion = 6

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
	cc := e.cacheControl()
	length, gzipLength := strconv.Itoa(e.plainLen), ""
	if len(e.gzipBody) > 0 {
		gzipLength = strconv.Itoa(len(e.gzipBody))
	}
	implicit := e.implicitTags()
	b := make([]byte, 0, 96+checksumSize+len(e.cspSources)+len(e.body)+len(e.gzipBody)+len(e.contentType())+len(e.etag())+len(e.location())+len(cc))
	b = append(b, entryVersion)
	b = binary.AppendUvarint(b, uint64(e.status))
	b = binary.AppendVarint(b, e.generatedAt)
	b = binary.AppendVarint(b, int64(e.revalidate))
	b = binary.AppendVarint(b, int64(e.expire))
	b = appendString(b, e.contentType())
	b = appendString(b, e.location())
	b = appendString(b, e.etag())
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
	b = appendString(b, e.cspSources)
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

// decodeEntry parses bytes made by encode. It never panics on bad input, and
// rejects bytes whose checksum does not match (errBadEntry).
//
// The entry keeps b: its body, gzip body and strings point into it, and its
// tags and check tags share one []string, most often in the entry's own
// allocation (storedEntry), so that a read from the store allocates the
// entry and nothing else. The caller
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
	se := &storedEntry{entry: entry{
		stored:      len(b),
		status:      int(d.uvarint()),
		generatedAt: d.varint(),
		revalidate:  time.Duration(d.varint()),
		expire:      time.Duration(d.varint()),
	}}
	e := &se.entry
	head := &e.header.vals
	head[slotContentType] = d.string()
	head[slotLocation] = d.string()
	head[slotEtag] = d.string()
	head[slotCacheControl] = d.string()
	head[slotLength] = d.string()
	head[slotGzipLength] = d.string()
	head[slotCacheTag] = d.string()
	tags, nImplicit, ok := d.tags(se.tags[:0])
	if !ok {
		return nil, errBadEntry
	}
	e.body = d.bytes()
	e.gzipBody = d.bytes()
	if !d.holes(e) {
		return nil, errBadEntry
	}
	e.cspSources = d.string()
	if d.err || len(d.b) != 0 {
		return nil, errBadEntry
	}
	if len(e.gzipBody) == 0 {
		e.gzipBody = nil
	}
	if !e.lengthsAre(head[slotLength], head[slotGzipLength]) {
		return nil, errBadEntry
	}
	e.checkTags = tags
	if len(tags) > nImplicit {
		e.tags = tags[nImplicit:]
	}
	return e, nil
}

// A storedEntry is an entry read from the store with room for its tags, so
// that a read allocates one object for both: a blog post has five (four
// implicit ones and its own).
type storedEntry struct {
	entry
	tags [storedTags]string
}

const storedTags = 6

// tags reads the implicit tags and the tags, in one slice: in room's
// capacity when they fit.
func (d *decoder) tags(room []string) (tags []string, nImplicit int, ok bool) {
	n := d.uvarint()
	if d.err || n > uint64(len(d.b)) {
		return nil, 0, false
	}
	// Each tag takes at least its length's byte, so len(d.b) bounds the
	// counts before anything is allocated for them.
	rest := d.b
	for range n {
		d.string()
	}
	nTags := d.uvarint()
	if d.err || nTags > uint64(len(d.b)) {
		return nil, 0, false
	}
	if n+nTags <= uint64(cap(room)) {
		tags = room[:n+nTags]
	} else {
		tags = make([]string, n+nTags)
	}
	d.b = rest
	for i := range n {
		tags[i] = d.string()
	}
	d.uvarint()
	for i := range nTags {
		tags[n+i] = d.string()
	}
	return tags, int(n), true
}

// holes reads the offsets and names of e's holes; it reports false when
// they cannot be e's.
func (d *decoder) holes(e *entry) bool {
	nHoles := d.uvarint()
	if nHoles == 0 || d.err {
		return true
	}
	// Each offset takes at least a byte, so len(d.b) bounds the count.
	if nHoles > uint64(len(d.b)) {
		return false
	}
	e.holeAt = make([]int, nHoles)
	last := uint64(0)
	for i := range e.holeAt {
		at := d.uvarint()
		if at < last || at > uint64(len(e.body)) {
			return false
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
	return true
}

// lengthsAre reports whether the stored Content-Lengths are those of e's
// bodies, and sets e.plainLen: what Content-Length says must be right. An
// entry holds its body or its gzip'd body, not both; gunzip checks the
// length of the one decompressed.
func (e *entry) lengthsAre(length, gzipLength string) bool {
	n, err := strconv.Atoi(length)
	if err != nil || n < 0 {
		return false
	}
	e.plainLen = n
	if e.gzipBody == nil {
		return n == len(e.body) && gzipLength == ""
	}
	if len(e.body) != 0 {
		return false
	}
	e.body = nil
	n, err = strconv.Atoi(gzipLength)
	return err == nil && n == len(e.gzipBody)
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
