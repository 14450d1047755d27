package value

import (
	"bytes"
	"math"
	"strconv"
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
