package value

import "encoding/binary"

// EncQuicklist is the only list encoding Redis 7.0 reports.
const EncQuicklist = "quicklist"

// listChunkMax is the size in bytes of the packed entries a chunk holds
// before a push starts a new chunk: Redis's default list-max-listpack-size
// of -2 (8 KB nodes).
const listChunkMax = 8 << 10

// listChunkMin is the smallest buffer a chunk starts with.
const listChunkMin = 16

// List is a Redis list: a deque of chunks, each a buffer of packed entries,
// as Redis's quicklist is a linked list of listpacks. An entry is its length
// as a uvarint, the bytes, then the length's uvarint bytes again in reverse
// order, so that a chunk can be walked from either end; an element of up
// to 127 bytes costs two bytes besides its own. Chunks keep free space at
// both ends, so pushes and pops at either end of the list are O(1)
// amortized; access by index walks chunk counts from the nearer end, then
// entries inside one chunk.
//
// Slices returned by the accessors alias the list's buffers: they are
// valid until the next change to the list.
type List struct {
	chunks []*listChunk // live chunks are chunks[first:]
	first  int
	n      int
	// bytes is what the live chunks take: chunkCost summed over them, kept
	// as they come, go and grow, so that Size is O(1).
	bytes int64
	// spare is an emptied chunk kept for the next new chunk, so that a
	// list used as a queue does not allocate a buffer per chunk.
	spare *listChunk
}

type listChunk struct {
	b    []byte // the buffer; the entries are b[head:tail]
	head int
	tail int
	n    int
}

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Type implements Value.
func (l *List) Type() Type { return TypeList }

// Encoding implements Value: Redis 7.0 reports every list as a quicklist.
func (l *List) Encoding() string { return EncQuicklist }

// Clone implements Value.
func (l *List) Clone() Value {
	out := &List{n: l.n, chunks: make([]*listChunk, 0, len(l.chunks)-l.first)}
	for _, c := range l.live() {
		used := c.tail - c.head
		nc := &listChunk{b: make([]byte, used), tail: used, n: c.n}
		copy(nc.b, c.b[c.head:c.tail])
		out.chunks = append(out.chunks, nc)
		out.bytes += chunkCost(nc)
	}
	return out
}

// Len is the number of elements.
func (l *List) Len() int { return l.n }

func (l *List) live() []*listChunk { return l.chunks[l.first:] }

// ---- entry encoding ----

func lvarLen(n int) int {
	k := 1
	for n >= 0x80 {
		n >>= 7
		k++
	}
	return k
}

// lentSize is the packed size of an element of n bytes.
func lentSize(n int) int { return n + 2*lvarLen(n) }

// lput writes v's entry at the start of dst and returns its size.
func lput(dst, v []byte) int {
	p := binary.PutUvarint(dst, uint64(len(v)))
	copy(dst[p:], v)
	q := p + len(v)
	for i := 0; i < p; i++ {
		dst[q+i] = dst[p-1-i]
	}
	return q + p
}

// lnext decodes the entry starting at pos: its value and the next position.
func lnext(b []byte, pos int) (v []byte, next int) {
	n, p := binary.Uvarint(b[pos:])
	start := pos + p
	end := start + int(n)
	return b[start:end:end], end + p
}

