package images

import (
	"bytes"
	"strconv"
)

// A variant is a rendered image as cached, with its header values.
type variant struct {
	format string
	etag   string
	body   []byte

	typeH, etagH, lengthH []string
}

func newVariant(format, etag string, body []byte) *variant {
	return &variant{format: format, etag: etag, body: body,
		typeH: []string{contentType(format)}, etagH: []string{etag}, lengthH: []string{strconv.Itoa(len(body))}}
}

// encode lays v out as the cache stores it: format, ETag, then the body.
func (v *variant) encode() []byte {
	b := make([]byte, 0, len(v.format)+len(v.etag)+2+len(v.body))
	b = append(b, v.format...)
	b = append(b, '\n')
	b = append(b, v.etag...)
	b = append(b, '\n')
	return append(b, v.body...)
}

// decodeVariant reads what encode wrote, or returns nil for anything else.
func decodeVariant(b []byte) *variant {
	format, rest, ok := bytes.Cut(b, []byte{'\n'})
	if !ok {
		return nil
	}
	etag, body, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return nil
	}
	switch string(format) {
	case formatWebP, formatJPEG, formatPNG:
	default:
		return nil
	}
	return newVariant(string(format), string(etag), body)
}
