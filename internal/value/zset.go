package value

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"unsafe"

	"github.com/ember-kv/ember/internal/dict"
)

// ZSet is a sorted set: members (binary strings) ordered by score, ties
// broken by the members' bytes, as Redis orders them.
//
// Like Redis it has two encodings. A small set is "listpack": one packed
// byte slice holding every (member, score) pair in order, with no heap
// object per element; lookups and changes scan it, which is cheap while it
// stays within zset-max-listpack-entries (128) entries of at most
// zset-max-listpack-value (64) bytes. Past either limit it converts, for
// good, to "skiplist" (the name Redis reports): a hash table member → score
// for O(1) ZSCORE, ZSCAN cursors and fair random members, plus an
// order-statistic B+tree giving O(log N) rank, select-by-rank and
// range-by-score/lex.
//
// Why a B+tree and not a skiplist with span counts as Redis uses: both give
// the same O(log N) bounds, but Go cannot put a variable number of levels
// inline in a node, so a skiplist costs a node object plus a level array per
// element, scattered over the heap, and every step of a search is a cache
// miss; the B+tree keeps elements in 24-byte slots of 63-element leaves and
// spends about one internal node per 2,000 elements. BenchmarkZSetStructure
// (zset_test.go) compares this tree with a span-counting skiplist written
// the Redis way (p = 1/4), on 1M elements with random scores, operations in
// random order (2-core Xeon VM, Go 1.26, -benchtime=1x):
//
//	                       B+tree    skiplist
//	insert (ns/op)            783        4389
//	rank (ns/op)             1124        5162
//	select by rank (ns/op)    329        4102
//	delete (ns/op)            777        5316
//	heap bytes/element         45          85   (structure only; member
//	                                             bytes not counted)
//
// A whole skiplist-encoded set (tree, dict member → score, member bytes
// stored once and shared by both) takes about 100 bytes per element for
// "member:N" members (BenchmarkZSetMemory; Redis's MEMORY USAGE reports 98
// for the same set), a listpack set about 24 (Redis: 16).
//
// The listpack form keeps Redis's quirks that replies can show: a score of
// -0 is stored as 0 (Redis writes integral scores as integers), while the
// skiplist form keeps -0.
type ZSet struct {
	lp  []byte // listpack form: the packed entries, in order
	n   int    // listpack form: the number of entries
	big *zsBig // skiplist form, or nil
}

// Encoding names of a sorted set, as OBJECT ENCODING reports them.
const (
	zsEncListpack = "listpack"
	zsEncSkiplist = "skiplist"
)

// ZLimits are the listpack thresholds in force when a set changes:
// zset-max-listpack-entries and zset-max-listpack-value.
type ZLimits struct {
	MaxEntries int64
	MaxValue   int64
}

// fits reports whether a set of n members, the longest maxLen bytes, may
// be listpack encoded.
func (l ZLimits) fits(n, maxLen int) bool {
	return int64(n) <= l.MaxEntries && int64(maxLen) <= l.MaxValue
}

// NewZSet returns an empty sorted set in the encoding Redis gives a set it
// creates for sizeHint members of at most maxLenHint bytes: listpack unless
// either exceeds the limits.
func NewZSet(sizeHint, maxLenHint int, lim ZLimits) *ZSet {
	z := &ZSet{}
	if !lim.fits(sizeHint, maxLenHint) {
		z.big = newZsBig()
	}
	return z
}

// ZEntry is a member and its score.
type ZEntry struct {
	Member string
	Score  float64
}

// NewZSetSorted builds a set from entries already in order (by score, then
// member) with distinct members, as Redis builds the result of ZUNIONSTORE,
// ZINTERSTORE and ZDIFFSTORE: a skiplist, converted to a listpack when
// the result is within the limits. It keeps the entries' member strings.
func NewZSetSorted(entries []ZEntry, lim ZLimits) *ZSet {
	maxLen := 0
	for i := range entries {
		maxLen = max(maxLen, len(entries[i].Member))
	}
	z := &ZSet{}
	if len(entries) > 0 && lim.fits(len(entries), maxLen) {
		size := 0
		for i := range entries {
			size += zlpEntrySize(len(entries[i].Member))
		}
		z.lp = make([]byte, 0, size)
		for i := range entries {
			z.lp = zlpAppend(z.lp, zsBytes(entries[i].Member), entries[i].Score)
		}
		z.n = len(entries)
		return z
	}
	z.big = newZsBig()
	z.big.load(entries)
	return z
}

// Type implements Value.
func (z *ZSet) Type() Type { return TypeZSet }

// Encoding implements Value.
func (z *ZSet) Encoding() string {
	if z.big != nil {
		return zsEncSkiplist
	}
	return zsEncListpack
}

// IsListpack reports whether the set is in its small encoding.
func (z *ZSet) IsListpack() bool { return z.big == nil }

// Clone implements Value: a copy in the same encoding.
func (z *ZSet) Clone() Value {
	if z.big == nil {
		return &ZSet{lp: append([]byte(nil), z.lp...), n: z.n}
	}
	entries := make([]ZEntry, 0, z.Len())
	for it := z.Iter(0); it.Valid(); it.Next() {
		entries = append(entries, ZEntry{Member: it.memberString(), Score: it.Score()})
	}
	c := &ZSet{big: newZsBig()}
	c.big.load(entries)
	return c
}

// Len returns the number of members.
func (z *ZSet) Len() int {
	if z.big != nil {
		return z.big.dict.Len()
	}
	return z.n
}

// Score returns member's score.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.big != nil {
		return z.big.dict.GetBytes(member)
	}
	off := z.lpFind(member)
	if off < 0 {
		return 0, false
	}
	_, s, _ := zlpDecode(z.lp, off)
	return s, true
}

// ZAddFlags are ZADD's conditions.
type ZAddFlags uint8

// ZADD conditions.
const (
	ZAddNX ZAddFlags = 1 << iota
	ZAddXX
	ZAddGT
	ZAddLT
	ZAddIncr
)

// ZAddResult says what Add did.
type ZAddResult uint8

