package value

import (
	"encoding/binary"
	"sort"
	"strconv"
)

// StreamID is a stream entry ID: milliseconds and a sequence number.
type StreamID struct{ Ms, Seq uint64 }

// MaxStreamID is the largest possible ID.
var MaxStreamID = StreamID{^uint64(0), ^uint64(0)}

// Cmp compares two IDs: -1, 0 or 1.
func (a StreamID) Cmp(b StreamID) int {
	switch {
	case a.Ms < b.Ms:
		return -1
	case a.Ms > b.Ms:
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// Less reports whether a < b.
func (a StreamID) Less(b StreamID) bool { return a.Cmp(b) < 0 }

// IsZero reports whether the ID is 0-0.
func (a StreamID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the next ID; ok is false when a is the maximum.
func (a StreamID) Incr() (StreamID, bool) {
	if a.Seq == ^uint64(0) {
		if a.Ms == ^uint64(0) {
			return a, false
		}
		return StreamID{a.Ms + 1, 0}, true
	}
	return StreamID{a.Ms, a.Seq + 1}, true
}

// Decr returns the previous ID; ok is false when a is 0-0.
func (a StreamID) Decr() (StreamID, bool) {
	if a.Seq == 0 {
		if a.Ms == 0 {
			return a, false
		}
		return StreamID{a.Ms - 1, ^uint64(0)}, true
	}
	return StreamID{a.Ms, a.Seq - 1}, true
}

// Append appends "ms-seq" to dst.
func (a StreamID) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, a.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, a.Seq, 10)
}

// String returns "ms-seq".
func (a StreamID) String() string { return string(a.Append(nil)) }

// Entry flags in a block's packed data.
const (
	streamDeleted    = 1 // the entry was deleted (XDEL / exact trimming)
	streamSameFields = 2 // the entry has the block's first entry's fields
)

// streamBlock is a run of up to stream-node-max-entries entries packed in
// one byte slice. Each entry is: a flag byte, uvarint ms delta from first,
// uvarint seq (delta from first.Seq when the ms delta is 0), then either
// the values only (streamSameFields: the field names are the master
// entry's, the block's first entry) or uvarint pair count and each field
// and value as uvarint length + bytes.
type streamBlock struct {
	first StreamID
	last  StreamID // last entry, deleted or not
	live  int32    // entries not deleted
	count int32    // entries, deleted included
	// lpBytes is the size Redis's listpack for the same entries would
	// have: Redis starts a new node by that size, so trimming by whole
	// nodes (~) removes what Redis removes.
	lpBytes int64
	data    []byte
}

// streamLPInt is the listpack size of an integer element (encoding plus
// back length).
func streamLPInt(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= -1<<15 && v < 1<<15:
		return 4
	case v >= -1<<23 && v < 1<<23:
		return 5
	case v >= -1<<31 && v < 1<<31:
		return 6
	}
	return 10
}

// streamLPStr is the listpack size of a string element, stored as an
// integer when it is one in canonical form.
func streamLPStr(b []byte) int {
	if len(b) > 0 && len(b) <= 20 {
		if v, ok := streamCanonicalInt(b); ok {
			return streamLPInt(v)
		}
	}
	n := len(b)
	switch {
	case n < 64:
		n++
	case n < 4096:
		n += 2
	default:
		n += 5
	}
	switch {
	case n <= 127:
		return n + 1
	case n < 16383:
		return n + 2
	case n < 2097151:
		return n + 3
	case n < 268435455:
		return n + 4
	}
	return n + 5
}

