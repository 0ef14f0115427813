package framework

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/gzip"
)

// The memory tier holds a page gzip'd when gzip makes it smaller, as
// Varnish does: browsers, crawlers and CDNs all accept gzip, and the
// example blog's 7.4 KB post takes 2.3 KB that way, so the tier holds
// three times the pages. A client that does not accept gzip gets the body
// decompressed for it, and the pages such clients asked for recently keep
// their decompressed copy in the tier's plain share: each shard gives
// plainShare of its bytes to copies, evicted with CLOCK as the entries
// are, so that a page a plain client reads often is a hit that
// decompresses nothing.

// plainShare is the part of the memory tier's bytes that plain copies may
// take: one eighth.
const plainShare = 8

// A plainCopy is the decompressed body of an entry the tier holds gzip'd,
// in its shard's plain ring. e.plain points to it while the shard keeps it.
type plainCopy struct {
	key  string // the key the tier holds e under
	e    *entry
	body []byte
	cost int64
	mark clockMark
}

func (c *plainCopy) clock() *clockMark { return &c.mark }

// plainCopyOverhead is what a copy costs besides its body: the plainCopy
// and its ring slot.
const plainCopyOverhead = int64(unsafe.Sizeof(plainCopy{}) + unsafe.Sizeof((*plainCopy)(nil)))

// plainBody returns e's body for a client that does not accept gzip: the
// body e holds, its plain copy in the tier, or the gzip'd body decompressed,
// kept as e's plain copy when the tier holds e under key.
func (m *memoryTier) plainBody(key string, e *entry) ([]byte, error) {
	if e.gzipBody == nil || e.body != nil {
		return e.body, nil
	}
	if c := e.plain.Load(); c != nil {
		c.mark.touch()
		return c.body, nil
	}
	body, err := gunzip(e.gzipBody, e.plainLen)
	if err != nil {
		return nil, err
	}
	if !e.transient {
		m.keepPlain(key, e, body)
	}
	return body, nil
}

// keepPlain makes body e's plain copy if the tier holds e under key and the
// copy fits the shard's plain share, evicting copies not used since the
// plain clock hand last passed them.
func (m *memoryTier) keepPlain(key string, e *entry, body []byte) {
	s := m.shard(key)
	cost := int64(len(body)) + plainCopyOverhead
	if cost > s.plainLimit {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if it := s.items[key]; it == nil || it.e != e || e.plain.Load() != nil {
		return
	}
	c := &plainCopy{key: key, e: e, body: body, cost: cost}
	s.plainRing.add(c)
	s.plainBytes += cost
	e.plain.Store(c)
	for s.plainBytes > s.plainLimit {
		s.removePlain(s.plainRing.victim(c))
	}
}

// removePlain drops c from the shard; the caller holds the lock.
func (s *memoryShard) removePlain(c *plainCopy) {
	s.plainRing.remove(c)
	s.plainBytes -= c.cost
	c.e.plain.Store(nil)
}

// errPlainLength reports a gzip'd body whose length decompressed is not the
// one its entry says.
var errPlainLength = errors.New("framework: gzip'd body of the wrong length")

// A gunzipper is a decompressor and the reader it reads from, recycled
// together (gunzippers) so that decompressing allocates the body alone.
type gunzipper struct {
	src bytes.Reader
	zr  *gzip.Reader
}

var gunzippers = sync.Pool{New: func() any { return new(gunzipper) }}

// gunzip returns gz decompressed, which must be n bytes long.
func gunzip(gz []byte, n int) ([]byte, error) {
	g := gunzippers.Get().(*gunzipper)
	defer gunzippers.Put(g)
	g.src.Reset(gz)
	var err error
	if g.zr == nil {
		g.zr, err = gzip.NewReader(&g.src)
	} else {
		err = g.zr.Reset(&g.src)
	}
	if err != nil {
		return nil, err
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(g.zr, body); err != nil {
		return nil, err
	}
	var more [1]byte // and the end, where gzip checks its CRC
	if k, err := g.zr.Read(more[:]); k != 0 || err != io.EOF {
		return nil, errPlainLength
	}
	return body, nil
}