// Results of Add.
const (
	// ZAddSame: the member exists and keeps its score.
	ZAddSame ZAddResult = iota
	// ZAddAdded: a new member.
	ZAddAdded
	// ZAddUpdated: an existing member got a new score.
	ZAddUpdated
	// ZAddNop: a condition (NX, XX, GT, LT) prevented the change.
	ZAddNop
	// ZAddNaN: the score, or the incremented score, is not a number.
	ZAddNaN
)

// Add sets member's score under ZADD's conditions (INCR adds score to the
// current one) and returns what happened and the resulting score (for
// ZAddSame, ZAddAdded, ZAddUpdated). A listpack set converts to the
// skiplist form when a new member would exceed lim.
func (z *ZSet) Add(member []byte, score float64, flags ZAddFlags, lim ZLimits) (ZAddResult, float64) {
	if math.IsNaN(score) {
		return ZAddNaN, 0
	}
	cur, exists := z.Score(member)
	if exists {
		if flags&ZAddNX != 0 {
			return ZAddNop, 0
		}
		if flags&ZAddIncr != 0 {
			score += cur
			if math.IsNaN(score) {
				return ZAddNaN, 0
			}
		}
		if (flags&ZAddLT != 0 && score >= cur) || (flags&ZAddGT != 0 && score <= cur) {
			return ZAddNop, 0
		}
		if score == cur {
			return ZAddSame, score
		}
		if z.big != nil {
			z.big.update(member, cur, score)
		} else {
			z.lpDelete(z.lpFind(member))
			z.lpInsert(member, score)
		}
		return ZAddUpdated, score
	}
	if flags&ZAddXX != 0 {
		return ZAddNop, 0
	}
	if z.big == nil && (int64(z.n)+1 > lim.MaxEntries || int64(len(member)) > lim.MaxValue) {
		z.convert()
	}
	if z.big != nil {
		z.big.insert(string(member), score)
	} else {
		z.lpInsert(member, score)
	}
	return ZAddAdded, score
}

// Remove deletes member, reporting whether it was there.
func (z *ZSet) Remove(member []byte) bool {
	if z.big != nil {
		return z.big.remove(member)
	}
	off := z.lpFind(member)
	if off < 0 {
		return false
	}
	z.lpDelete(off)
	return true
}

// Rank returns member's 0-based rank in ascending order.
func (z *ZSet) Rank(member []byte) (int, bool) {
	if z.big != nil {
		s, ok := z.big.dict.GetBytes(member)
		if !ok {
			return 0, false
		}
		return z.big.rank(s, zsStr(member)), true
	}
	for off, i := 0, 0; off < len(z.lp); i++ {
		m, _, next := zlpDecode(z.lp, off)
		if bytes.Equal(m, member) {
			return i, true
		}
		off = next
	}
	return 0, false
}

// convert turns a listpack set into the skiplist form.
func (z *ZSet) convert() {
	entries := make([]ZEntry, 0, z.n+1)
	for off := 0; off < len(z.lp); {
		m, s, next := zlpDecode(z.lp, off)
		entries = append(entries, ZEntry{Member: string(m), Score: s})
		off = next
	}
	z.big = newZsBig()
	z.big.load(entries)
	z.lp, z.n = nil, 0
}

// RemoveRank deletes count members from rank start on (ascending ranks,
// start+count <= Len) and returns count.
func (z *ZSet) RemoveRank(start, count int) int {
	if count <= 0 {
		return 0
	}
	if z.big != nil {
		z.big.removeRank(start, count)
		return count
	}
	off := z.lpSeek(start)
	end := off
	for i := 0; i < count; i++ {
		_, _, end = zlpDecode(z.lp, end)
	}
	z.lp = append(z.lp[:off], z.lp[end:]...)
	z.n -= count
	return count
}

// RemoveScoreRange deletes the members whose scores are in r and returns
// how many it deleted.
func (z *ZSet) RemoveScoreRange(r *ZScoreRange) int {
	first, ok := z.FirstInScore(r)
	if !ok {
		return 0
	}
	n := 0
	for it := z.Iter(first); it.Valid() && r.LteMax(it.Score()); it.Next() {
		n++
	}
	return z.RemoveRank(first, n)
}

// RemoveLexRange deletes the members in the lexicographic range r and
// returns how many it deleted.
func (z *ZSet) RemoveLexRange(r *ZLexRange) int {
	var first int
	if z.big != nil {
		// As Redis's skiplist: from the first member >= min, with no
		// check of the range as a whole.
		first = z.big.rankFirst(func(it *zsItem) bool { return r.GteMin(zsBytes(it.member)) })
	} else {
		var ok bool
		if first, ok = z.FirstInLex(r); !ok {
			return 0
		}
	}
	n := 0
	for it := z.Iter(first); it.Valid() && r.LteMax(it.Member()); it.Next() {
		n++
	}
	return z.RemoveRank(first, n)
}

// Random returns a member chosen at random (fairly, as Redis), and its
// score. The set must not be empty. rnd(n) returns a value in [0, n).
func (z *ZSet) Random(rnd func(n uint64) uint64) ([]byte, float64) {
	if z.big != nil {
		k, s, _ := z.big.dict.RandomEntry(rnd)
		return zsBytes(k), s
	}
	m, s, _ := zlpDecode(z.lp, z.lpSeek(int(rnd(uint64(z.n)))))
	return m, s
}

// Scan calls fn for the members of one step of a ZSCAN over the skiplist
// form's hash table, and returns the next cursor (0 at the end). A listpack
// set yields everything at once with cursor 0.
func (z *ZSet) Scan(cursor uint64, fn func(member []byte, score float64)) uint64 {
	if z.big == nil {
		for off := 0; off < len(z.lp); {
			m, s, next := zlpDecode(z.lp, off)
			fn(m, s)
			off = next
		}
		return 0
	}
	return z.big.dict.Scan(cursor, func(k string, s float64) { fn(zsBytes(k), s) })
}