// lprev decodes the entry ending at end: its value and its start.
func lprev(b []byte, end int) (v []byte, start int) {
	var n uint64
	p := 0
	for shift := 0; ; shift += 7 {
		c := b[end-1-p]
		p++
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	e := end - p
	s := e - int(n)
	return b[s:e:e], s - p
}

// ---- chunk operations ----

func (c *listChunk) used() int { return c.tail - c.head }

// reserve makes room for need bytes at the front or the back of the chunk,
// reporting false when the chunk should not take them (it would outgrow
// listChunkMax, or it is full and a new chunk is cheaper than moving it).
func (l *List) reserve(c *listChunk, need int, front bool) bool {
	room := len(c.b) - c.tail
	if front {
		room = c.head
	}
	if room >= need {
		return true
	}
	used := c.used()
	if c.n > 0 && used+need > listChunkMax {
		return false
	}
	size := len(c.b)
	if free := size - used - need; free >= 0 && free >= size/4 {
		c.place(c.b, used, need, front)
		return true
	}
	if size >= listChunkMax && c.n > 0 {
		return false
	}
	nsize := max(size*2, listChunkMin)
	for nsize < used+need {
		nsize *= 2
	}
	if nsize > listChunkMax {
		nsize = max(listChunkMax, used+need)
	}
	l.bytes -= chunkCost(c)
	c.place(make([]byte, nsize), used, need, front)
	l.bytes += chunkCost(c)
	return true
}

// place moves the entries into buf, leaving three quarters of the free
// space on the side that needs room.
func (c *listChunk) place(buf []byte, used, need int, front bool) {
	free := len(buf) - used - need
	head := free / 4
	if front {
		head = len(buf) - used - free/4
	}
	copy(buf[head:], c.b[c.head:c.tail])
	c.b, c.head, c.tail = buf, head, head+used
}

// offsetOf returns the byte offset of entry i of the chunk, walking from
// the nearer end.
func (c *listChunk) offsetOf(i int) int {
	if i <= c.n/2 {
		pos := c.head
		for ; i > 0; i-- {
			_, pos = lnext(c.b, pos)
		}
		return pos
	}
	pos := c.tail
	for j := c.n; j > i; j-- {
		_, pos = lprev(c.b, pos)
	}
	return pos
}

// splice replaces the bytes b[from:to] of live chunk c with repl, growing
// the buffer if needed.
func (l *List) splice(c *listChunk, from, to int, repl []byte) {
	delta := len(repl) - (to - from)
	if delta > 0 && len(c.b)-c.tail < delta {
		used := c.used() + delta
		nb := make([]byte, max(used+used/4, listChunkMin))
		nf := copy(nb, c.b[c.head:from])
		copy(nb[nf+len(repl):], c.b[to:c.tail])
		copy(nb[nf:], repl)
		l.bytes -= chunkCost(c)
		c.b, c.head, c.tail = nb, 0, used
		l.bytes += chunkCost(c)
		return
	}
	copy(c.b[to+delta:], c.b[to:c.tail])
	copy(c.b[from:], repl)
	c.tail += delta
}

// ---- chunk deque ----

func (l *List) frontChunk() *listChunk {
	if l.first == len(l.chunks) {
		return nil
	}
	return l.chunks[l.first]
}

func (l *List) backChunk() *listChunk {
	if l.first == len(l.chunks) {
		return nil
	}
	return l.chunks[len(l.chunks)-1]
}

// newChunk returns an empty chunk with room for need bytes at one end. A
// list that already fills a chunk gets a full-size buffer at once.
func (l *List) newChunk(need int, front bool) *listChunk {
	c := l.spare
	l.spare = nil
	if c == nil || len(c.b) < need {
		size := listChunkMin
		if l.n > 0 && len(l.chunks)-l.first > 0 {
			size = listChunkMax
		}
		for size < 2*need && size < listChunkMax {
			size *= 2
		}
		if 2*need > listChunkMax {
			// No room for a second entry like it: a buffer of its own
			// size (Redis's quicklist gives such an entry a node of its
			// own), not a full chunk half empty.
			size = need
		}
		if size <= need {
			// The entry fills the buffer.
			c = &listChunk{b: makeFilled(need)}
		} else {
			c = &listChunk{b: make([]byte, size)}
		}
	}
	c.n = 0
	c.head = 0
	if front {
		c.head = len(c.b)
	}
	c.tail = c.head
	return c
}

func (l *List) pushChunkFront(c *listChunk) {
	if l.first == 0 {
		live := len(l.chunks)
		gap := max(live, 2)
		nc := make([]*listChunk, gap+live, gap+live+max(live/2, 2))
		copy(nc[gap:], l.chunks)
		l.chunks, l.first = nc, gap
	}
	l.first--
	l.chunks[l.first] = c
	l.bytes += chunkCost(c)
}

func (l *List) pushChunkBack(c *listChunk) {
	if l.first > 0 && len(l.chunks) == cap(l.chunks) && l.first >= len(l.chunks)/2 {
		n := copy(l.chunks, l.chunks[l.first:])
		clear(l.chunks[n:])
		l.chunks, l.first = l.chunks[:n], 0
	}
	l.chunks = append(l.chunks, c)
	l.bytes += chunkCost(c)
}

// dropChunk removes the live chunk at index i (relative to first).
func (l *List) dropChunk(i int) {
	c := l.chunks[l.first+i]
	l.bytes -= chunkCost(c)
	switch {
	case i == 0:
		l.chunks[l.first] = nil
		l.first++
	case l.first+i == len(l.chunks)-1:
		l.chunks[len(l.chunks)-1] = nil
		l.chunks = l.chunks[:len(l.chunks)-1]
	default:
		copy(l.chunks[l.first+i:], l.chunks[l.first+i+1:])
		l.chunks[len(l.chunks)-1] = nil
		l.chunks = l.chunks[:len(l.chunks)-1]
	}
	if l.first == len(l.chunks) {
		l.chunks, l.first = l.chunks[:0], 0
	}
	if len(c.b) <= listChunkMax && (l.spare == nil || len(c.b) > len(l.spare.b)) {
		l.spare = c
	}
}

// find returns the live chunk index holding element i and i's index in it.
func (l *List) find(i int) (ci, off int) {
	live := l.live()
	if i < l.n/2 {
		for ci, c := range live {
			if i < c.n {
				return ci, i
			}
			i -= c.n
		}
	} else {
		j := l.n - i // elements from i to the end
		for ci := len(live) - 1; ci >= 0; ci-- {
			c := live[ci]
			if j <= c.n {
				return ci, c.n - j
			}
			j -= c.n
		}
	}
	panic("value: list index out of range")
}

// ---- list operations ----

// PushFront inserts v at the head.
func (l *List) PushFront(v []byte) {
	need := lentSize(len(v))
	c := l.frontChunk()
	if c == nil || !l.reserve(c, need, true) {
		c = l.newChunk(need, true)
		l.pushChunkFront(c)
		l.reserve(c, need, true)
	}
	c.head -= need
	lput(c.b[c.head:], v)
	c.n++
	l.n++
}

// PushBack appends v at the tail.
func (l *List) PushBack(v []byte) {
	need := lentSize(len(v))
	c := l.backChunk()
	if c == nil || !l.reserve(c, need, false) {
		c = l.newChunk(need, false)
		l.pushChunkBack(c)
		l.reserve(c, need, false)
	}
	lput(c.b[c.tail:], v)
	c.tail += need
	c.n++
	l.n++
}

// Push adds v at the head (front) or the tail.
func (l *List) Push(v []byte, front bool) {
	if front {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

// PopFront removes and returns the head element, or nil when the list is
// empty. The result aliases the list's memory until its next change.
func (l *List) PopFront() []byte {
	c := l.frontChunk()
	if c == nil {
		return nil
	}
	v, next := lnext(c.b, c.head)
	c.head = next
	c.n--
	l.n--
	if c.n == 0 {
		l.dropChunk(0)
	}
	return v
}

// PopBack removes and returns the tail element, or nil when the list is
// empty. The result aliases the list's memory until its next change.
func (l *List) PopBack() []byte {
	c := l.backChunk()
	if c == nil {
		return nil
	}
	v, start := lprev(c.b, c.tail)
	c.tail = start
	c.n--
	l.n--
	if c.n == 0 {
		l.dropChunk(len(l.chunks) - l.first - 1)
	}
	return v
}

// Pop removes the head (front) or the tail element.
func (l *List) Pop(front bool) []byte {
	if front {
		return l.PopFront()
	}
	return l.PopBack()
}

// Index returns element i (0 is the head), which must be in range.
func (l *List) Index(i int) []byte {
	ci, off := l.find(i)
	c := l.live()[ci]
	v, _ := lnext(c.b, c.offsetOf(off))
	return v
}

// Set replaces element i, which must be in range.
func (l *List) Set(i int, v []byte) {
	ci, off := l.find(i)
	c := l.live()[ci]
	pos := c.offsetOf(off)
	_, end := lnext(c.b, pos)
	var tmp [64]byte
	var ent []byte
	if need := lentSize(len(v)); need <= len(tmp) {
		ent = tmp[:need]
	} else {
		ent = make([]byte, need)
	}
	lput(ent, v)
	l.splice(c, pos, end, ent)
	l.split(ci)
}

// split cuts live chunk ci into pieces of about half a chunk when a
// change in its middle made it outgrow listChunkMax.
func (l *List) split(ci int) {
	c := l.live()[ci]
	if c.used() <= listChunkMax || c.n < 2 {
		return
	}
	var pieces []*listChunk
	piece := func(b []byte, n int) *listChunk {
		nc := &listChunk{b: make([]byte, max(len(b)+len(b)/4, listChunkMin)), n: n}
		nc.tail = copy(nc.b, b)
		return nc
	}
	start, cnt := c.head, 0
	for pos := c.head; pos < c.tail; {
		_, next := lnext(c.b, pos)
		if cnt > 0 && next-start > listChunkMax/2 {
			pieces = append(pieces, piece(c.b[start:pos], cnt))
			start, cnt = pos, 0
		}
		cnt++
		pos = next
	}
	pieces = append(pieces, piece(c.b[start:c.tail], cnt))
	l.bytes -= chunkCost(c)
	for _, p := range pieces {
		l.bytes += chunkCost(p)
	}
	at := l.first + ci
	rest := append([]*listChunk(nil), l.chunks[at+1:]...)
	l.chunks = append(append(l.chunks[:at], pieces...), rest...)
}

// Insert puts v before (or after) the first element equal to pivot,
// walking from the head, and reports whether the pivot was found.
func (l *List) Insert(pivot, v []byte, after bool) bool {
	for ci, c := range l.live() {
		for pos := c.head; pos < c.tail; {
			e, next := lnext(c.b, pos)
			if string(e) == string(pivot) {
				at := pos
				if after {
					at = next
				}
				ent := make([]byte, lentSize(len(v)))
				lput(ent, v)
				l.splice(c, at, at, ent)
				c.n++
				l.n++
				l.split(ci)
				return true
			}
			pos = next
		}
	}
	return false
}

// Iter calls fn for the elements from index start (0 is the head) towards
// the tail, or towards the head when reverse is set, until fn returns
// false or the list ends. start must be in range.
func (l *List) Iter(start int, reverse bool, fn func(v []byte) bool) {
	if l.n == 0 {
		return
	}
	ci, off := l.find(start)
	live := l.live()
	c := live[ci]
	pos := c.offsetOf(off)
	if !reverse {
		for {
			for pos < c.tail {
				v, next := lnext(c.b, pos)
				if !fn(v) {
					return
				}
				pos = next
			}
			ci++
			if ci == len(live) {
				return
			}
			c = live[ci]
			pos = c.head
		}
	}
	_, end := lnext(c.b, pos)
	for {
		for end > c.head {
			v, start := lprev(c.b, end)
			if !fn(v) {
				return
			}
			end = start
		}
		ci--
		if ci < 0 {
			return
		}
		c = live[ci]
		end = c.tail
	}
}

// DelFront removes the first n elements (n at most Len).
func (l *List) DelFront(n int) {
	for n > 0 {
		c := l.frontChunk()
		if c.n <= n {
			n -= c.n
			l.n -= c.n
			c.n = 0
			l.dropChunk(0)
			continue
		}
		for ; n > 0; n-- {
			_, c.head = lnext(c.b, c.head)
			c.n--
			l.n--
		}
	}
}

// DelBack removes the last n elements (n at most Len).
func (l *List) DelBack(n int) {
	for n > 0 {
		c := l.backChunk()
		if c.n <= n {
			n -= c.n
			l.n -= c.n
			c.n = 0
			l.dropChunk(len(l.chunks) - l.first - 1)
			continue
		}
		for ; n > 0; n-- {
			_, c.tail = lprev(c.b, c.tail)
			c.n--
			l.n--
		}
	}
}

// Remove deletes elements equal to v: up to count of them from the head
// when count > 0, up to -count from the tail when count < 0, all of them
// when count is 0. It returns how many it removed.
func (l *List) Remove(v []byte, count int) int {
	limit := count
	fromTail := count < 0
	if fromTail {
		limit = -count
		if limit < 0 { // count was math.MinInt
			limit = 0
		}
	}
	removed := 0
	live := l.live()
	if !fromTail {
		for ci := 0; ci < len(live) && (limit == 0 || removed < limit); ci++ {
			removed += l.removeIn(live[ci], v, limit-removed, limit == 0)
		}
	} else {
		for ci := len(live) - 1; ci >= 0 && (limit == 0 || removed < limit); ci-- {
			removed += l.removeInRev(live[ci], v, limit-removed, limit == 0)
		}
	}
	if removed > 0 {
		l.n -= removed
		l.compact()
	}
	return removed
}

// removeIn deletes up to limit (or all, when all is set) entries equal to
// v from c, scanning from its head, compacting the kept entries in place.
func (l *List) removeIn(c *listChunk, v []byte, limit int, all bool) int {
	removed := 0
	w := c.head
	pos := c.head
	for pos < c.tail {
		e, next := lnext(c.b, pos)
		if (all || removed < limit) && string(e) == string(v) {
			removed++
		} else {
			if w != pos {
				copy(c.b[w:], c.b[pos:next])
			}
			w += next - pos
		}
		pos = next
	}
	c.tail = w
	c.n -= removed
	return removed
}

// removeInRev is removeIn scanning from the chunk's tail, compacting
// towards it.
func (l *List) removeInRev(c *listChunk, v []byte, limit int, all bool) int {
	removed := 0
	w := c.tail
	end := c.tail
	for end > c.head {
		e, start := lprev(c.b, end)
		if (all || removed < limit) && string(e) == string(v) {
			removed++
		} else {
			size := end - start
			if w != end {
				copy(c.b[w-size:], c.b[start:end])
			}
			w -= size
		}
		end = start
	}
	c.head = w
	c.n -= removed
	return removed
}

// compact drops empty chunks and merges neighbours that together fill at
// most half a chunk, after deletions in the middle of the list.
func (l *List) compact() {
	for i := 0; i < len(l.chunks)-l.first; {
		c := l.chunks[l.first+i]
		if c.n == 0 {
			l.dropChunk(i)
			continue
		}
		if i > 0 {
			p := l.chunks[l.first+i-1]
			if p.used()+c.used() <= listChunkMax/2 {
				if l.reserve(p, c.used(), false) {
					copy(p.b[p.tail:], c.b[c.head:c.tail])
					p.tail += c.used()
					p.n += c.n
					c.n = 0
					l.dropChunk(i)
					continue
				}
			}
		}
		i++
	}
}

// Trim keeps only the elements from index start to stop, both in range
// and start <= stop.
func (l *List) Trim(start, stop int) {
	l.DelBack(l.n - 1 - stop)
	l.DelFront(start)
}

// Clear removes every element.
func (l *List) Clear() {
	clear(l.chunks)
	l.chunks, l.first, l.n, l.bytes = l.chunks[:0], 0, 0, 0
}

// ListFromSlice builds a list holding copies of vals, head first.
func ListFromSlice(vals [][]byte) *List {
	l := NewList()
	for _, v := range vals {
		l.PushBack(v)
	}
	return l
}
