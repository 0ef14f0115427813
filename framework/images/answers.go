package images

import (
	"hash/maphash"
	"sync/atomic"
)

// answers remembers the answers to the latest exact requests (raw query
// and Accept header) for variants of public files that never change, so
// that a repeated request is served without parsing it again. It is a
// fixed table, one answer a slot, the newest winning: no request makes it
// grow, and it holds at most answerSlots variants of answerMaxBytes.
type answers struct {
	seed  maphash.Seed
	slots [answerSlots]atomic.Pointer[answer]
}

const (
	answerSlots    = 256
	answerMaxBytes = 64 << 10
)

type answer struct {
	query, accept string
	cc            []string // Cache-Control
	v             *variant
}

func (a *answers) slot(query, accept string) *atomic.Pointer[answer] {
	h := maphash.String(a.seed, query)*31 + maphash.String(a.seed, accept)
	return &a.slots[h%answerSlots]
}

// get returns the answer to query and accept, or nil.
func (a *answers) get(query, accept string) *answer {
	if an := a.slot(query, accept).Load(); an != nil && an.query == query && an.accept == accept {
		return an
	}
	return nil
}

// add remembers an answer for a variant small enough.
func (a *answers) add(an *answer) {
	if len(an.v.body) <= answerMaxBytes {
		a.slot(an.query, an.accept).Store(an)
	}
}
