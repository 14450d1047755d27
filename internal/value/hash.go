package value

import (
	"encoding/binary"
	"math/rand/v2"
	"unsafe"

	"github.com/ember-kv/ember/internal/dict"
)

// Hash is a map from fields to values (binary-safe strings), with Redis's
// two encodings:
//
//   - "listpack": a small hash is one packed byte slice holding its pairs in
//     insertion order, each string prefixed by its length as a uvarint (no
//     heap object per field). Lookups scan it, as Redis scans its listpack;
//     the encoding's size limits keep that short. Replies list the pairs in
//     insertion order, as Redis does.
//   - "hashtable": a dict from field to a hashCell. Each pair is one dict
//     entry (32 bytes) plus one allocation holding a small header, the
//     field's bytes and the value's bytes; the entry's key string points
//     into that allocation.
//
// A hash converts from listpack to hashtable once it holds more pairs than
// hash-max-listpack-entries or is given a field or value longer than
// hash-max-listpack-value (the callers pass those limits in); it never
// converts back. Byte slices a Hash hands out alias its storage: they are
// valid until the hash next changes and must not be modified.
type Hash struct {
	lp []byte // listpack form: field, value, field, value, ...
	n  int    // pairs in lp
	ht *dict.Dict[hashCell]
	// htBytes is the hashtable form's fields' and values' lengths summed,
	// kept as pairs change so that Size is O(1) (see size.go).
	htBytes int
}

// hashSafetySize is the listpack size beyond which a hash converts to a
// hashtable whatever the limits say (Redis's LISTPACK_MAX_SAFETY_SIZE).
const hashSafetySize = 1 << 30

// NewHash returns an empty listpack-encoded hash.
func NewHash() *Hash { return &Hash{} }

// Type implements Value.
func (h *Hash) Type() Type { return TypeHash }

// Encoding implements Value: "listpack" or "hashtable".
func (h *Hash) Encoding() string {
	if h.ht != nil {
		return "hashtable"
	}
	return "listpack"
}

// Clone implements Value: a deep copy in the same encoding.
func (h *Hash) Clone() Value {
	if h.ht == nil {
		lp := make([]byte, len(h.lp))
		copy(lp, h.lp)
		return &Hash{lp: lp, n: h.n}
	}
	c := &Hash{ht: dict.New[hashCell]()}
	h.ht.Range(func(f string, cell hashCell) bool {
		k, nc := hashNewCell(hashBytes(f), cell.value(len(f)))
		c.ht.Set(k, nc)
		return true
	})
	c.htBytes = h.htBytes
	return c
}

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.ht != nil {
		return h.ht.Len()
	}
	return h.n
}

// IsListpack reports whether the hash is listpack-encoded: its pairs keep
// insertion order.
func (h *Hash) IsListpack() bool { return h.ht == nil }

// hashBytes views a string's bytes without copying; they must not be
// modified.
func hashBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// hashCell is a hashtable value: a pointer to an allocation that starts
// with a uvarint header (the value's length << 1, plus 1 when the field's
// bytes are not there), then the field's bytes (unless that bit is set),
// then the value's bytes. The dict entry's key string points at the field's
// bytes, so a pair costs one entry and one allocation. A value replaced by
// a longer one moves to an allocation of its own (header and value only);
// the field stays where it is.
type hashCell struct{ p unsafe.Pointer }

// hashEmpty is the empty value (no allocation behind it).
var hashEmpty = []byte{}

// hashPutHeader writes x as a uvarint of exactly w bytes (padding with
// continuation bytes, which hashCell.header accepts).
func hashPutHeader(b []byte, x uint64, w int) {
	for i := 0; i < w-1; i++ {
		b[i] = byte(x) | 0x80
		x >>= 7
	}
	b[w-1] = byte(x)
}

// hashHeaderLen is the size of x as a minimal uvarint.
func hashHeaderLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// hashNewCell copies a field and a value into one allocation, returning
// the field as a string (the dict key, pointing into it) and the cell.
func hashNewCell(f, v []byte) (string, hashCell) {
	hdr := uint64(len(v)) << 1
	w := hashHeaderLen(hdr)
	buf := makeFilled(w + len(f) + len(v))
	hashPutHeader(buf, hdr, w)
	copy(buf[w:], f)
	copy(buf[w+len(f):], v)
	key := ""
	if len(f) > 0 {
		key = unsafe.String(&buf[w], len(f))
	}
	return key, hashCell{unsafe.Pointer(&buf[0])}
}

