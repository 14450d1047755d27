package value

import (
	"encoding/binary"
	"strconv"

	"github.com/ember-kv/ember/internal/dict"
	"github.com/ember-kv/ember/resp"
)

// Encodings of a set value, as OBJECT ENCODING names them.
const (
	EncIntset    = "intset"
	EncHashtable = "hashtable"
)

// SetIntsetHardMax caps set-max-intset-entries, as Redis caps it.
const SetIntsetHardMax = 1 << 30

// Set is an unordered collection of distinct binary-safe strings, encoded
// as Redis 7.0 encodes it:
//
//   - "intset" while every member is an integer that fits in 64 bits (in
//     the strict form Redis accepts: no sign on zero, no leading zeros, no
//     spaces) and there are at most set-max-intset-entries of them. The
//     integers are packed in ascending order, little-endian, each in the
//     smallest width (2, 4 or 8 bytes) that holds every member; the width
//     only grows. Iteration is in ascending numeric order, lookups are a
//     binary search.
//   - "hashtable" once a member is not such an integer or the intset grows
//     past the limit. The conversion is one-way: the set stays a hash table
//     even when it shrinks or holds only integers again. Iteration order is
//     the hash table's.
//
// A Set is not safe for concurrent use; the keyspace's shard locks guard it.
type Set struct {
	// w is the intset element width in bytes (2, 4 or 8).
	w uint8
	// is holds the intset's packed members while ht is nil.
	is []byte
	// ht is the hash table once the set has been converted.
	ht *dict.Dict[struct{}]
	// htBytes is the hash table's members' lengths summed, kept as members
	// come and go so that Size is O(1) (see size.go).
	htBytes int
}

// NewSet returns an empty set encoded as an intset, the encoding Redis
// gives a new set; its first non-integer member converts it.
func NewSet() *Set { return &Set{w: 2} }

// SetMember is one member as a set hands it out: an intset gives integers
// (IsInt, N), a hash table gives strings (S).
type SetMember struct {
	S     string
	N     int64
	IsInt bool
}

// String returns the member's bytes as a string.
func (m SetMember) String() string {
	if m.IsInt {
		return strconv.FormatInt(m.N, 10)
	}
	return m.S
}

// Type implements Value.
func (s *Set) Type() Type { return TypeSet }

// Encoding implements Value.
func (s *Set) Encoding() string {
	if s.ht != nil {
		return EncHashtable
	}
	return EncIntset
}

// IsIntset reports whether the set is intset-encoded.
func (s *Set) IsIntset() bool { return s.ht == nil }

// Clone implements Value. The copy has the same encoding (members are
// immutable strings and are shared).
func (s *Set) Clone() Value {
	if s.ht == nil {
		return &Set{w: s.w, is: append([]byte(nil), s.is...)}
	}
	ht := dict.New[struct{}]()
	s.ht.Range(func(k string, _ struct{}) bool {
		ht.Set(k, struct{}{})
		return true
	})
	return &Set{w: s.w, ht: ht, htBytes: s.htBytes}
}

