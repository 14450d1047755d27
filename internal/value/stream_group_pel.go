package value

import (
	"slices"
	"sort"
)

// streamPELChunkMax is the most NACKs one chunk of a StreamPEL holds.
const streamPELChunkMax = 128

// StreamPEL is a pending entries list: NACKs ordered by entry ID, kept in
// sorted chunks of at most streamPELChunkMax pointers, so that inserting
// at the end (XREADGROUP) and removing anywhere (XACK) cost O(log n) plus
// one chunk's shift. A group's PEL and its consumers' PELs share the NACKs.
type StreamPEL struct {
	chunks [][]*StreamNACK // none empty; chunk i's IDs below chunk i+1's
	n      int
}

// Len is the number of pending entries.
func (p *StreamPEL) Len() int { return p.n }

// locate returns the index of the first chunk whose last ID is >= id
// (len(chunks) when id is above every ID).
func (p *StreamPEL) locate(id StreamID) int {
	return sort.Search(len(p.chunks), func(i int) bool {
		c := p.chunks[i]
		return !c[len(c)-1].ID.Less(id)
	})
}

// streamPELIndex is the position of the first NACK of c with ID >= id.
func streamPELIndex(c []*StreamNACK, id StreamID) int {
	return sort.Search(len(c), func(i int) bool { return !c[i].ID.Less(id) })
}

// Get returns the NACK of id, or nil.
func (p *StreamPEL) Get(id StreamID) *StreamNACK {
	ci := p.locate(id)
	if ci == len(p.chunks) {
		return nil
	}
	c := p.chunks[ci]
	if i := streamPELIndex(c, id); c[i].ID == id {
		return c[i]
	}
	return nil
}

// Insert adds n, ordered by n.ID; it reports false (and changes nothing)
// when the ID is already pending.
func (p *StreamPEL) Insert(n *StreamNACK) bool {
	ci := p.locate(n.ID)
	if ci == len(p.chunks) {
		if ci > 0 && len(p.chunks[ci-1]) < streamPELChunkMax {
			p.chunks[ci-1] = append(p.chunks[ci-1], n)
		} else {
			c := make([]*StreamNACK, 1, 8)
			c[0] = n
			p.chunks = append(p.chunks, c)
		}
		p.n++
		return true
	}
	c := p.chunks[ci]
	i := streamPELIndex(c, n.ID)
	if c[i].ID == n.ID {
		return false
	}
	c = slices.Insert(c, i, n)
	if len(c) > streamPELChunkMax {
		h := len(c) / 2
		right := make([]*StreamNACK, len(c)-h, streamPELChunkMax)
		copy(right, c[h:])
		clear(c[h:])
		c = c[:h]
		p.chunks = slices.Insert(p.chunks, ci+1, right)
	}
	p.chunks[ci] = c
	p.n++
	return true
}

// Delete removes and returns the NACK of id, or returns nil.
func (p *StreamPEL) Delete(id StreamID) *StreamNACK {
	ci := p.locate(id)
	if ci == len(p.chunks) {
		return nil
	}
	c := p.chunks[ci]
	i := streamPELIndex(c, id)
	if c[i].ID != id {
		return nil
	}
	n := c[i]
	c = slices.Delete(c, i, i+1)
	p.n--
	switch {
	case len(c) == 0:
		p.chunks = slices.Delete(p.chunks, ci, ci+1)
	case len(c) < streamPELChunkMax/4 && ci+1 < len(p.chunks) && len(c)+len(p.chunks[ci+1]) <= streamPELChunkMax:
		p.chunks[ci] = append(c, p.chunks[ci+1]...)
		p.chunks = slices.Delete(p.chunks, ci+1, ci+2)
	case len(c) < streamPELChunkMax/4 && ci > 0 && len(c)+len(p.chunks[ci-1]) <= streamPELChunkMax:
		p.chunks[ci-1] = append(p.chunks[ci-1], c...)
		p.chunks = slices.Delete(p.chunks, ci, ci+1)
	default:
		p.chunks[ci] = c
	}
	if len(p.chunks) == 0 {
		p.chunks = nil
	}
	return n
}

// First returns the NACK with the smallest ID, or nil.
func (p *StreamPEL) First() *StreamNACK {
	if p.n == 0 {
		return nil
	}
	return p.chunks[0][0]
}

// Last returns the NACK with the largest ID, or nil.
func (p *StreamPEL) Last() *StreamNACK {
	if p.n == 0 {
		return nil
	}
	c := p.chunks[len(p.chunks)-1]
	return c[len(c)-1]
}

// Ceil returns the NACK with the smallest ID >= id, or nil.
func (p *StreamPEL) Ceil(id StreamID) *StreamNACK {
	ci := p.locate(id)
	if ci == len(p.chunks) {
		return nil
	}
	c := p.chunks[ci]
	return c[streamPELIndex(c, id)]
}

// Ascend calls fn for the NACKs with ID >= from, in ID order, until fn
// returns false. fn must not change the PEL.
func (p *StreamPEL) Ascend(from StreamID, fn func(n *StreamNACK) bool) {
	ci := p.locate(from)
	if ci == len(p.chunks) {
		return
	}
	i := streamPELIndex(p.chunks[ci], from)
	for ; ci < len(p.chunks); ci++ {
		for _, n := range p.chunks[ci][i:] {
			if !fn(n) {
				return
			}
		}
		i = 0
	}
}

// check verifies the chunks: none empty or oversized, IDs strictly
// ascending throughout, and the count.
func (p *StreamPEL) check() (string, bool) {
	total := 0
	var prev StreamID
	for ci, c := range p.chunks {
		if len(c) == 0 || len(c) > streamPELChunkMax {
			return "PEL chunk size out of bounds", false
		}
		for i, n := range c {
			if n == nil {
				return "nil NACK in PEL", false
			}
			if (ci > 0 || i > 0) && !prev.Less(n.ID) {
				return "PEL IDs not ascending at " + n.ID.String(), false
			}
			prev = n.ID
			total++
		}
	}
	if total != p.n {
		return "PEL count differs from its chunks", false
	}
	return "", true
}
