// Invariant checks of the value types, run by the keyspace checker that
// tests call after every case (keyspace.Keyspace.Check).

package value

import (
	"bytes"
	"fmt"
	"math"
)

// Checker is implemented by values that can verify their own internal
// invariants.
type Checker interface {
	// Check returns the first broken invariant, or nil.
	Check() error
}

// Check verifies that every chunk's entries parse, forwards and backwards,
// to its count, that the counts add up to the list's length and that the
// chunks' costs add up to the list's byte count.
func (l *List) Check() error {
	total := 0
	var bytes int64
	for ci, c := range l.live() {
		bytes += chunkCost(c)
		if c.head < 0 || c.head > c.tail || c.tail > len(c.b) {
			return fmt.Errorf("list: chunk %d bounds %d..%d of %d", ci, c.head, c.tail, len(c.b))
		}
		n, pos := 0, c.head
		for pos < c.tail {
			_, pos = lnext(c.b, pos)
			n++
		}
		if pos != c.tail || n != c.n {
			return fmt.Errorf("list: chunk %d walks to %d entries ending at %d, has %d ending at %d", ci, n, pos, c.n, c.tail)
		}
		back, pos := 0, c.tail
		for pos > c.head {
			_, pos = lprev(c.b, pos)
			back++
		}
		if pos != c.head || back != n {
			return fmt.Errorf("list: chunk %d walks back to %d entries, forwards %d", ci, back, n)
		}
		if n == 0 {
			return fmt.Errorf("list: chunk %d is empty but live", ci)
		}
		total += n
	}
	if total != l.n {
		return fmt.Errorf("list: chunks hold %d entries, length says %d", total, l.n)
	}
	if bytes != l.bytes {
		return fmt.Errorf("list: chunks take %d bytes, the list counts %d", bytes, l.bytes)
	}
	return nil
}

// Check verifies that an intset holds strictly ascending integers and that
// every encoding's member count matches Len.
func (s *Set) Check() error {
	n := 0
	var prev int64
	var err error
	s.Each(func(m SetMember) bool {
		if s.IsIntset() {
			if !m.IsInt {
				err = fmt.Errorf("set: intset member %q is not an integer", m.S)
				return false
			}
			if n > 0 && m.N <= prev {
				err = fmt.Errorf("set: intset not ascending: %d after %d", m.N, prev)
				return false
			}
			prev = m.N
		}
		n++
		return true
	})
	if err != nil {
		return err
	}
	if n != s.Len() {
		return fmt.Errorf("set: iterates %d members, Len says %d", n, s.Len())
	}
	if s.ht != nil {
		payload := 0
		s.ht.Range(func(m string, _ struct{}) bool {
			payload += len(m)
			return true
		})
		if payload != s.htBytes {
			return fmt.Errorf("set: members hold %d bytes, counted %d", payload, s.htBytes)
		}
	}
	return nil
}

// Check verifies that fields are distinct, that each field reads back its
// value, and that the count matches Len.
func (h *Hash) Check() error {
	// Collect first: Get advances a hashtable's rehashing, which Range's
	// callback must not do.
	var pairs [][2][]byte
	h.Range(func(f, v []byte) bool {
		pairs = append(pairs, [2][]byte{f, v})
		return true
	})
	seen := make(map[string]bool, len(pairs))
	payload := 0
	for _, p := range pairs {
		f, v := p[0], p[1]
		if seen[string(f)] {
			return fmt.Errorf("hash: field %q held twice", f)
		}
		seen[string(f)] = true
		if got, ok := h.Get(f); !ok || !bytes.Equal(got, v) {
			return fmt.Errorf("hash: field %q reads back %q %v, iterates as %q", f, got, ok, v)
		}
		payload += len(f) + len(v)
	}
	if len(pairs) != h.Len() {
		return fmt.Errorf("hash: iterates %d fields, Len says %d", len(pairs), h.Len())
	}
	if h.ht != nil && payload != h.htBytes {
		return fmt.Errorf("hash: fields and values hold %d bytes, counted %d", payload, h.htBytes)
	}
	return nil
}

