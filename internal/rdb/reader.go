package rdb

import (
	"encoding/binary"
	"strconv"
)

// Reader reads RDB lengths and strings from a byte slice. Every method
// returns ErrFormat, and never panics, on truncated or malformed input.
type Reader struct {
	b   []byte
	pos int
}

// NewReader returns a Reader over b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Remaining is the number of unread bytes.
func (r *Reader) Remaining() int { return len(r.b) - r.pos }

// Byte reads one byte.
func (r *Reader) Byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, ErrFormat
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

// Take reads the next n bytes; the result aliases the input.
func (r *Reader) Take(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.pos) {
		return nil, ErrFormat
	}
	s := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return s, nil
}

// Len reads a length. When encoded is true the byte announced a special
// string encoding (EncInt8 ... EncLZF), which is returned in n.
func (r *Reader) Len() (n uint64, encoded bool, err error) {
	c, err := r.Byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false, nil
	case 1:
		d, err := r.Byte()
		return uint64(c&0x3f)<<8 | uint64(d), false, err
	case 3:
		return uint64(c & 0x3f), true, nil
	}
	switch c {
	case 0x80:
		s, err := r.Take(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(s)), false, nil
	case 0x81:
		s, err := r.Take(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(s), false, nil
	}
	return 0, false, ErrFormat
}

// Count reads a length used as a number of elements or a tag. Like
// Redis, the special-encoding form is read as its six-bit value. A count
// larger than the whole input (each element takes at least a byte) is
// an error.
func (r *Reader) Count() (int, error) {
	n, _, err := r.Len()
	if err != nil || n > uint64(len(r.b)) {
		return 0, ErrFormat
	}
	return int(n), nil
}

// String reads a string in any of its encodings: raw, an integer (as its
// decimal text) or LZF-compressed. The result is a fresh copy.
func (r *Reader) String() ([]byte, error) {
	n, enc, err := r.Len()
	if err != nil {
		return nil, err
	}
	if !enc {
		s, err := r.Take(n)
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), s...), nil
	}
	switch n {
	case EncInt8:
		s, err := r.Take(1)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int8(s[0])), 10), nil
	case EncInt16:
		s, err := r.Take(2)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(s))), 10), nil
	case EncInt32:
		s, err := r.Take(4)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(s))), 10), nil
	case EncLZF:
		// Both lengths are read as Redis reads them: an encoded-form
		// byte counts as its six-bit value.
		clen, _, err := r.Len()
		if err != nil {
			return nil, err
		}
		ulen, _, err := r.Len()
		if err != nil {
			return nil, err
		}
		comp, err := r.Take(clen)
		if err != nil {
			return nil, err
		}
		if ulen > uint64(maxExpansion*len(comp)) {
			return nil, ErrFormat // more than comp can expand to
		}
		return Decompress(comp, int(ulen))
	}
	return nil, ErrFormat
}
