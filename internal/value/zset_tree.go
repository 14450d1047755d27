// The skiplist form of a sorted set: a member → score dict and an
// order-statistic B+tree.

package value

import (
	"github.com/ember-kv/ember/internal/dict"
)

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
	// mbytes is the members' lengths summed, kept as members come and go
	// so that Size is O(1) (see size.go).
	mbytes int
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
		b.mbytes += len(entries[i].Member)
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
	b.mbytes += len(member)
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
	b.mbytes -= len(member)
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
			b.mbytes -= len(n.items[j].member)
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