// Len returns the number of members.
func (s *Set) Len() int {
	if s.ht != nil {
		return s.ht.Len()
	}
	return len(s.is) / int(s.w)
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool {
	if s.ht != nil {
		_, ok := s.ht.GetBytes(m)
		return ok
	}
	n, ok := resp.ParseInt(m)
	if !ok {
		return false
	}
	_, found := s.isSearch(n)
	return found
}

// HasString reports whether m is a member.
func (s *Set) HasString(m string) bool {
	if s.ht != nil {
		_, ok := s.ht.Get(m)
		return ok
	}
	if len(m) > 20 {
		return false
	}
	var tmp [20]byte
	n, ok := resp.ParseInt(append(tmp[:0], m...))
	if !ok {
		return false
	}
	_, found := s.isSearch(n)
	return found
}

// HasInt reports whether the decimal form of n is a member.
func (s *Set) HasInt(n int64) bool {
	if s.ht != nil {
		var tmp [20]byte
		_, ok := s.ht.GetBytes(strconv.AppendInt(tmp[:0], n, 10))
		return ok
	}
	_, found := s.isSearch(n)
	return found
}

// HasMember reports whether m is a member.
func (s *Set) HasMember(m SetMember) bool {
	if m.IsInt {
		return s.HasInt(m.N)
	}
	return s.HasString(m.S)
}

// Add adds a copy of m, reporting whether it was new. maxIntset is
// set-max-intset-entries: an intset that grows past it, or receives a
// non-integer, becomes a hash table.
func (s *Set) Add(m []byte, maxIntset int) bool {
	if s.ht == nil {
		if n, ok := resp.ParseInt(m); ok {
			return s.AddInt(n, maxIntset)
		}
		s.convert()
	}
	if _, ok := s.ht.GetBytes(m); ok {
		return false
	}
	s.ht.Set(string(m), struct{}{})
	s.htBytes += len(m)
	return true
}

// AddString is Add for a string, which the set keeps (strings are
// immutable, so it is not copied).
func (s *Set) AddString(m string, maxIntset int) bool {
	if s.ht == nil {
		if len(m) <= 20 {
			var tmp [20]byte
			if n, ok := resp.ParseInt(append(tmp[:0], m...)); ok {
				return s.AddInt(n, maxIntset)
			}
		}
		s.convert()
	}
	if !s.ht.Set(m, struct{}{}) {
		return false
	}
	s.htBytes += len(m)
	return true
}

// AddInt adds the decimal form of n, reporting whether it was new.
func (s *Set) AddInt(n int64, maxIntset int) bool {
	if s.ht != nil {
		var tmp [20]byte
		b := strconv.AppendInt(tmp[:0], n, 10)
		if _, ok := s.ht.GetBytes(b); ok {
			return false
		}
		s.ht.Set(string(b), struct{}{})
		s.htBytes += len(b)
		return true
	}
	if !s.isAdd(n) {
		return false
	}
	if s.Len() > min(maxIntset, SetIntsetHardMax) {
		s.convert()
	}
	return true
}

// AddMember adds m, reporting whether it was new.
func (s *Set) AddMember(m SetMember, maxIntset int) bool {
	if m.IsInt {
		return s.AddInt(m.N, maxIntset)
	}
	return s.AddString(m.S, maxIntset)
}

// Remove removes m, reporting whether it was a member.
func (s *Set) Remove(m []byte) bool {
	if s.ht != nil {
		_, ok := s.ht.DeleteBytes(m)
		if ok {
			s.htBytes -= len(m)
		}
		return ok
	}
	n, ok := resp.ParseInt(m)
	return ok && s.isRemove(n)
}

// RemoveMember removes m, reporting whether it was a member.
func (s *Set) RemoveMember(m SetMember) bool {
	if s.ht != nil {
		if m.IsInt {
			var tmp [20]byte
			b := strconv.AppendInt(tmp[:0], m.N, 10)
			_, ok := s.ht.DeleteBytes(b)
			if ok {
				s.htBytes -= len(b)
			}
			return ok
		}
		_, ok := s.ht.Delete(m.S)
		if ok {
			s.htBytes -= len(m.S)
		}
		return ok
	}
	if m.IsInt {
		return s.isRemove(m.N)
	}
	if len(m.S) > 20 {
		return false
	}
	var tmp [20]byte
	n, ok := resp.ParseInt(append(tmp[:0], m.S...))
	return ok && s.isRemove(n)
}

// Each calls fn for every member until fn returns false: in ascending
// order for an intset, in the hash table's order otherwise. fn must not
// change the set.
func (s *Set) Each(fn func(m SetMember) bool) {
	if s.ht != nil {
		s.ht.Range(func(k string, _ struct{}) bool {
			return fn(SetMember{S: k})
		})
		return
	}
	for i, n := 0, s.Len(); i < n; i++ {
		if !fn(SetMember{N: s.isGet(i), IsInt: true}) {
			return
		}
	}
}

// Random returns a random member of a non-empty set: uniformly chosen
// from an intset, fairly (as Redis's dictGetFairRandomKey) from a hash
// table. rnd(n) must return a uniform value in [0, n).
func (s *Set) Random(rnd func(n uint64) uint64) SetMember {
	if s.ht != nil {
		k, _, _ := s.ht.RandomEntry(rnd)
		return SetMember{S: k}
	}
	return SetMember{N: s.isGet(int(rnd(uint64(s.Len())))), IsInt: true}
}

// Scan is one step of SSCAN over a hash-table set (see dict.Scan for the
// cursor's guarantee); it must not be called on an intset, which SSCAN
// returns whole.
func (s *Set) Scan(cursor uint64, fn func(member string)) uint64 {
	return s.ht.Scan(cursor, func(k string, _ struct{}) { fn(k) })
}

// convert turns an intset into a hash table.
func (s *Set) convert() {
	ht := dict.New[struct{}]()
	for i, n := 0, s.Len(); i < n; i++ {
		m := strconv.FormatInt(s.isGet(i), 10)
		ht.Set(m, struct{}{})
		s.htBytes += len(m)
	}
	s.ht = ht
	s.is = nil
}

// Intset internals.

// setWidth returns the intset width that n needs.
func setWidth(n int64) uint8 {
	switch {
	case n >= -1<<15 && n < 1<<15:
		return 2
	case n >= -1<<31 && n < 1<<31:
		return 4
	}
	return 8
}

// isGet returns the intset's member at index i.
func (s *Set) isGet(i int) int64 {
	switch s.w {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(s.is[2*i:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(s.is[4*i:])))
	}
	return int64(binary.LittleEndian.Uint64(s.is[8*i:]))
}

// isPut stores n at index i, in width w.
func isPut(b []byte, w uint8, i int, n int64) {
	switch w {
	case 2:
		binary.LittleEndian.PutUint16(b[2*i:], uint16(n))
	case 4:
		binary.LittleEndian.PutUint32(b[4*i:], uint32(n))
	default:
		binary.LittleEndian.PutUint64(b[8*i:], uint64(n))
	}
}

// isSearch finds n: its index if present, else the index where it would
// be inserted.
func (s *Set) isSearch(n int64) (int, bool) {
	size := s.Len()
	if size == 0 {
		return 0, false
	}
	// Appending in order is the common case: check the ends first.
	if last := s.isGet(size - 1); n >= last {
		if n == last {
			return size - 1, true
		}
		return size, false
	}
	if n < s.isGet(0) {
		return 0, false
	}
	lo, hi := 0, size-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		v := s.isGet(mid)
		switch {
		case v == n:
			return mid, true
		case v < n:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo, s.isGet(lo) == n
}

// isAdd inserts n into the intset, reporting whether it was new.
func (s *Set) isAdd(n int64) bool {
	if w := setWidth(n); w > s.w {
		s.isUpgrade(w, n)
		return true
	}
	i, found := s.isSearch(n)
	if found {
		return false
	}
	w := int(s.w)
	old := len(s.is)
	s.is = setGrow(s.is, w)
	copy(s.is[(i+1)*w:], s.is[i*w:old])
	isPut(s.is, s.w, i, n)
	return true
}

// setGrow extends b by n bytes, growing its capacity by about a quarter
// when it is full (an intset is at most set-max-intset-entries long, so
// doubling would mostly waste memory).
func setGrow(b []byte, n int) []byte {
	if len(b)+n <= cap(b) {
		return b[:len(b)+n]
	}
	c := len(b) + n
	c += c / 4
	c = (c + 7) &^ 7
	nb := make([]byte, len(b)+n, c)
	copy(nb, b)
	return nb
}

// isUpgrade re-encodes the intset in width w and adds n, which does not
// fit the old width and so is below or above every member.
func (s *Set) isUpgrade(w uint8, n int64) {
	size := s.Len()
	nb := make([]byte, (size+1)*int(w))
	off := 0
	if n < 0 {
		isPut(nb, w, 0, n)
		off = 1
	} else {
		isPut(nb, w, size, n)
	}
	for i := 0; i < size; i++ {
		isPut(nb, w, i+off, s.isGet(i))
	}
	s.w, s.is = w, nb
}

// isRemove deletes n from the intset, reporting whether it was there.
func (s *Set) isRemove(n int64) bool {
	if setWidth(n) > s.w {
		return false
	}
	i, found := s.isSearch(n)
	if !found {
		return false
	}
	w := int(s.w)
	copy(s.is[i*w:], s.is[(i+1)*w:])
	s.is = s.is[:len(s.is)-w]
	if cap(s.is) > 64 && len(s.is) < cap(s.is)/2 {
		// Give memory back, as Redis reallocates the intset to its size.
		s.is = append(make([]byte, 0, len(s.is)+len(s.is)/4), s.is...)
	}
	return true
}