// AppendScanScore appends a score as ZSCAN shows it: a listpack set writes
// scores as Redis stores them there (integers in decimal, others as
// "%.17g"), a skiplist set as "%.17g".
func (z *ZSet) AppendScanScore(dst []byte, score float64) []byte {
	switch {
	case math.IsInf(score, 1):
		return append(dst, "inf"...)
	case math.IsInf(score, -1):
		return append(dst, "-inf"...)
	}
	if z.big == nil {
		if ll, ok := zsDouble2LL(score); ok {
			return strconv.AppendInt(dst, ll, 10)
		}
	}
	return strconv.AppendFloat(dst, score, 'g', 17, 64)
}

// zsDouble2LL is Redis's double2ll: the integer equal to d, when d is
// integral and within ±2^62.
func zsDouble2LL(d float64) (int64, bool) {
	if d < float64(-math.MaxInt64/2) || d > float64(math.MaxInt64/2) {
		return 0, false
	}
	ll := int64(d)
	return ll, float64(ll) == d
}

// ---------------------------------------------------------------------------
// Ranges.

// ZScoreRange is a score interval; Min/Max are exclusive when MinEx/MaxEx.
type ZScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// GteMin reports whether s is at or above the range's lower end.
func (r *ZScoreRange) GteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

// LteMax reports whether s is at or below the range's upper end.
func (r *ZScoreRange) LteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// empty reports the ranges that can hold nothing.
func (r *ZScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// ParseZScoreRange parses ZRANGEBYSCORE-style bounds: a float as C's strtod
// reads it (leading spaces, "inf", hex floats; the argument read as a C
// string, so up to a NUL byte), optionally prefixed by '(' for an exclusive
// bound. NaN is refused.
func ParseZScoreRange(min, max []byte) (ZScoreRange, bool) {
	var r ZScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = zsParseBound(min); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = zsParseBound(max); !ok {
		return r, false
	}
	return r, true
}

func zsParseBound(b []byte) (float64, bool, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	ex := false
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	v, n, _ := zsStrtod(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// ZLexRange is a range of members for the BYLEX commands.
type ZLexRange struct {
	Min, Max     zsLexBound
	MinEx, MaxEx bool
}

// zsLexBound is a lexicographic bound: a string, or "-" / "+" (lower and
// upper than every string).
type zsLexBound struct {
	s    []byte
	kind int8 // -1 "-", +1 "+", 0 s
}

func zsLexCmp(a, b *zsLexBound) int {
	if a.kind == b.kind && a.kind != 0 {
		return 0
	}
	if a.kind == -1 || b.kind == 1 {
		return -1
	}
	if a.kind == 1 || b.kind == -1 {
		return 1
	}
	return bytes.Compare(a.s, b.s)
}

// cmpValue compares a member with the bound.
func (b *zsLexBound) cmpValue(v []byte) int {
	switch b.kind {
	case -1:
		return 1
	case 1:
		return -1
	}
	return bytes.Compare(v, b.s)
}

// GteMin reports whether member is at or above the range's lower end.
func (r *ZLexRange) GteMin(member []byte) bool {
	c := r.Min.cmpValue(member)
	if r.MinEx {
		return c > 0
	}
	return c >= 0
}

// LteMax reports whether member is at or below the range's upper end.
func (r *ZLexRange) LteMax(member []byte) bool {
	c := r.Max.cmpValue(member)
	if r.MaxEx {
		return c < 0
	}
	return c <= 0
}

func (r *ZLexRange) empty() bool {
	c := zsLexCmp(&r.Min, &r.Max)
	return c > 0 || (c == 0 && (r.MinEx || r.MaxEx))
}

// ParseZLexRange parses BYLEX bounds: "[s" inclusive, "(s" exclusive, "-"
// and "+" the ends. The strings alias the arguments.
func ParseZLexRange(min, max []byte) (ZLexRange, bool) {
	var r ZLexRange
	var ok bool
	if r.Min, r.MinEx, ok = zsParseLexItem(min); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = zsParseLexItem(max); !ok {
		return r, false
	}
	return r, true
}

func zsParseLexItem(b []byte) (zsLexBound, bool, bool) {
	if len(b) == 0 {
		return zsLexBound{}, false, false
	}
	switch b[0] {
	case '+', '-':
		// Redis checks the next C character: a NUL ends the string.
		if len(b) > 1 && b[1] != 0 {
			return zsLexBound{}, false, false
		}
		if b[0] == '+' {
			return zsLexBound{kind: 1}, true, true
		}
		return zsLexBound{kind: -1}, true, true
	case '(':
		return zsLexBound{s: b[1:]}, true, true
	case '[':
		return zsLexBound{s: b[1:]}, false, true
	}
	return zsLexBound{}, false, false
}

// FirstInScore returns the rank of the first member in r.
func (z *ZSet) FirstInScore(r *ZScoreRange) (int, bool) {
	n := z.Len()
	if r.empty() || n == 0 {
		return 0, false
	}
	var rank int
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return r.GteMin(it.score) })
	} else {
		for off := 0; off < len(z.lp); rank++ {
			_, s, next := zlpDecode(z.lp, off)
			if r.GteMin(s) {
				break
			}
			off = next
		}
	}
	if rank >= n {
		return 0, false
	}
	if !r.LteMax(z.scoreAt(rank)) {
		return 0, false
	}
	return rank, true
}

// LastInScore returns the rank of the last member in r.
func (z *ZSet) LastInScore(r *ZScoreRange) (int, bool) {
	n := z.Len()
	if r.empty() || n == 0 {
		return 0, false
	}
	var rank int
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return !r.LteMax(it.score) }) - 1
	} else {
		rank = n - 1
		for it := z.Iter(n - 1); it.Valid(); it.Prev() {
			if r.LteMax(it.Score()) {
				break
			}
			rank--
		}
	}
	if rank < 0 || !r.GteMin(z.scoreAt(rank)) {
		return 0, false
	}
	return rank, true
}

// CountScore counts the members in r.
func (z *ZSet) CountScore(r *ZScoreRange) int {
	first, ok := z.FirstInScore(r)
	if !ok {
		return 0
	}
	if z.big != nil {
		last, _ := z.LastInScore(r)
		return last - first + 1
	}
	n := 0
	for it := z.Iter(first); it.Valid() && r.LteMax(it.Score()); it.Next() {
		n++
	}
	return n
}