// Check verifies that members come in Redis's order (score, then bytes)
// both ways, that the count matches Len, and for the skiplist form that the
// tree's counts, bounds and leaf chain are right and the member → score
// dict agrees with the tree.
func (z *ZSet) Check() error {
	n := 0
	var prevScore float64
	var prevMember []byte
	for it := z.Iter(0); it.Valid(); it.Next() {
		s, m := it.Score(), it.Member()
		if math.IsNaN(s) {
			return fmt.Errorf("zset: member %q has a NaN score", m)
		}
		if n > 0 && (s < prevScore || (s == prevScore && bytes.Compare(m, prevMember) <= 0)) {
			return fmt.Errorf("zset: %q (%v) after %q (%v)", m, s, prevMember, prevScore)
		}
		if got, ok := z.Score(m); !ok || (got != s && !(got == 0 && s == 0)) {
			return fmt.Errorf("zset: member %q scores %v by lookup, %v in order", m, got, s)
		}
		prevScore, prevMember = s, append(prevMember[:0], m...)
		n++
	}
	if n != z.Len() {
		return fmt.Errorf("zset: iterates %d members, Len says %d", n, z.Len())
	}
	back := 0
	for it := z.Iter(n - 1); it.Valid(); it.Prev() {
		back++
	}
	if back != n {
		return fmt.Errorf("zset: iterates %d members backwards, %d forwards", back, n)
	}
	if z.big != nil {
		if z.big.dict.Len() != n {
			return fmt.Errorf("zset: dict holds %d members, tree %d", z.big.dict.Len(), n)
		}
		payload := 0
		z.big.dict.Range(func(m string, _ float64) bool {
			payload += len(m)
			return true
		})
		if payload != z.big.mbytes {
			return fmt.Errorf("zset: members hold %d bytes, counted %d", payload, z.big.mbytes)
		}
		return z.big.check()
	}
	return nil
}

// check verifies the B+tree: nodes within their size bounds, items in
// order inside leaves, per-child counts equal to the subtrees' sizes,
// separator keys between children, and the leaf chain in tree order.
func (b *zsBig) check() error {
	var leaves []*zsNode
	var walk func(n *zsNode, root bool) (lo, hi *zsItem, size int, err error)
	walk = func(n *zsNode, root bool) (lo, hi *zsItem, size int, err error) {
		if !root && (n.underfull() || n.width() > max(zsLeafMax, zsKidsMax)) {
			return nil, nil, 0, fmt.Errorf("zset tree: node width %d out of bounds (leaf %v)", n.width(), n.isLeaf())
		}
		if n.isLeaf() {
			leaves = append(leaves, n)
			for i := 1; i < len(n.items); i++ {
				if zsCmp(n.items[i].score, n.items[i].member, &n.items[i-1]) <= 0 {
					return nil, nil, 0, fmt.Errorf("zset tree: leaf out of order at %d", i)
				}
			}
			if len(n.items) == 0 {
				return nil, nil, 0, nil
			}
			return &n.items[0], &n.items[len(n.items)-1], len(n.items), nil
		}
		if len(n.cnt) != len(n.kids) || len(n.low) != len(n.kids) {
			return nil, nil, 0, fmt.Errorf("zset tree: inner node has %d kids, %d counts, %d bounds", len(n.kids), len(n.cnt), len(n.low))
		}
		var prevHi *zsItem
		for i, k := range n.kids {
			klo, khi, ks, err := walk(k, false)
			if err != nil {
				return nil, nil, 0, err
			}
			if ks != n.cnt[i] {
				return nil, nil, 0, fmt.Errorf("zset tree: child count %d, subtree holds %d", n.cnt[i], ks)
			}
			if i > 0 && klo != nil && zsCmp(n.low[i].score, n.low[i].member, klo) > 0 {
				return nil, nil, 0, fmt.Errorf("zset tree: separator above its child's first item")
			}
			if i > 0 && prevHi != nil && zsCmp(n.low[i].score, n.low[i].member, prevHi) <= 0 {
				return nil, nil, 0, fmt.Errorf("zset tree: separator not above the previous child")
			}
			if i == 0 {
				lo = klo
			}
			if khi != nil {
				prevHi, hi = khi, khi
			}
			size += ks
		}
		return lo, hi, size, nil
	}
	if _, _, _, err := walk(b.root, true); err != nil {
		return err
	}
	if len(leaves) == 0 || b.first != leaves[0] || b.last != leaves[len(leaves)-1] {
		return fmt.Errorf("zset tree: first/last leaf pointers are wrong")
	}
	for i, l := range leaves {
		var prev, next *zsNode
		if i > 0 {
			prev = leaves[i-1]
		}
		if i+1 < len(leaves) {
			next = leaves[i+1]
		}
		if l.prev != prev || l.next != next {
			return fmt.Errorf("zset tree: leaf chain broken at leaf %d", i)
		}
	}
	return nil
}