// streamCanonicalInt parses b as a 64-bit integer written canonically
// (no sign but '-', no leading zeros, no spaces).
func streamCanonicalInt(b []byte) (int64, bool) {
	i, neg := 0, false
	if b[0] == '-' {
		neg, i = true, 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] == '0' {
		return 0, len(b) == 1
	}
	var u uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (1<<63)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// Stream is a stream value: blocks of packed entries in ID order.
type Stream struct {
	blocks       []*streamBlock
	length       int64
	LastID       StreamID // the top ID ever generated (XSETID may raise it)
	MaxDeleted   StreamID // the largest ID XDEL removed
	EntriesAdded int64    // entries ever added
	// Signals counts the changes that wake blocked readers as Redis's
	// signalKeyAsReady does (XADD, XGROUP DESTROY): a blocked XREAD or
	// XREADGROUP is only reconsidered after one.
	Signals uint64
	groups  []*StreamGroup // consumer groups by name
}

// NewStream returns an empty stream.
func NewStream() *Stream { return &Stream{} }

// Type implements Value.
func (s *Stream) Type() Type { return TypeStream }

// Encoding implements Value.
func (s *Stream) Encoding() string { return "stream" }

// Clone implements Value.
func (s *Stream) Clone() Value {
	c := *s
	c.blocks = make([]*streamBlock, len(s.blocks))
	for i, b := range s.blocks {
		nb := *b
		nb.data = append([]byte(nil), b.data...)
		c.blocks[i] = &nb
	}
	c.groups = cloneStreamGroups(s.groups)
	return &c
}

// Len returns the number of entries.
func (s *Stream) Len() int64 { return s.length }

// Blocks returns the number of blocks (for tests and memory reports).
func (s *Stream) Blocks() int { return len(s.blocks) }

// Bytes returns the packed data size plus block headers, in bytes.
func (s *Stream) Bytes() int {
	n := 0
	for _, b := range s.blocks {
		n += cap(b.data) + 64
	}
	return n + 24*cap(s.blocks) + s.groupsBytes()
}

// FirstID returns the first live entry's ID; ok is false when empty.
func (s *Stream) FirstID() (id StreamID, ok bool) {
	for _, b := range s.blocks {
		if b.live > 0 {
			return b.edge(false), true
		}
	}
	return id, false
}

// LastEntryID returns the last live entry's ID; ok is false when empty.
func (s *Stream) LastEntryID() (id StreamID, ok bool) {
	for i := len(s.blocks) - 1; i >= 0; i-- {
		if b := s.blocks[i]; b.live > 0 {
			return b.edge(true), true
		}
	}
	return id, false
}

// edge returns the block's first (or last) live entry's ID; the block
// must have one.
func (b *streamBlock) edge(last bool) StreamID {
	if b.live == b.count { // nothing deleted: the bounds are live
		if last {
			return b.last
		}
		return b.first
	}
	var mbuf [32][]byte
	m := b.master(mbuf[:0])
	var found StreamID
	for off := 0; off < len(b.data); {
		id, fl, _, next := b.decode(off, m, nil, false)
		if fl&streamDeleted == 0 {
			if !last {
				return id
			}
			found = id
		}
		off = next
	}
	return found
}

func streamPutBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func streamGetBytes(d []byte, off int) ([]byte, int) {
	n, k := binary.Uvarint(d[off:])
	off += k
	return d[off : off+int(n)], off + int(n)
}

// master returns the field names of the block's first entry into buf.
func (b *streamBlock) master(buf [][]byte) [][]byte {
	off := 1
	_, k := binary.Uvarint(b.data[off:])
	off += k
	_, k = binary.Uvarint(b.data[off:])
	off += k
	n, k := binary.Uvarint(b.data[off:])
	off += k
	buf = buf[:0]
	for i := uint64(0); i < n; i++ {
		var f []byte
		f, off = streamGetBytes(b.data, off)
		buf = append(buf, f)
		_, off = streamGetBytes(b.data, off)
	}
	return buf
}

// decode reads the entry at off; fields (names and values, aliasing the
// block) are appended to buf[:0] when want is set.
func (b *streamBlock) decode(off int, master, buf [][]byte, want bool) (id StreamID, flags byte, fields [][]byte, next int) {
	d := b.data
	flags = d[off]
	off++
	dms, k := binary.Uvarint(d[off:])
	off += k
	sq, k := binary.Uvarint(d[off:])
	off += k
	id.Ms = b.first.Ms + dms
	if dms == 0 {
		id.Seq = b.first.Seq + sq
	} else {
		id.Seq = sq
	}
	fields = buf[:0]
	if flags&streamSameFields != 0 {
		for _, f := range master {
			var v []byte
			v, off = streamGetBytes(d, off)
			if want {
				fields = append(fields, f, v)
			}
		}
		return id, flags, fields, off
	}
	n, k := binary.Uvarint(d[off:])
	off += k
	for i := uint64(0); i < 2*n; i++ {
		var v []byte
		v, off = streamGetBytes(d, off)
		if want {
			fields = append(fields, v)
		}
	}
	return id, flags, fields, off
}

// offsets returns the start offsets of the block's entries.
func (b *streamBlock) offsets(master [][]byte) []int {
	offs := make([]int, 0, b.count)
	for off := 0; off < len(b.data); {
		offs = append(offs, off)
		_, _, _, off = b.decode(off, master, nil, false)
	}
	return offs
}

// Append adds an entry with id (greater than every ID in the stream) and
// fields (name, value pairs), starting a new block when the last one has
// maxEntries entries or would reach maxBytes bytes (0: no limit).
func (s *Stream) Append(id StreamID, fields [][]byte, maxEntries, maxBytes int) {
	var b *streamBlock
	if n := len(s.blocks); n > 0 {
		b = s.blocks[n-1]
		size := 0
		for _, f := range fields {
			size += len(f)
		}
		if (maxBytes > 0 && int(b.lpBytes)+size >= maxBytes) || (maxEntries > 0 && int(b.count) >= maxEntries) {
			b = nil
		}
	}
	if b == nil {
		b = &streamBlock{first: id}
		s.blocks = append(s.blocks, b)
		// header, end byte, master entry: count, deleted, field count,
		// field names, terminator
		lp := 7 + streamLPInt(1) + streamLPInt(0) + streamLPInt(int64(len(fields)/2)) + streamLPInt(0)
		for i := 0; i < len(fields); i += 2 {
			lp += streamLPStr(fields[i])
		}
		b.lpBytes = int64(lp)
	}
	same := false
	if b.count > 0 {
		var buf [16][]byte
		m := b.master(buf[:0])
		if len(m) == len(fields)/2 {
			same = true
			for i, f := range m {
				if string(f) != string(fields[2*i]) {
					same = false
					break
				}
			}
		}
	}
	lp := streamLPInt(streamSameFields) + streamLPInt(int64(id.Ms-b.first.Ms)) + streamLPInt(int64(id.Seq-b.first.Seq))
	if same || b.count == 0 { // Redis's first entry uses its own master fields
		for i := 1; i < len(fields); i += 2 {
			lp += streamLPStr(fields[i])
		}
		lp += streamLPInt(int64(len(fields)/2 + 3))
	} else {
		lp += streamLPInt(int64(len(fields) / 2))
		for _, f := range fields {
			lp += streamLPStr(f)
		}
		lp += streamLPInt(int64(len(fields) + 4))
	}
	b.lpBytes += int64(lp)
	d := b.data
	if same {
		d = append(d, streamSameFields)
	} else {
		d = append(d, 0)
	}
	dms := id.Ms - b.first.Ms
	d = binary.AppendUvarint(d, dms)
	if dms == 0 {
		d = binary.AppendUvarint(d, id.Seq-b.first.Seq)
	} else {
		d = binary.AppendUvarint(d, id.Seq)
	}
	if same {
		for i := 1; i < len(fields); i += 2 {
			d = streamPutBytes(d, fields[i])
		}
	} else {
		d = binary.AppendUvarint(d, uint64(len(fields)/2))
		for _, f := range fields {
			d = streamPutBytes(d, f)
		}
	}
	b.data = d
	b.last = id
	b.count++
	b.live++
	s.length++
	s.LastID = id
}

// Range calls fn for the live entries with start <= id <= end, in order
// (reverse order when rev), at most count of them (count <= 0: all),
// until fn returns false. The fields passed to fn are valid only during
// the call.
func (s *Stream) Range(start, end StreamID, rev bool, count int64, fn func(id StreamID, fields [][]byte) bool) {
	if end.Less(start) || s.length == 0 {
		return
	}
	var mbuf, fbuf [32][]byte
	n := int64(0)
	if !rev {
		i := sort.Search(len(s.blocks), func(i int) bool { return !s.blocks[i].last.Less(start) })
		for ; i < len(s.blocks); i++ {
			b := s.blocks[i]
			if end.Less(b.first) {
				return
			}
			m := b.master(mbuf[:0])
			for off := 0; off < len(b.data); {
				var id StreamID
				var fl byte
				var f [][]byte
				id, fl, f, off = b.decode(off, m, fbuf[:0], true)
				if fl&streamDeleted != 0 || id.Less(start) {
					continue
				}
				if end.Less(id) {
					return
				}
				if !fn(id, f) {
					return
				}
				if n++; count > 0 && n >= count {
					return
				}
			}
		}
		return
	}
	i := sort.Search(len(s.blocks), func(i int) bool { return end.Less(s.blocks[i].first) }) - 1
	for ; i >= 0; i-- {
		b := s.blocks[i]
		if b.last.Less(start) {
			return
		}
		m := b.master(mbuf[:0])
		offs := b.offsets(m)
		for j := len(offs) - 1; j >= 0; j-- {
			id, fl, f, _ := b.decode(offs[j], m, fbuf[:0], true)
			if fl&streamDeleted != 0 || end.Less(id) {
				continue
			}
			if id.Less(start) {
				return
			}
			if !fn(id, f) {
				return
			}
			if n++; count > 0 && n >= count {
				return
			}
		}
	}
}

// markDeleted marks the entry at off of block i deleted, removing the
// block when it has no live entry left; it reports whether it removed it.
func (s *Stream) markDeleted(i, off int, keepEmpty bool) bool {
	b := s.blocks[i]
	b.data[off] |= streamDeleted
	b.live--
	s.length--
	if b.live == 0 && !keepEmpty {
		s.blocks = append(s.blocks[:i], s.blocks[i+1:]...)
		return true
	}
	return false
}

// Delete removes the entry with id and reports whether it was there.
func (s *Stream) Delete(id StreamID) bool {
	i := sort.Search(len(s.blocks), func(i int) bool { return !s.blocks[i].last.Less(id) })
	if i == len(s.blocks) || id.Less(s.blocks[i].first) {
		return false
	}
	b := s.blocks[i]
	var mbuf [32][]byte
	m := b.master(mbuf[:0])
	for off := 0; off < len(b.data); {
		e, fl, _, next := b.decode(off, m, nil, false)
		if e == id {
			if fl&streamDeleted != 0 {
				return false
			}
			s.markDeleted(i, off, false)
			if s.MaxDeleted.Less(id) { // only XDEL moves it, not trimming
				s.MaxDeleted = id
			}
			return true
		}
		if id.Less(e) {
			return false
		}
		off = next
	}
	return false
}

// Trim removes entries from the head as XTRIM does: with minID set
// (byID), entries below minID; otherwise entries beyond the newest
// maxLen. Whole blocks go first; approx stops at the first block that
// cannot go whole; limit (> 0) caps the entries removed through whole
// blocks. It returns the number of entries removed.
func (s *Stream) Trim(byID bool, maxLen int64, minID StreamID, approx bool, limit int64) int64 {
	var removed int64
	for len(s.blocks) > 0 {
		if !byID && s.length <= maxLen {
			break // before looking at the block: an empty one stays, as in Redis
		}
		b := s.blocks[0]
		entries := int64(b.live)
		if limit > 0 && removed+entries > limit {
			break
		}
		var whole bool
		if byID {
			whole = b.last.Less(minID)
		} else {
			whole = s.length-entries >= maxLen
		}
		if whole {
			s.blocks = s.blocks[1:]
			s.length -= entries
			removed += entries
			continue
		}
		if approx {
			break
		}
		var mbuf [32][]byte
		m := b.master(mbuf[:0])
		for off := 0; off < len(b.data); {
			id, fl, _, next := b.decode(off, m, nil, false)
			if byID {
				if !id.Less(minID) {
					break
				}
			} else if s.length <= maxLen {
				break
			}
			if fl&streamDeleted == 0 {
				removed++
				// Redis keeps a node that exact trimming emptied
				s.markDeleted(0, off, true)
			}
			off = next
		}
		break
	}
	if len(s.blocks) == 0 {
		s.blocks = nil
	}
	return removed
}