// header decodes the cell's header: the value's length, whether the
// field's bytes are left out, and the header's size.
func (c hashCell) header() (vlen int, separate bool, w int) {
	var x uint64
	for shift := 0; ; shift += 7 {
		b := *(*byte)(unsafe.Add(c.p, w))
		w++
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return int(x >> 1), x&1 != 0, w
		}
	}
}

// value returns the cell's value; flen is the length of its field.
func (c hashCell) value(flen int) []byte {
	vlen, separate, off := c.header()
	if vlen == 0 {
		return hashEmpty
	}
	if !separate {
		off += flen
	}
	return unsafe.Slice((*byte)(unsafe.Add(c.p, off)), vlen)
}

// set replaces the value of the cell at *cp, in place when the new value
// is no longer than the old one, otherwise in an allocation of its own.
func (cp *hashCell) set(flen int, v []byte) {
	vlen, separate, w := cp.header()
	if len(v) <= vlen {
		var flag uint64
		if separate {
			flag = 1
		}
		hdr := unsafe.Slice((*byte)(cp.p), w)
		hashPutHeader(hdr, uint64(len(v))<<1|flag, w)
		copy(cp.value(flen), v)
		return
	}
	x := uint64(len(v))<<1 | 1
	w = hashHeaderLen(x)
	buf := makeFilled(w + len(v))
	hashPutHeader(buf, x, w)
	copy(buf[w:], v)
	cp.p = unsafe.Pointer(&buf[0])
}

// lpLen decodes the length prefix at lp[p:], returning the length and the
// offset of the bytes it prefixes.
func lpLen(lp []byte, p int) (n, start int) {
	if c := lp[p]; c < 0x80 {
		return int(c), p + 1
	}
	v, w := binary.Uvarint(lp[p:])
	return int(v), p + w
}

// lpFind returns the offsets of field's pair in the listpack: where its
// field's prefix starts, and where its value's prefix starts; fpos is -1
// when the field is absent.
func (h *Hash) lpFind(field []byte) (fpos, vpos int) {
	lp := h.lp
	want := len(field)
	// The length prefixes are decoded inline: this loop is every listpack
	// lookup's cost.
	for p := 0; p < len(lp); {
		start := p
		fl := int(lp[p])
		p++
		if fl >= 0x80 {
			v, w := binary.Uvarint(lp[start:])
			fl, p = int(v), start+w
		}
		// Checking the last byte first skips most calls to memequal for
		// fields that share a prefix ("user:1", "user:2", ...).
		if fl == want && (fl == 0 || lp[p+fl-1] == field[fl-1]) && string(lp[p:p+fl]) == string(field) {
			return start, p + fl
		}
		p += fl
		vl := int(lp[p])
		p++
		if vl >= 0x80 {
			v, w := binary.Uvarint(lp[p-1:])
			vl, p = int(v), p-1+w
		}
		p += vl
	}
	return -1, -1
}

// lpNext returns the pair at offset p and the offset of the next pair.
func (h *Hash) lpNext(p int) (f, v []byte, next int) {
	fl, fs := lpLen(h.lp, p)
	fe := fs + fl
	vl, vs := lpLen(h.lp, fe)
	ve := vs + vl
	return h.lp[fs:fe:fe], h.lp[vs:ve:ve], ve
}

// Get returns field's value and whether the field exists.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.ht != nil {
		c, ok := h.ht.GetBytes(field)
		if !ok {
			return nil, false
		}
		return c.value(len(field)), true
	}
	_, vpos := h.lpFind(field)
	if vpos < 0 {
		return nil, false
	}
	vl, vs := lpLen(h.lp, vpos)
	return h.lp[vs : vs+vl : vs+vl], true
}

// Exists reports whether field exists.
func (h *Hash) Exists(field []byte) bool {
	_, ok := h.Get(field)
	return ok
}

