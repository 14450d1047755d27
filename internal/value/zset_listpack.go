// The listpack form of a sorted set: one packed, ordered byte slice.

package value

import (
	"bytes"
	"encoding/binary"
	"math"
)

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
