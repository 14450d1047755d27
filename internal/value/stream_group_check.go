package value

import "fmt"

// Check verifies the stream's blocks (entries decode to their counts, IDs
// ascend within and across blocks, the length adds up, the last ID is not
// below the last entry) and its consumer groups: names ordered and
// distinct, every PEL ordered, every pending entry of a group owned by
// exactly one of its consumers and listed in that consumer's PEL, and the
// group's PEL the union of its consumers' PELs.
func (s *Stream) Check() error {
	var total int64
	var prev StreamID
	seen := false
	var mbuf [32][]byte
	for bi, b := range s.blocks {
		if len(b.data) == 0 || b.count == 0 {
			return fmt.Errorf("stream: block %d is empty", bi)
		}
		m := b.master(mbuf[:0])
		var count, live int32
		for off := 0; off < len(b.data); {
			id, fl, _, next := b.decode(off, m, nil, false)
			if count == 0 && id != b.first {
				return fmt.Errorf("stream: block %d starts at %v, says %v", bi, id, b.first)
			}
			if seen && !prev.Less(id) {
				return fmt.Errorf("stream: ID %v after %v", id, prev)
			}
			prev, seen = id, true
			count++
			if fl&streamDeleted == 0 {
				live++
			}
			off = next
		}
		if count != b.count || live != b.live {
			return fmt.Errorf("stream: block %d holds %d entries (%d live), says %d (%d)", bi, count, live, b.count, b.live)
		}
		if prev != b.last {
			return fmt.Errorf("stream: block %d ends at %v, says %v", bi, prev, b.last)
		}
		if live == 0 && bi != 0 {
			return fmt.Errorf("stream: block %d has no live entry", bi)
		}
		total += int64(live)
	}
	if total != s.length {
		return fmt.Errorf("stream: blocks hold %d entries, length says %d", total, s.length)
	}
	if seen && s.LastID.Less(prev) {
		return fmt.Errorf("stream: last ID %v below the last entry %v", s.LastID, prev)
	}
	if s.EntriesAdded < s.length {
		return fmt.Errorf("stream: %d entries added, %d held", s.EntriesAdded, s.length)
	}
	for i, g := range s.groups {
		if i > 0 && s.groups[i-1].Name >= g.Name {
			return fmt.Errorf("stream: group %q after %q", g.Name, s.groups[i-1].Name)
		}
		if err := g.check(); err != nil {
			return fmt.Errorf("stream: group %q: %v", g.Name, err)
		}
	}
	return nil
}

func (g *StreamGroup) check() error {
	if msg, ok := g.PEL.check(); !ok {
		return fmt.Errorf("group PEL: %s", msg)
	}
	if g.EntriesRead < StreamEntriesReadInvalid {
		return fmt.Errorf("entries-read %d", g.EntriesRead)
	}
	members := make(map[*StreamConsumer]bool, len(g.consumers))
	owned := 0
	for i, c := range g.consumers {
		if i > 0 && g.consumers[i-1].Name >= c.Name {
			return fmt.Errorf("consumer %q after %q", c.Name, g.consumers[i-1].Name)
		}
		members[c] = true
		if msg, ok := c.PEL.check(); !ok {
			return fmt.Errorf("consumer %q PEL: %s", c.Name, msg)
		}
		var err error
		c.PEL.Ascend(StreamID{}, func(n *StreamNACK) bool {
			if n.Consumer != c {
				err = fmt.Errorf("consumer %q lists %v owned by another", c.Name, n.ID)
			} else if g.PEL.Get(n.ID) != n {
				err = fmt.Errorf("consumer %q lists %v, missing from the group PEL", c.Name, n.ID)
			}
			return err == nil
		})
		if err != nil {
			return err
		}
		owned += c.PEL.Len()
	}
	var err error
	g.PEL.Ascend(StreamID{}, func(n *StreamNACK) bool {
		switch {
		case n.Consumer == nil:
			err = fmt.Errorf("pending %v has no consumer", n.ID)
		case !members[n.Consumer]:
			err = fmt.Errorf("pending %v owned by a consumer not in the group", n.ID)
		case n.Consumer.PEL.Get(n.ID) != n:
			err = fmt.Errorf("pending %v missing from its consumer's PEL", n.ID)
		case n.DeliveryCount < 0:
			err = fmt.Errorf("pending %v delivered %d times", n.ID, n.DeliveryCount)
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	if owned != g.PEL.Len() {
		return fmt.Errorf("consumers own %d pending entries, the group has %d", owned, g.PEL.Len())
	}
	return nil
}