// lexInRange is Redis's check that the range can overlap the set at all,
// from its first and last members.
func (z *ZSet) lexInRange(r *ZLexRange) bool {
	n := z.Len()
	if r.empty() || n == 0 {
		return false
	}
	last := z.Iter(n - 1)
	if !r.GteMin(last.Member()) {
		return false
	}
	return r.LteMax(z.Iter(0).Member())
}

// FirstInLex returns the rank of the first member in r. Lexicographic
// ranges assume every member has the same score; otherwise the answer is
// what Redis's scan of the same encoding finds.
func (z *ZSet) FirstInLex(r *ZLexRange) (int, bool) {
	if !z.lexInRange(r) {
		return 0, false
	}
	var rank int
	var it ZIter
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return r.GteMin(zsBytes(it.member)) })
		it = z.Iter(rank)
	} else {
		for it = z.Iter(0); it.Valid() && !r.GteMin(it.Member()); it.Next() {
			rank++
		}
	}
	if !it.Valid() || !r.LteMax(it.Member()) {
		return 0, false
	}
	return rank, true
}

// LastInLex returns the rank of the last member in r.
func (z *ZSet) LastInLex(r *ZLexRange) (int, bool) {
	if !z.lexInRange(r) {
		return 0, false
	}
	var rank int
	var it ZIter
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return !r.LteMax(zsBytes(it.member)) }) - 1
		if rank < 0 {
			return 0, false
		}
		it = z.Iter(rank)
	} else {
		rank = z.n - 1
		for it = z.Iter(rank); it.Valid() && !r.LteMax(it.Member()); it.Prev() {
			rank--
		}
	}
	if !it.Valid() || !r.GteMin(it.Member()) {
		return 0, false
	}
	return rank, true
}

// CountLex counts the members in r.
func (z *ZSet) CountLex(r *ZLexRange) int {
	first, ok := z.FirstInLex(r)
	if !ok {
		return 0
	}
	if z.big != nil {
		last, ok := z.LastInLex(r)
		if !ok {
			return 0
		}
		return last - first + 1
	}
	n := 0
	for it := z.Iter(first); it.Valid() && r.LteMax(it.Member()); it.Next() {
		n++
	}
	return n
}

func (z *ZSet) scoreAt(rank int) float64 { return z.Iter(rank).Score() }

// ---------------------------------------------------------------------------
// Iteration.

// ZIter is a position in a set, moving forward or backward by rank. It is
// valid until the set changes. Member's bytes alias the set: do not modify
// or keep them.
type ZIter struct {
	z    *ZSet
	off  int     // listpack: entry offset; -1 past either end
	leaf *zsNode // skiplist form: leaf, nil past either end
	i    int
}

// Iter returns an iterator at rank (ascending, 0-based); out of range
// gives an invalid one.
func (z *ZSet) Iter(rank int) ZIter {
	it := ZIter{z: z, off: -1}
	if rank < 0 || rank >= z.Len() {
		return it
	}
	if z.big != nil {
		it.leaf, it.i = z.big.at(rank)
		return it
	}
	it.off = z.lpSeek(rank)
	return it
}

// Valid reports whether the iterator is at a member.
func (it ZIter) Valid() bool {
	if it.z.big != nil {
		return it.leaf != nil
	}
	return it.off >= 0
}

// Member returns the current member.
func (it ZIter) Member() []byte {
	if it.z.big != nil {
		return zsBytes(it.leaf.items[it.i].member)
	}
	m, _, _ := zlpDecode(it.z.lp, it.off)
	return m
}

func (it ZIter) memberString() string {
	if it.z.big != nil {
		return it.leaf.items[it.i].member
	}
	return string(it.Member())
}

// Score returns the current member's score.
func (it ZIter) Score() float64 {
	if it.z.big != nil {
		return it.leaf.items[it.i].score
	}
	_, s, _ := zlpDecode(it.z.lp, it.off)
	return s
}

// Next moves to the next higher rank.
func (it *ZIter) Next() {
	if it.z.big != nil {
		it.i++
		if it.i >= len(it.leaf.items) {
			it.leaf, it.i = it.leaf.next, 0
		}
		return
	}
	_, _, next := zlpDecode(it.z.lp, it.off)
	if next >= len(it.z.lp) {
		next = -1
	}
	it.off = next
}

// Prev moves to the next lower rank.
func (it *ZIter) Prev() {
	if it.z.big != nil {
		it.i--
		if it.i < 0 {
			it.leaf = it.leaf.prev
			if it.leaf != nil {
				it.i = len(it.leaf.items) - 1
			}
		}
		return
	}
	if it.off == 0 {
		it.off = -1
		return
	}
	it.off = zlpPrev(it.z.lp, it.off)
}

// ---------------------------------------------------------------------------
// Listpack form. Each entry is
//
//	uvarint(len(member)) | member | score (8 bytes, little-endian float64) | back
//
// where back is the length of the three fields before it, written so that
// it reads backwards from the entry's end (7 bits a byte, low bits last; a
// set high bit means another byte precedes), for walking the set in
// descending order as Redis's listpack does.

func zlpUvarintLen(v int) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// zlpEntrySize is the encoded size of an entry with an mlen-byte member.
func zlpEntrySize(mlen int) int {
	body := zlpUvarintLen(mlen) + mlen + 8
	return body + zlpUvarintLen(body)
}

// zlpDecode reads the entry at off.
func zlpDecode(lp []byte, off int) (member []byte, score float64, next int) {
	mlen, k := binary.Uvarint(lp[off:])
	p := off + k
	end := p + int(mlen)
	member = lp[p:end:end]
	score = math.Float64frombits(binary.LittleEndian.Uint64(lp[end:]))
	body := k + int(mlen) + 8
	return member, score, off + body + zlpUvarintLen(body)
}

// zlpPrev returns the offset of the entry that ends at end.
func zlpPrev(lp []byte, end int) int {
	v, shift, p := 0, 0, end
	for {
		p--
		c := lp[p]
		v |= int(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			break
		}
	}
	return p - v
}