// Set stores val at field and reports whether the field was added (false:
// an existing value was replaced). A listpack hash converts to a hashtable
// first when field or val is longer than maxValue, and afterwards when it
// holds more than maxEntries pairs. field and val are copied; they must
// not alias the hash's own storage.
func (h *Hash) Set(field, val []byte, maxEntries, maxValue int) (added bool) {
	if h.ht == nil && (len(field) > maxValue || len(val) > maxValue) {
		h.Convert()
	}
	if h.ht != nil {
		if p := h.ht.Ref(field); p != nil {
			h.htBytes += len(val) - len(p.value(len(field)))
			p.set(len(field), val)
			return false
		}
		k, c := hashNewCell(field, val)
		h.ht.Set(k, c)
		h.htBytes += len(field) + len(val)
		return true
	}
	if _, vpos := h.lpFind(field); vpos >= 0 {
		vl, vs := lpLen(h.lp, vpos)
		h.lpSplice(vpos, vs+vl, val)
		return false
	}
	h.lp = binary.AppendUvarint(h.lp, uint64(len(field)))
	h.lp = append(h.lp, field...)
	h.lp = binary.AppendUvarint(h.lp, uint64(len(val)))
	h.lp = append(h.lp, val...)
	h.n++
	if h.n > maxEntries {
		h.Convert()
	}
	return true
}

// lpSplice replaces the length-prefixed string at lp[start:end] with val.
func (h *Hash) lpSplice(start, end int, val []byte) {
	var hdr [binary.MaxVarintLen64]byte
	hn := binary.PutUvarint(hdr[:], uint64(len(val)))
	size, old := hn+len(val), end-start
	n := len(h.lp)
	switch {
	case size > old:
		grow := size - old
		if n+grow > cap(h.lp) {
			lp := make([]byte, n+grow, (n+grow)*5/4)
			copy(lp, h.lp[:start])
			copy(lp[start+size:], h.lp[end:])
			h.lp = lp
		} else {
			h.lp = h.lp[:n+grow]
			copy(h.lp[start+size:], h.lp[end:n])
		}
	case size < old:
		copy(h.lp[start+size:], h.lp[end:])
		h.lp = h.lp[:n-(old-size)]
	}
	copy(h.lp[start:], hdr[:hn])
	copy(h.lp[start+hn:], val)
}

// Delete removes field, reporting whether it existed.
func (h *Hash) Delete(field []byte) bool {
	if h.ht != nil {
		c, ok := h.ht.DeleteBytes(field)
		if ok {
			h.htBytes -= len(field) + len(c.value(len(field)))
		}
		return ok
	}
	fpos, vpos := h.lpFind(field)
	if fpos < 0 {
		return false
	}
	vl, vs := lpLen(h.lp, vpos)
	end := vs + vl
	h.lp = append(h.lp[:fpos], h.lp[end:]...)
	h.n--
	if cap(h.lp) > 64 && len(h.lp) < cap(h.lp)/4 {
		// Give back memory, as Redis reallocates its listpack.
		h.lp = append([]byte(nil), h.lp...)
	}
	return true
}

// TooBigForListpack reports whether storing the given fields and values
// would make a listpack hash convert: one of them is longer than maxValue,
// or together they would take the listpack past its safety size (Redis's
// hashTypeTryConversion).
func (h *Hash) TooBigForListpack(args [][]byte, maxValue int) bool {
	if h.ht != nil {
		return false
	}
	sum := 0
	for _, a := range args {
		if len(a) > maxValue {
			return true
		}
		sum += len(a)
	}
	return len(h.lp)+sum > hashSafetySize
}

// Convert turns a listpack hash into a hashtable one; it does nothing to a
// hashtable.
func (h *Hash) Convert() {
	if h.ht != nil {
		return
	}
	d := dict.New[hashCell]()
	for p := 0; p < len(h.lp); {
		f, v, next := h.lpNext(p)
		k, c := hashNewCell(f, v)
		d.Set(k, c)
		h.htBytes += len(f) + len(v)
		p = next
	}
	h.ht, h.lp, h.n = d, nil, 0
}

