package framework

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEntryRoundTrip(t *testing.T) {
	body := []byte(strings.Repeat("<p>hello</p>", 100))
	e := newPageEntry(200, htmlContentType, "", body, nil, time.Unix(100, 5), time.Minute, time.Hour, []string{"a", "b"})
	got, err := decodeEntry(e.encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.status != 200 || got.contentType() != htmlContentType || got.etag() != e.etag() ||
		got.generatedAt != e.generatedAt || got.revalidate != time.Minute || got.expire != time.Hour ||
		!reflect.DeepEqual(got.tags, e.tags) || got.plainLen != len(body) || !bytes.Equal(got.gzipBody, e.gzipBody) {
		t.Fatalf("round trip changed the entry: %v", got)
	}
	// A gzip'd page is held and stored gzip'd alone.
	if e.body != nil || got.body != nil || len(e.encode()) > len(e.gzipBody)+200 {
		t.Fatalf("the entry keeps the plain body: %d bytes, %d stored", len(got.body), len(e.encode()))
	}
	if plain, err := gunzip(got.gzipBody, got.plainLen); err != nil || !bytes.Equal(plain, body) {
		t.Fatalf("decompressed: %q, %v", plain, err)
	}
	if e.gzipBody == nil || len(e.gzipBody) >= len(body) {
		t.Fatal("a repetitive body was not compressed")
	}
	small := newPageEntry(200, htmlContentType, "", []byte("<p>hi</p>"), nil, time.Unix(1, 0), time.Minute, 0, nil)
	if small.gzipBody != nil {
		t.Fatal("a tiny body was compressed")
	}
}

// TestEntryChecksum: an entry with any one byte changed, or cut short, is
// rejected, never decoded into a page with other bytes.
func TestEntryChecksum(t *testing.T) {
	e := newPageEntry(200, htmlContentType, "", []byte(strings.Repeat("<p>hello</p>", 100)), nil, time.Unix(100, 5), time.Minute, time.Hour, []string{"a"})
	b := e.encode()
	if _, err := decodeEntry(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		damaged := bytes.Clone(b)
		damaged[i] ^= 0x20
		if _, err := decodeEntry(damaged); err == nil {
			t.Fatalf("byte %d of %d flipped: decoded", i, len(b))
		}
	}
	for _, n := range []int{0, 1, len(b) / 2, len(b) - 1} {
		if _, err := decodeEntry(b[:n]); err == nil {
			t.Fatalf("cut to %d of %d bytes: decoded", n, len(b))
		}
	}
}

// sealEntry appends the checksum encode would: the fuzzer's bytes reach the
// parser behind the checksum.
func sealEntry(b []byte) []byte {
	return binary.BigEndian.AppendUint32(bytes.Clone(b), crc32.Checksum(b, entryChecksum))
}

// FuzzDecodeEntry feeds the decoder entries without their checksum: each is
// decoded as it is and with a valid checksum appended, so that the parser
// behind the checksum is fuzzed too.
func FuzzDecodeEntry(f *testing.F) {
	unsealed := func(e *entry) []byte { b := e.encode(); return b[:len(b)-checksumSize] }
	f.Add(unsealed(newPageEntry(200, htmlContentType, "/x", []byte("body"), nil, time.Unix(1, 0), time.Minute, time.Hour, []string{"t"})))
	prepared := newPageEntry(200, htmlContentType, "", []byte(strings.Repeat("<p>x</p>", 100)), nil, time.Unix(1, 0), time.Minute, time.Hour, []string{"a", "b"})
	prepared.preparePage("/blog/7", true)
	f.Add(unsealed(prepared))
	f.Add([]byte{})
	f.Add([]byte{entryVersion, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, sealEntry(b)} {
			e, err := decodeEntry(in)
			if err != nil {
				continue
			}
			// What decodes must survive another round trip unchanged.
			again, err := decodeEntry(e.encode())
			if err != nil || !bytes.Equal(again.encode(), e.encode()) {
				t.Fatalf("round trip of a decoded entry: %v", err)
			}
		}
	})
}

// An entry read from the store carries what preparePage gives a rendered
// one: its encoding holds the derived header values and implicit tags.
func TestDecodedEntryIsPrepared(t *testing.T) {
	body := []byte(strings.Repeat("<p>hello</p>", 100))
	for _, tc := range []struct {
		location string
		tags     []string
		window   time.Duration
	}{
		{"", []string{"posts", "authors"}, time.Minute},
		{"/elsewhere", nil, Never},
	} {
		e := newPageEntry(200, htmlContentType, tc.location, body, nil, time.Unix(100, 5), tc.window, time.Hour, tc.tags)
		e.preparePage("/blog/7", true)
		got, err := decodeEntry(e.encode())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.header, e.header) || !reflect.DeepEqual(got.checkTags, e.checkTags) ||
			!reflect.DeepEqual(got.tags, e.tags) || got.location() != e.location() {
			t.Errorf("decoded %+v %q %q, want %+v %q %q", got.header, got.checkTags, got.tags, e.header, e.checkTags, e.tags)
		}
		if again := got.encode(); !bytes.Equal(again, e.encode()) {
			t.Error("a decoded entry encodes differently")
		}
	}
}

// BenchmarkDecodeEntry is what a read from the store costs on top of the
// store's: checking the checksum and parsing an entry of a 3 KB page with
// its gzip'd copy.
func BenchmarkDecodeEntry(b *testing.B) {
	body := bytes.Repeat([]byte("<p>Paragraph about caching, rendered once.</p>"), 64)
	e := newPageEntry(200, htmlContentType, "", body, nil, time.Unix(1, 0), time.Minute, time.Hour, []string{"posts"})
	e.preparePage("/blog/7", true)
	enc := e.encode()
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeEntry(enc); err != nil {
			b.Fatal(err)
		}
	}
}