// zlpPut writes an entry into dst, which has exactly its size.
func zlpPut(dst []byte, member []byte, score float64) {
	if score == 0 {
		score = 0 // -0 is stored as the integer 0 in Redis's listpack
	}
	k := binary.PutUvarint(dst, uint64(len(member)))
	copy(dst[k:], member)
	p := k + len(member)
	binary.LittleEndian.PutUint64(dst[p:], math.Float64bits(score))
	body := p + 8
	back := dst[body:]
	v := body
	for i := len(back) - 1; i >= 0; i-- {
		c := byte(v & 0x7f)
		v >>= 7
		if i > 0 {
			c |= 0x80
		}
		back[i] = c
	}
}

func zlpAppend(lp []byte, member []byte, score float64) []byte {
	size := zlpEntrySize(len(member))
	lp = zsGrow(lp, size)
	zlpPut(lp[len(lp)-size:], member, score)
	return lp
}

// zsGrow extends b by n bytes, growing its capacity by a quarter at a
// time rather than doubling: listpacks are many and small.
func zsGrow(b []byte, n int) []byte {
	if len(b)+n <= cap(b) {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, len(b)+n+len(b)/4+16)
	copy(nb, b)
	return nb
}

// lpFind returns the offset of member's entry, or -1.
func (z *ZSet) lpFind(member []byte) int {
	for off := 0; off < len(z.lp); {
		m, _, next := zlpDecode(z.lp, off)
		if bytes.Equal(m, member) {
			return off
		}
		off = next
	}
	return -1
}

// lpSeek returns the offset of the entry at rank (0 <= rank < n).
func (z *ZSet) lpSeek(rank int) int {
	if rank > z.n/2 {
		off := len(z.lp)
		for i := z.n; i > rank; i-- {
			off = zlpPrev(z.lp, off)
		}
		return off
	}
	off := 0
	for ; rank > 0; rank-- {
		_, _, off = zlpDecode(z.lp, off)
	}
	return off
}

// lpDelete removes the entry at off.
func (z *ZSet) lpDelete(off int) {
	_, _, next := zlpDecode(z.lp, off)
	z.lp = append(z.lp[:off], z.lp[next:]...)
	z.n--
}

// lpInsert inserts a new member in order.
func (z *ZSet) lpInsert(member []byte, score float64) {
	if score == 0 {
		score = 0
	}
	off := 0
	for off < len(z.lp) {
		m, s, next := zlpDecode(z.lp, off)
		if s > score || (s == score && bytes.Compare(m, member) > 0) {
			break
		}
		off = next
	}
	size := zlpEntrySize(len(member))
	old := len(z.lp)
	z.lp = zsGrow(z.lp, size)
	copy(z.lp[off+size:], z.lp[off:old])
	zlpPut(z.lp[off:off+size], member, score)
	z.n++
}

// ---------------------------------------------------------------------------
// Skiplist form: a member → score dict and an order-statistic B+tree.

// zsItem is one element in the tree.
type zsItem struct {
	score  float64
	member string
}

// zsCmp orders (score, member) against an item as Redis's skiplist does.
func zsCmp(score float64, member string, it *zsItem) int {
	switch {
	case score < it.score:
		return -1
	case score > it.score:
		return 1
	}
	switch {
	case member < it.member:
		return -1
	case member > it.member:
		return 1
	}
	return 0
}

// Tree shape. A leaf holds up to zsLeafMax items; an internal node up to
// zsKidsMax children. A node below a quarter of its maximum is merged with
// or refilled from a sibling.
//
// The maxima make a full node's arrays fill a Go size class exactly (64
// slots of 24 or 8 bytes, one of them for the overflowing insert).
const (
	zsLeafMax = 63
	zsLeafMin = (zsLeafMax + 1) / 4
	zsKidsMax = 63
	zsKidsMin = (zsKidsMax + 1) / 4
	// zsLoadFill is how full bulk loading packs leaves, leaving room for
	// inserts before the first splits.
	zsLoadFill = zsLeafMax * 7 / 8
)

// zsNode is a tree node: a leaf (kids == nil) with items and links to its
// neighbours, or an internal node with children, the number of items
// under each, and a lower bound of each child's items (low[0] is not used
// for searching).
type zsNode struct {
	items      []zsItem
	prev, next *zsNode

	kids []*zsNode
	cnt  []int
	low  []zsItem
}

func (n *zsNode) isLeaf() bool { return n.kids == nil }

// size is the number of items under n.
func (n *zsNode) size() int {
	if n.isLeaf() {
		return len(n.items)
	}
	s := 0
	for _, c := range n.cnt {
		s += c
	}
	return s
}

// lowKey is a lower bound of n's items.
func (n *zsNode) lowKey() zsItem {
	if n.isLeaf() {
		if len(n.items) == 0 {
			return zsItem{}
		}
		return n.items[0]
	}
	return n.low[0]
}

// width is the number of items or children.
func (n *zsNode) width() int {
	if n.isLeaf() {
		return len(n.items)
	}
	return len(n.kids)
}

func (n *zsNode) underfull() bool {
	if n.isLeaf() {
		return len(n.items) < zsLeafMin
	}
	return len(n.kids) < zsKidsMin
}