// Range calls fn for every pair until fn returns false: in insertion order
// for a listpack, in no particular order for a hashtable. fn must not
// change the hash.
func (h *Hash) Range(fn func(field, val []byte) bool) {
	if h.ht != nil {
		h.ht.Range(func(f string, c hashCell) bool { return fn(hashBytes(f), c.value(len(f))) })
		return
	}
	for p := 0; p < len(h.lp); {
		f, v, next := h.lpNext(p)
		if !fn(f, v) {
			return
		}
		p = next
	}
}

// Scan is one step of HSCAN over a hashtable hash (dict.Scan's cursor
// guarantee); on a listpack it passes every pair and returns 0. fn must
// not change the hash.
func (h *Hash) Scan(cursor uint64, fn func(field, val []byte)) uint64 {
	if h.ht == nil {
		h.Range(func(f, v []byte) bool { fn(f, v); return true })
		return 0
	}
	return h.ht.Scan(cursor, func(f string, c hashCell) { fn(hashBytes(f), c.value(len(f))) })
}

// hashRnd returns a uniformly random value in [0, n).
func hashRnd(n uint64) uint64 { return rand.Uint64N(n) }

// lpOffsets returns the offset of every pair of a listpack hash.
func (h *Hash) lpOffsets() []int {
	offs := make([]int, 0, h.n)
	for p := 0; p < len(h.lp); {
		offs = append(offs, p)
		_, _, p = h.lpNext(p)
	}
	return offs
}

// RandomPair returns a random pair of a non-empty hash.
func (h *Hash) RandomPair() (field, val []byte) {
	if h.ht != nil {
		f, c, _ := h.ht.RandomEntry(hashRnd)
		return hashBytes(f), c.value(len(f))
	}
	i := int(hashRnd(uint64(h.n)))
	p := 0
	for ; i > 0; i-- {
		_, _, p = h.lpNext(p)
	}
	f, v, _ := h.lpNext(p)
	return f, v
}

// RandomPairs calls fn count times with a random pair of a non-empty
// hash, drawn with replacement (HRANDFIELD with a negative count).
func (h *Hash) RandomPairs(count int, fn func(field, val []byte)) {
	if h.ht != nil {
		for ; count > 0; count-- {
			f, c, _ := h.ht.RandomEntry(hashRnd)
			fn(hashBytes(f), c.value(len(f)))
		}
		return
	}
	offs := h.lpOffsets()
	for ; count > 0; count-- {
		f, v, _ := h.lpNext(offs[hashRnd(uint64(len(offs)))])
		fn(f, v)
	}
}

// hashPair is one field and its value.
type hashPair struct{ f, v []byte }

// RandomDistinct calls fn with count distinct pairs chosen at random,
// 0 < count < Len(). As Redis, it picks a strategy by the ratio of count
// to the hash's size: when count is more than a third of it, a random
// subset of all pairs (in random order); otherwise, for a listpack, an
// ordered selection sample, and for a hashtable, random draws with
// duplicates thrown away.
func (h *Hash) RandomDistinct(count int, fn func(field, val []byte)) {
	size := h.Len()
	if count*3 > size {
		all := make([]hashPair, 0, size)
		h.Range(func(f, v []byte) bool {
			all = append(all, hashPair{f, v})
			return true
		})
		// A partial Fisher-Yates shuffle puts a uniform random subset first.
		for i := 0; i < count; i++ {
			j := i + int(hashRnd(uint64(size-i)))
			all[i], all[j] = all[j], all[i]
			fn(all[i].f, all[i].v)
		}
		return
	}
	if h.ht == nil {
		// Selection sampling (Knuth's algorithm S): each pair is taken with
		// probability needed/left, which yields a uniform subset in order.
		needed, left := count, size
		for p := 0; p < len(h.lp) && needed > 0; left-- {
			f, v, next := h.lpNext(p)
			if int(hashRnd(uint64(left))) < needed {
				fn(f, v)
				needed--
			}
			p = next
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		f, c, _ := h.ht.RandomEntry(hashRnd)
		if _, dup := seen[f]; dup {
			continue
		}
		seen[f] = struct{}{}
		fn(hashBytes(f), c.value(len(f)))
	}
}
