package value

import "github.com/ember-kv/ember/resp"

// Encoding of a string value, as OBJECT ENCODING names it.
const (
	EncInt    = "int"
	EncEmbStr = "embstr"
	EncRaw    = "raw"
)

// embstrMax is the longest string Redis stores embstr-encoded.
const embstrMax = 44

// String is a binary-safe string value. Redis reports its encoding as
// "int" (an integer that fits in 64 bits), "embstr" (short, set whole) or
// "raw" (long, or modified in place by APPEND, SETRANGE, SETBIT, ...).
type String struct {
	B   []byte
	enc uint8
}

const (
	encEmb uint8 = iota
	encInt
	encRaw
)

// NewString returns a string holding a copy of b, encoded as Redis's
// tryObjectEncoding would encode a value that SET stores.
func NewString(b []byte) *String {
	s := &String{B: append([]byte(nil), b...)}
	s.enc = classify(b)
	return s
}

// NewRawString returns a string taking ownership of b, encoded "raw" as
// Redis leaves values built in place.
func NewRawString(b []byte) *String { return &String{B: b, enc: encRaw} }

// NewIntString returns an int-encoded string holding n.
func NewIntString(n int64) *String {
	return &String{B: resp.AppendInt(nil, n), enc: encInt}
}

func classify(b []byte) uint8 {
	if len(b) <= 20 {
		if _, ok := resp.ParseInt(b); ok {
			return encInt
		}
	}
	if len(b) <= embstrMax {
		return encEmb
	}
	return encRaw
}

// Type implements Value.
func (s *String) Type() Type { return TypeString }

// Encoding implements Value.
func (s *String) Encoding() string {
	switch s.enc {
	case encInt:
		return EncInt
	case encRaw:
		return EncRaw
	}
	return EncEmbStr
}

// Clone implements Value.
func (s *String) Clone() Value {
	return &String{B: append([]byte(nil), s.B...), enc: s.enc}
}

// SetRaw marks the string as modified in place ("raw").
func (s *String) SetRaw() { s.enc = encRaw }

// Int returns the value as an integer when it is one.
func (s *String) Int() (int64, bool) { return resp.ParseInt(s.B) }

// NewStringByLen returns a string holding a copy of b, encoded by its length
// alone ("embstr" up to 44 bytes, "raw" beyond), as Redis encodes strings it
// builds itself without trying the integer form (INCRBYFLOAT's result).
func NewStringByLen(b []byte) *String {
	s := &String{B: append([]byte(nil), b...), enc: encRaw}
	if len(b) <= embstrMax {
		s.enc = encEmb
	}
	return s
}

// SetInt replaces the contents with n's decimal form, int-encoded, reusing
// the string's memory.
func (s *String) SetInt(n int64) {
	s.B = resp.AppendInt(s.B[:0], n)
	s.enc = encInt
}

// Append adds b at the end, in place; the string becomes "raw".
func (s *String) Append(b []byte) {
	s.B = append(s.B, b...)
	s.enc = encRaw
}

// GrowZero makes the string at least n bytes long, padding it with zero
// bytes; the string becomes "raw", as Redis unshares a string before
// changing it in place.
func (s *String) GrowZero(n int) {
	if n > len(s.B) {
		s.B = append(s.B, make([]byte, n-len(s.B))...)
	}
	s.enc = encRaw
}