// child returns the index of the child whose range holds (score, member):
// the last child whose lower bound is not above it.
func (n *zsNode) child(score float64, member string) int {
	lo, hi := 1, len(n.kids) // find first i >= 1 with low[i] > key
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if zsCmp(score, member, &n.low[m]) >= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

type zsBig struct {
	dict        *dict.Dict[float64]
	root        *zsNode
	first, last *zsNode // leaf chain ends
}

func newZsBig() *zsBig {
	leaf := &zsNode{items: make([]zsItem, 0, 4)}
	return &zsBig{dict: dict.New[float64](), root: leaf, first: leaf, last: leaf}
}

func zsNewLeaf(n int) *zsNode {
	return &zsNode{items: make([]zsItem, n, zsLeafMax+1)}
}

func zsNewInner(n int) *zsNode {
	return &zsNode{
		kids: make([]*zsNode, n, zsKidsMax+1),
		cnt:  make([]int, n, zsKidsMax+1),
		low:  make([]zsItem, n, zsKidsMax+1),
	}
}

// load fills an empty tree and dict with sorted, distinct entries.
func (b *zsBig) load(entries []ZEntry) {
	if len(entries) == 0 {
		return
	}
	for i := range entries {
		b.dict.Set(entries[i].Member, entries[i].Score)
	}
	// Leaves, zsLoadFill items each (the last two share the rest evenly
	// so that none is underfull).
	var level []*zsNode
	for i := 0; i < len(entries); {
		n := min(zsLoadFill, len(entries)-i)
		if rest := len(entries) - i - n; rest > 0 && rest < zsLeafMin {
			n = (len(entries) - i + 1) / 2
		}
		leaf := zsNewLeaf(n)
		for j := range n {
			leaf.items[j] = zsItem{score: entries[i+j].Score, member: entries[i+j].Member}
		}
		if k := len(level); k > 0 {
			level[k-1].next = leaf
			leaf.prev = level[k-1]
		}
		level = append(level, leaf)
		i += n
	}
	b.first, b.last = level[0], level[len(level)-1]
	fill := zsKidsMax * 7 / 8
	for len(level) > 1 {
		var up []*zsNode
		for i := 0; i < len(level); {
			n := min(fill, len(level)-i)
			if rest := len(level) - i - n; rest > 0 && rest < zsKidsMin {
				n = (len(level) - i + 1) / 2
			}
			in := zsNewInner(n)
			for j := range n {
				c := level[i+j]
				in.kids[j], in.cnt[j], in.low[j] = c, c.size(), c.lowKey()
			}
			up = append(up, in)
			i += n
		}
		level = up
	}
	b.root = level[0]
}

// insert adds a member that is not in the set.
func (b *zsBig) insert(member string, score float64) {
	b.dict.Set(member, score)
	b.insertItem(zsItem{score: score, member: member})
}

// Edges of the tree a node lies on, for splitting: appending at the right
// end (rising scores, the common case) or the left end splits a full node
// unevenly, leaving it three quarters full instead of half.
const (
	zsLeftEdge = 1 << iota
	zsRightEdge
)

func (b *zsBig) insertItem(it zsItem) {
	if right := b.insertAt(b.root, &it, zsLeftEdge|zsRightEdge); right != nil {
		old := b.root
		r := zsNewInner(2)
		r.kids[0], r.cnt[0], r.low[0] = old, old.size(), old.lowKey()
		r.kids[1], r.cnt[1], r.low[1] = right, right.size(), right.lowKey()
		b.root = r
	}
}

// insertAt inserts into n's subtree and returns n's new right sibling when
// n had to split.
func (b *zsBig) insertAt(n *zsNode, it *zsItem, edge int) *zsNode {
	if n.isLeaf() {
		lo, hi := 0, len(n.items)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if zsCmp(it.score, it.member, &n.items[m]) > 0 {
				lo = m + 1
			} else {
				hi = m
			}
		}
		n.items = append(n.items, zsItem{})
		copy(n.items[lo+1:], n.items[lo:])
		n.items[lo] = *it
		if len(n.items) > zsLeafMax {
			return b.splitLeaf(n, zsSplitAt(len(n.items), lo, edge))
		}
		return nil
	}
	i := n.child(it.score, it.member)
	n.cnt[i]++
	kidEdge := 0
	if i == 0 {
		kidEdge |= edge & zsLeftEdge
	}
	if i == len(n.kids)-1 {
		kidEdge |= edge & zsRightEdge
	}
	right := b.insertAt(n.kids[i], it, kidEdge)
	if right == nil {
		return nil
	}
	moved := right.size()
	n.cnt[i] -= moved
	n.kids = append(n.kids, nil)
	n.cnt = append(n.cnt, 0)
	n.low = append(n.low, zsItem{})
	copy(n.kids[i+2:], n.kids[i+1:])
	copy(n.cnt[i+2:], n.cnt[i+1:])
	copy(n.low[i+2:], n.low[i+1:])
	n.kids[i+1], n.cnt[i+1], n.low[i+1] = right, moved, right.lowKey()
	if len(n.kids) > zsKidsMax {
		return b.splitInner(n, zsSplitAt(len(n.kids), i+1, edge))
	}
	return nil
}

// zsSplitAt is where a node of width w that just got a new slot at pos
// splits: in the middle, or unevenly when it grows at an edge of the tree.
func zsSplitAt(w, pos, edge int) int {
	switch {
	case edge&zsRightEdge != 0 && pos == w-1:
		return w - zsLeafMin
	case edge&zsLeftEdge != 0 && pos == 0:
		return zsLeafMin
	}
	return w / 2
}

func (b *zsBig) splitLeaf(n *zsNode, half int) *zsNode {
	r := zsNewLeaf(len(n.items) - half)
	copy(r.items, n.items[half:])
	clear(n.items[half:])
	n.items = n.items[:half]
	r.prev, r.next = n, n.next
	if n.next != nil {
		n.next.prev = r
	} else {
		b.last = r
	}
	n.next = r
	return r
}

func (b *zsBig) splitInner(n *zsNode, half int) *zsNode {
	k := len(n.kids) - half
	r := zsNewInner(k)
	copy(r.kids, n.kids[half:])
	copy(r.cnt, n.cnt[half:])
	copy(r.low, n.low[half:])
	clear(n.kids[half:])
	clear(n.low[half:])
	n.kids, n.cnt, n.low = n.kids[:half], n.cnt[:half], n.low[:half]
	return r
}

// remove deletes member, reporting whether it was there.
func (b *zsBig) remove(member []byte) bool {
	score, ok := b.dict.DeleteBytes(member)
	if !ok {
		return false
	}
	b.removeItem(score, zsStr(member))
	return true
}

