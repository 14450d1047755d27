package cache

import (
	"bytes"
	"compress/flate"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Codec turns values into the bytes stored in Redis and back.
//
// Implementations must be safe for concurrent use. Marshal receives the value
// passed to Set or returned by a loader; Unmarshal receives a pointer to the
// caller's T. A Codec's output must not start with a NUL byte followed by
// "ember-cache:" (the negative-cache marker); none of the codecs here can
// produce that.
type Codec interface {
	// Marshal encodes v.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into the value v points to. It must not
	// modify data, nor keep it after returning (copy what the value
	// needs): data may be memory the Cache shares with other readers.
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec: encoding/json. Values stored with it are
// plain JSON, readable by any other service that shares the cache (the
// lesson's microservices case), whatever its language: a Node service reads
// them with JSON.parse(await redis.get(key)).
type JSONCodec struct{}

// Marshal encodes v as JSON.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes JSON data into v.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// GobCodec stores values in encoding/gob's binary format: smaller and
// faster than JSON for numbers and byte slices, exact for every Go type gob
// supports (a time.Time keeps its monotonic-free instant and zone offset,
// an int64 never becomes a float), but readable only by Go. Each value is a
// complete gob stream (type description, then the value), so any process
// can decode any value on its own; for small structs the type description
// is most of the bytes, which is why JSON often ends up no bigger.
//
// The usual gob rules apply: only exported fields are stored, and a value
// stored through an interface type needs gob.Register.
type GobCodec struct{}

// Marshal encodes v as a gob stream.
func (GobCodec) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Unmarshal decodes a gob stream into v.
func (GobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}

// Marker bytes of CompressCodec. Neither starts a JSON document or a gob
// stream of a real value, and neither is the negative marker's NUL.
const (
	markerRaw     = 0x01 // the rest is the inner codec's bytes, as they are
	markerDeflate = 0x02 // the rest is a raw DEFLATE stream of them
)

// DefaultCompressThreshold is CompressCodec's Threshold when it is zero.
const DefaultCompressThreshold = 1024

// CompressCodec wraps another Codec and DEFLATE-compresses (RFC 1951,
// compress/flate) the values whose encoding is at least Threshold bytes,
// when that makes them smaller.
//
// Stored format. A compressed value is the byte 0x02 followed by a raw
// DEFLATE stream of the inner codec's bytes (zlib.inflateRawSync in Node).
// A value left uncompressed is stored exactly as the inner codec wrote it,
// so with JSONCodec small values stay plain JSON, readable by anyone;
// only if the inner bytes themselves begin with 0x01 or 0x02 are they
// prefixed with the byte 0x01 to keep them unambiguous. Reading accepts all
// three forms, so turning compression on (or changing Threshold) for a
// cache that already holds values of the same inner codec is safe.
type CompressCodec struct {
	// Codec is the inner codec; nil means JSONCodec.
	Codec Codec
	// Threshold is the encoded size from which values are compressed.
	// Zero means DefaultCompressThreshold.
	Threshold int
	// Level is the flate compression level; zero means
	// flate.DefaultCompression.
	Level int
}

func (c CompressCodec) inner() Codec {
	if c.Codec == nil {
		return JSONCodec{}
	}
	return c.Codec
}

var flateWriters sync.Map // level → *sync.Pool of *flate.Writer

// Marshal encodes v with the inner codec and compresses the result if it is
// large enough and compression pays.
func (c CompressCodec) Marshal(v any) ([]byte, error) {
	data, err := c.inner().Marshal(v)
	if err != nil {
		return nil, err
	}
	threshold := c.Threshold
	if threshold <= 0 {
		threshold = DefaultCompressThreshold
	}
	if len(data) >= threshold {
		if z, err := deflate(data, c.Level); err != nil {
			return nil, err
		} else if len(z) < len(data) {
			return z, nil
		}
	}
	if len(data) > 0 && (data[0] == markerRaw || data[0] == markerDeflate) {
		out := make([]byte, 1+len(data))
		out[0] = markerRaw
		copy(out[1:], data)
		return out, nil
	}
	return data, nil
}

// deflate returns markerDeflate followed by the DEFLATE stream of data.
func deflate(data []byte, level int) ([]byte, error) {
	if level == 0 {
		level = flate.DefaultCompression
	}
	p, _ := flateWriters.LoadOrStore(level, &sync.Pool{})
	pool := p.(*sync.Pool)
	var buf bytes.Buffer
	buf.Grow(len(data)/2 + 16)
	buf.WriteByte(markerDeflate)
	w, _ := pool.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriter(&buf, level); err != nil {
			return nil, fmt.Errorf("cache: compress: %w", err)
		}
	} else {
		w.Reset(&buf)
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	pool.Put(w)
	return buf.Bytes(), nil
}

// errCorrupt is the error for a compressed value that does not inflate.
var errCorrupt = errors.New("cache: corrupt compressed value")

// Unmarshal decompresses data if it is compressed and decodes it with the
// inner codec.
func (c CompressCodec) Unmarshal(data []byte, v any) error {
	if len(data) > 0 {
		switch data[0] {
		case markerRaw:
			data = data[1:]
		case markerDeflate:
			r := flate.NewReader(bytes.NewReader(data[1:]))
			out, err := io.ReadAll(r)
			if err != nil {
				return fmt.Errorf("%w: %v", errCorrupt, err)
			}
			data = out
		}
	}
	return c.inner().Unmarshal(data, v)
}
