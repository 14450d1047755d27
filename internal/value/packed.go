package value

import (
	"encoding/binary"
	"unsafe"

	"github.com/ember-kv/ember/resp"
)

// StringValue is a string key's value: a *PackedString, as SET and the
// commands that store a whole string create it, or a *String, as the
// commands that change a string in place leave it.
type StringValue interface {
	Value
	// Bytes returns the string's bytes. They may be changed in place only
	// through a *String; the slice's capacity is its length.
	Bytes() []byte
	// Int returns the value as an integer when it is one.
	Int() (int64, bool)
}

// IsString reports whether v is a string value.
func IsString(v Value) bool {
	switch v.(type) {
	case *PackedString, *String:
		return true
	}
	return false
}

// PackedString is an immutable string in one allocation, with no slice
// header and, once the keyspace stores it, the key it is stored under in
// the same allocation (as Redis keeps an embstr's header and bytes
// together): a small string key costs one allocation besides its table
// entry.
//
// A *PackedString points into its allocation at its header, which the
// key's bytes (when keyed) precede:
//
//	[key bytes] [b0] [uvarint length, when long] [uvarint key length, when keyed] [bytes]
//
// b0 holds the encoding in bits 0-1, the keyed flag in bit 2 and, in
// bits 3-7, the length when it is below packedLongLen.
type PackedString struct{ b0 byte }

const (
	packedEncMask = 3
	packedKeyed   = 1 << 2
	packedLenBits = 3
	// packedLongLen in b0's length bits means a uvarint length follows.
	packedLongLen = 31
)

// NewPackedString returns a packed string holding a copy of b, encoded as
// Redis's tryObjectEncoding encodes a value SET stores.
func NewPackedString(b []byte) *PackedString { return newPacked(nil, b, classify(b)) }

// NewPackedStringAt is NewPackedString with the key it is to be stored
// under packed in front, so that storing it allocates nothing more.
func NewPackedStringAt(key, b []byte) *PackedString { return newPacked(key, b, classify(b)) }

// NewPackedInt returns an int-encoded packed string holding n, keyed by
// key (nil: none).
func NewPackedInt(key []byte, n int64) *PackedString {
	var buf [20]byte
	return newPacked(key, resp.AppendInt(buf[:0], n), encInt)
}

// NewPackedStringByLen is NewStringByLen as a packed string, keyed by key
// (nil: none).
func NewPackedStringByLen(key, b []byte) *PackedString {
	enc := encRaw
	if len(b) <= embstrMax {
		enc = encEmb
	}
	return newPacked(key, b, enc)
}

func newPacked(key, b []byte, enc uint8) *PackedString {
	var hdr [2 * binary.MaxVarintLen64]byte
	h := packedHeader(hdr[:0], key, len(b), enc)
	buf := makeFilled(len(key) + len(h) + len(b))
	copy(buf, key)
	copy(buf[len(key):], h)
	copy(buf[len(key)+len(h):], b)
	return (*PackedString)(unsafe.Pointer(&buf[len(key)]))
}

// packedHeader appends the header of a string of n bytes encoded enc,
// keyed by key unless key is nil.
func packedHeader(dst []byte, key []byte, n int, enc uint8) []byte {
	b0 := enc
	if key != nil {
		b0 |= packedKeyed
	}
	if n < packedLongLen {
		b0 |= uint8(n) << packedLenBits
		dst = append(dst, b0)
	} else {
		dst = append(dst, b0|packedLongLen<<packedLenBits)
		dst = binary.AppendUvarint(dst, uint64(n))
	}
	if b0&packedKeyed != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(key)))
	}
	return dst
}

// layout decodes the header: the string's length, the key's length (0
// when not keyed) and the header's length.
func (s *PackedString) layout() (n, klen, hlen int) {
	p := unsafe.Pointer(s)
	n, hlen = int(s.b0>>packedLenBits), 1
	if n == packedLongLen {
		v, w := uvarintAt(unsafe.Add(p, 1))
		n, hlen = int(v), 1+w
	}
	if s.b0&packedKeyed != 0 {
		v, w := uvarintAt(unsafe.Add(p, hlen))
		klen, hlen = int(v), hlen+w
	}
	return n, klen, hlen
}