// update moves member from score cur to score.
func (b *zsBig) update(member []byte, cur, score float64) {
	p := b.dict.Ref(member)
	// Keep the tree's own copy of the member string.
	leaf, i := b.find(cur, zsStr(member))
	m := leaf.items[i].member
	// When the item keeps its place in the order, change the score in
	// place. Its neighbours must be in the same leaf, so that the lower
	// bounds kept by the parents stay valid, except at the ends of the
	// chain whose bounds are never searched, and except for a first item
	// moving up.
	lowOK := (i > 0 && zsCmp(score, m, &leaf.items[i-1]) > 0) ||
		(i == 0 && (leaf.prev == nil || score > cur))
	highOK := (i+1 < len(leaf.items) && zsCmp(score, m, &leaf.items[i+1]) < 0) ||
		(i+1 == len(leaf.items) && leaf.next == nil)
	if lowOK && highOK {
		leaf.items[i].score = score
		*p = score
		return
	}
	b.removeItem(cur, m)
	*p = score
	b.insertItem(zsItem{score: score, member: m})
}

// find returns the leaf and index of an item in the tree.
func (b *zsBig) find(score float64, member string) (*zsNode, int) {
	n := b.root
	for !n.isLeaf() {
		n = n.kids[n.child(score, member)]
	}
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if zsCmp(score, member, &n.items[m]) > 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return n, lo
}

func (b *zsBig) removeItem(score float64, member string) {
	b.removeAt(b.root, score, member)
	b.shrinkRoot()
}

func (b *zsBig) shrinkRoot() {
	for !b.root.isLeaf() && len(b.root.kids) == 1 {
		b.root = b.root.kids[0]
	}
}

func (b *zsBig) removeAt(n *zsNode, score float64, member string) {
	if n.isLeaf() {
		lo, hi := 0, len(n.items)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if zsCmp(score, member, &n.items[m]) > 0 {
				lo = m + 1
			} else {
				hi = m
			}
		}
		copy(n.items[lo:], n.items[lo+1:])
		n.items[len(n.items)-1] = zsItem{}
		n.items = n.items[:len(n.items)-1]
		return
	}
	i := n.child(score, member)
	n.cnt[i]--
	b.removeAt(n.kids[i], score, member)
	b.rebalance(n, i)
}

// removeRank deletes count items from rank start on, a leaf's worth at a
// time, deleting them from the dict too.
func (b *zsBig) removeRank(start, count int) {
	for count > 0 {
		count -= b.removeChunk(b.root, start, count)
		b.shrinkRoot()
	}
}

// removeChunk deletes up to count items from rank start on, all from one
// leaf, and returns how many it deleted.
func (b *zsBig) removeChunk(n *zsNode, start, count int) int {
	if n.isLeaf() {
		k := min(count, len(n.items)-start)
		for j := start; j < start+k; j++ {
			b.dict.Delete(n.items[j].member)
		}
		copy(n.items[start:], n.items[start+k:])
		clear(n.items[len(n.items)-k:])
		n.items = n.items[:len(n.items)-k]
		return k
	}
	i := 0
	for start >= n.cnt[i] {
		start -= n.cnt[i]
		i++
	}
	k := b.removeChunk(n.kids[i], start, count)
	n.cnt[i] -= k
	b.rebalance(n, i)
	return k
}

// rebalance fixes n's child i after deletions: an underfull child is merged
// with a neighbour, or the two share their contents evenly when together
// they would not fit in one node.
func (b *zsBig) rebalance(n *zsNode, i int) {
	c := n.kids[i]
	if !c.underfull() || len(n.kids) == 1 {
		return
	}
	l := i - 1
	if i == 0 {
		l = 0
	}
	r := l + 1
	left, right := n.kids[l], n.kids[r]
	maxW := zsLeafMax
	if !left.isLeaf() {
		maxW = zsKidsMax
	}
	if left.width()+right.width() <= maxW {
		b.merge(left, right)
		n.cnt[l] += n.cnt[r]
		copy(n.kids[r:], n.kids[r+1:])
		copy(n.cnt[r:], n.cnt[r+1:])
		copy(n.low[r:], n.low[r+1:])
		last := len(n.kids) - 1
		n.kids[last], n.low[last] = nil, zsItem{}
		n.kids, n.cnt, n.low = n.kids[:last], n.cnt[:last], n.low[:last]
		return
	}
	moved := zsShare(left, right)
	n.cnt[l] -= moved
	n.cnt[r] += moved
	n.low[r] = right.lowKey()
}

// merge appends right's contents to left and unlinks right.
func (b *zsBig) merge(left, right *zsNode) {
	if left.isLeaf() {
		left.items = append(left.items, right.items...)
		left.next = right.next
		if right.next != nil {
			right.next.prev = left
		} else {
			b.last = left
		}
		return
	}
	left.kids = append(left.kids, right.kids...)
	left.cnt = append(left.cnt, right.cnt...)
	left.low = append(left.low, right.low...)
}

// zsShare evens out two siblings and returns how many items moved from
// left to right (negative: right to left).
func zsShare(left, right *zsNode) int {
	if left.isLeaf() {
		total := len(left.items) + len(right.items)
		want := total / 2 // left's new width
		moved := len(left.items) - want
		if moved > 0 {
			nr := make([]zsItem, 0, zsLeafMax+1)
			nr = append(nr, left.items[want:]...)
			nr = append(nr, right.items...)
			clear(left.items[want:])
			left.items = left.items[:want]
			right.items = nr
		} else if moved < 0 {
			k := -moved
			left.items = append(left.items, right.items[:k]...)
			copy(right.items, right.items[k:])
			clear(right.items[len(right.items)-k:])
			right.items = right.items[:len(right.items)-k]
		}
		return moved
	}
	total := len(left.kids) + len(right.kids)
	want := total / 2
	movedKids := len(left.kids) - want
	items := 0
	if movedKids > 0 {
		for _, c := range left.cnt[want:] {
			items += c
		}
		right.kids = append(append(make([]*zsNode, 0, zsKidsMax+1), left.kids[want:]...), right.kids...)
		right.cnt = append(append(make([]int, 0, zsKidsMax+1), left.cnt[want:]...), right.cnt...)
		right.low = append(append(make([]zsItem, 0, zsKidsMax+1), left.low[want:]...), right.low...)
		clear(left.kids[want:])
		clear(left.low[want:])
		left.kids, left.cnt, left.low = left.kids[:want], left.cnt[:want], left.low[:want]
		return items
	}
	k := -movedKids
	for _, c := range right.cnt[:k] {
		items += c
	}
	left.kids = append(left.kids, right.kids[:k]...)
	left.cnt = append(left.cnt, right.cnt[:k]...)
	left.low = append(left.low, right.low[:k]...)
	rest := len(right.kids) - k
	copy(right.kids, right.kids[k:])
	copy(right.cnt, right.cnt[k:])
	copy(right.low, right.low[k:])
	clear(right.kids[rest:])
	clear(right.low[rest:])
	right.kids, right.cnt, right.low = right.kids[:rest], right.cnt[:rest], right.low[:rest]
	return -items
}

// rank returns the 0-based rank of an item in the tree.
func (b *zsBig) rank(score float64, member string) int {
	r := 0
	n := b.root
	for !n.isLeaf() {
		i := n.child(score, member)
		for _, c := range n.cnt[:i] {
			r += c
		}
		n = n.kids[i]
	}
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if zsCmp(score, member, &n.items[m]) > 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return r + lo
}

// at returns the leaf and index of the item at rank.
func (b *zsBig) at(rank int) (*zsNode, int) {
	n := b.root
	for !n.isLeaf() {
		i := 0
		for rank >= n.cnt[i] {
			rank -= n.cnt[i]
			i++
		}
		n = n.kids[i]
	}
	return n, rank
}

// rankFirst returns how many items come before the first one for which
// pred holds; pred must be false then true along the order.
func (b *zsBig) rankFirst(pred func(*zsItem) bool) int {
	r := 0
	n := b.root
	for !n.isLeaf() {
		lo, hi := 1, len(n.kids) // first i >= 1 with pred(low[i])
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if pred(&n.low[m]) {
				hi = m
			} else {
				lo = m + 1
			}
		}
		i := lo - 1
		for _, c := range n.cnt[:i] {
			r += c
		}
		n = n.kids[i]
	}
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if pred(&n.items[m]) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return r + lo
}

// ---------------------------------------------------------------------------
// Helpers.

// zsStr views b as a string without copying; it must not be kept.
func zsStr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// zsBytes views s as bytes without copying; they must not be modified.
func zsBytes(s string) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// ParseScore parses a score as Redis's string2d: the whole argument must
// be a number C's strtod reads (decimal or hexadecimal, optional exponent,
// "inf"/"infinity"), with no leading space, not NaN, and neither
// overflowing nor underflowing to zero.
func ParseScore(b []byte) (float64, bool) {
	if len(b) == 0 || zsIsSpace(b[0]) {
		return 0, false
	}
	v, n, erange := zsStrtod(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false
	}
	if erange && (math.IsInf(v, 0) || v == 0) {
		return 0, false
	}
	return v, true
}

func zsIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func zsEqualFold(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// zsStrtod reads the longest prefix of b that glibc's strtod converts
// (after leading white space) and returns its value, the bytes consumed
// (0 when nothing converts) and whether the conversion overflowed or
// underflowed (strtod's ERANGE).
func zsStrtod(b []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(b) && zsIsSpace(b[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	rest := b[i:]
	switch {
	case zsEqualFold(rest, "infinity"):
		return math.Inf(zsSign(neg)), i + 8, false
	case zsEqualFold(rest, "inf"):
		return math.Inf(zsSign(neg)), i + 3, false
	case zsEqualFold(rest, "nan"):
		j := i + 3
		if j < len(b) && b[j] == '(' {
			k := j + 1
			for k < len(b) && (b[k] == '_' || b[k] >= '0' && b[k] <= '9' || b[k] >= 'a' && b[k] <= 'z' || b[k] >= 'A' && b[k] <= 'Z') {
				k++
			}
			if k < len(b) && b[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), j, false
	}
	// Hexadecimal: 0x, hex digits with an optional point, optional p
	// exponent. "0x" without a digit after it reads as "0".
	if len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		j := i + 2
		digits, nonzero := 0, false
		for j < len(b) && zsHexDigit(b[j]) {
			nonzero = nonzero || b[j] != '0'
			j++
			digits++
		}
		if j < len(b) && b[j] == '.' {
			j++
			for j < len(b) && zsHexDigit(b[j]) {
				nonzero = nonzero || b[j] != '0'
				j++
				digits++
			}
		}
		if digits > 0 {
			mantEnd := j
			j = zsExponent(b, j, 'p')
			text := make([]byte, 0, j-start+3)
			text = append(text, b[start:mantEnd]...)
			if j > mantEnd {
				text = append(text, b[mantEnd:j]...)
			} else {
				text = append(text, 'p', '0')
			}
			return zsParseFloat(text, nonzero, j)
		}
	}
	j := i
	digits, nonzero := 0, false
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		nonzero = nonzero || b[j] != '0'
		j++
		digits++
	}
	if j < len(b) && b[j] == '.' {
		k := j + 1
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			nonzero = nonzero || b[k] != '0'
			k++
			digits++
		}
		if digits > 0 {
			j = k
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	j = zsExponent(b, j, 'e')
	return zsParseFloat(b[start:j], nonzero, j)
}

func zsSign(neg bool) int {
	if neg {
		return -1
	}
	return 1
}

func zsHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// zsExponent extends a mantissa ending at j with an exponent (marker e or
// p, either case, an optional sign and at least one digit), if one is there.
func zsExponent(b []byte, j int, marker byte) int {
	if j >= len(b) || (b[j] != marker && b[j] != marker-('a'-'A')) {
		return j
	}
	k := j + 1
	if k < len(b) && (b[k] == '+' || b[k] == '-') {
		k++
	}
	if k >= len(b) || b[k] < '0' || b[k] > '9' {
		return j
	}
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		k++
	}
	return k
}

// zsParseFloat converts text already checked to be in strtod's syntax
// (which Go's ParseFloat also accepts) and reports strtod's ERANGE.
func zsParseFloat(text []byte, nonzero bool, n int) (float64, int, bool) {
	v, err := strconv.ParseFloat(zsStr(text), 64)
	erange := err != nil // only ErrRange is possible: overflow
	if v == 0 && nonzero {
		erange = true // underflow to zero
	}
	return v, n, erange
}