// uvarintAt decodes the uvarint at p, which a header holds.
func uvarintAt(p unsafe.Pointer) (uint64, int) {
	var v uint64
	for i, shift := 0, uint(0); ; i, shift = i+1, shift+7 {
		c := *(*byte)(unsafe.Add(p, i))
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i + 1
		}
	}
}

// Bytes implements StringValue. The bytes must not be changed.
func (s *PackedString) Bytes() []byte {
	p := unsafe.Pointer(s)
	n, hlen := int(s.b0>>packedLenBits), 1
	switch {
	case n == packedLongLen || s.b0&packedKeyed != 0 && *(*byte)(unsafe.Add(p, 1)) >= 0x80:
		n, _, hlen = s.layout()
	case s.b0&packedKeyed != 0:
		hlen = 2 // a short string keyed by a key shorter than 128 bytes
	}
	if n == 0 {
		return noBytes // not a pointer past the allocation's end
	}
	return unsafe.Slice((*byte)(unsafe.Add(p, hlen)), n)
}

// noBytes is the bytes of an empty string: empty, not nil.
var noBytes = []byte{}

// Len is the string's length.
func (s *PackedString) Len() int {
	n, _, _ := s.layout()
	return n
}

// Key returns the key packed in front of the string, and false when it
// has none.
func (s *PackedString) Key() (string, bool) {
	if s.b0&packedKeyed == 0 {
		return "", false
	}
	_, klen, _ := s.layout()
	return unsafe.String((*byte)(unsafe.Add(unsafe.Pointer(s), -klen)), klen), true
}

// KeyedBy reports whether the string's packed key is key.
func (s *PackedString) KeyedBy(key []byte) bool {
	k, ok := s.Key()
	return ok && k == string(key)
}

// WithKey returns the string packed with key in front: s itself when it
// already is, else a copy.
func (s *PackedString) WithKey(key []byte) *PackedString {
	if s.KeyedBy(key) {
		return s
	}
	return packedCopy(key, s)
}

func packedCopy(key []byte, s *PackedString) *PackedString {
	var hdr [2 * binary.MaxVarintLen64]byte
	b := s.Bytes()
	h := packedHeader(hdr[:0], key, len(b), s.b0&packedEncMask)
	buf := makeFilled(len(key) + len(h) + len(b))
	copy(buf, key)
	copy(buf[len(key):], h)
	copy(buf[len(key)+len(h):], b)
	return (*PackedString)(unsafe.Pointer(&buf[len(key)]))
}

// AllocBytes is the length of the string's allocation, packed key
// included.
func (s *PackedString) AllocBytes() int {
	n, klen, hlen := s.layout()
	return klen + hlen + n
}

// SetIntSameLen replaces the contents with n's decimal form, int-encoded,
// in place, when that form is exactly as long as the string (a counter
// that keeps its number of digits); it reports whether it could.
func (s *PackedString) SetIntSameLen(n int64) bool {
	var buf [20]byte
	d := resp.AppendInt(buf[:0], n)
	b := s.Bytes()
	if len(d) != len(b) {
		return false
	}
	copy(unsafe.Slice(unsafe.SliceData(b), len(b)), d)
	s.b0 = s.b0&^packedEncMask | encInt
	return true
}

// Type implements Value.
func (s *PackedString) Type() Type { return TypeString }

// Encoding implements Value.
func (s *PackedString) Encoding() string {
	switch s.b0 & packedEncMask {
	case encInt:
		return EncInt
	case encRaw:
		return EncRaw
	}
	return EncEmbStr
}

// Clone implements Value: an unkeyed copy.
func (s *PackedString) Clone() Value { return packedCopy(nil, s) }

// Int implements StringValue.
func (s *PackedString) Int() (int64, bool) { return resp.ParseInt(s.Bytes()) }

// Unpacked returns a *String holding a copy of the bytes, encoded "raw",
// for changing in place (Redis's dbUnshareStringValue).
func (s *PackedString) Unpacked() *String {
	return NewRawString(append([]byte(nil), s.Bytes()...))
}

// Bytes implements StringValue.
func (s *String) Bytes() []byte { return s.B[:len(s.B):len(s.B)] }
