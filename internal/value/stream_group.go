package value

import (
	"encoding/binary"
	"sort"
)

// StreamEntriesReadInvalid is a group's entries-read counter when it is
// not known (XINFO shows it as null).
const StreamEntriesReadInvalid = -1

// StreamNACK is a pending entry: delivered to a consumer of a group and
// not yet acknowledged. The group's PEL and the consumer's PEL share it.
type StreamNACK struct {
	ID            StreamID
	DeliveryTime  int64 // Unix ms of the last delivery
	DeliveryCount int64
	Consumer      *StreamConsumer
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name     string
	SeenTime int64 // Unix ms of the last command that named it
	PEL      StreamPEL
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name        string
	LastID      StreamID // last delivered ID
	EntriesRead int64    // logical read counter, or StreamEntriesReadInvalid
	PEL         StreamPEL
	consumers   []*StreamConsumer // by name, bytewise
}

// Groups returns the stream's consumer groups, ordered by name. The
// slice must not be changed.
func (s *Stream) Groups() []*StreamGroup { return s.groups }

// streamFindName returns the position of name in a list sorted by name.
func streamFindName(n int, nameAt func(int) string, name []byte) (int, bool) {
	i := sort.Search(n, func(i int) bool { return nameAt(i) >= string(name) })
	return i, i < n && nameAt(i) == string(name)
}

// Group returns the group called name, or nil.
func (s *Stream) Group(name []byte) *StreamGroup {
	if i, ok := streamFindName(len(s.groups), func(i int) string { return s.groups[i].Name }, name); ok {
		return s.groups[i]
	}
	return nil
}

// CreateGroup adds a group; it returns nil when the name is taken.
func (s *Stream) CreateGroup(name []byte, last StreamID, entriesRead int64) *StreamGroup {
	i, ok := streamFindName(len(s.groups), func(i int) string { return s.groups[i].Name }, name)
	if ok {
		return nil
	}
	g := &StreamGroup{Name: string(name), LastID: last, EntriesRead: entriesRead}
	s.groups = append(s.groups, nil)
	copy(s.groups[i+1:], s.groups[i:])
	s.groups[i] = g
	return g
}

// DestroyGroup removes the group called name and reports whether it was
// there.
func (s *Stream) DestroyGroup(name []byte) bool {
	i, ok := streamFindName(len(s.groups), func(i int) string { return s.groups[i].Name }, name)
	if !ok {
		return false
	}
	copy(s.groups[i:], s.groups[i+1:])
	s.groups[len(s.groups)-1] = nil
	s.groups = s.groups[:len(s.groups)-1]
	if len(s.groups) == 0 {
		s.groups = nil
	}
	return true
}

// Consumers returns the group's consumers, ordered by name. The slice
// must not be changed.
func (g *StreamGroup) Consumers() []*StreamConsumer { return g.consumers }

// Consumer returns the consumer called name, or nil.
func (g *StreamGroup) Consumer(name []byte) *StreamConsumer {
	if i, ok := streamFindName(len(g.consumers), func(i int) string { return g.consumers[i].Name }, name); ok {
		return g.consumers[i]
	}
	return nil
}

// CreateConsumer adds a consumer seen at now (Unix ms); it returns nil
// when the name is taken.
func (g *StreamGroup) CreateConsumer(name []byte, now int64) *StreamConsumer {
	i, ok := streamFindName(len(g.consumers), func(i int) string { return g.consumers[i].Name }, name)
	if ok {
		return nil
	}
	c := &StreamConsumer{Name: string(name), SeenTime: now}
	g.consumers = append(g.consumers, nil)
	copy(g.consumers[i+1:], g.consumers[i:])
	g.consumers[i] = c
	return c
}

// DeleteConsumer removes c and its pending entries from the group.
func (g *StreamGroup) DeleteConsumer(c *StreamConsumer) {
	c.PEL.Ascend(StreamID{}, func(n *StreamNACK) bool {
		g.PEL.Delete(n.ID)
		return true
	})
	c.PEL = StreamPEL{}
	i, ok := streamFindName(len(g.consumers), func(i int) string { return g.consumers[i].Name }, []byte(c.Name))
	if !ok || g.consumers[i] != c {
		return
	}
	copy(g.consumers[i:], g.consumers[i+1:])
	g.consumers[len(g.consumers)-1] = nil
	g.consumers = g.consumers[:len(g.consumers)-1]
	if len(g.consumers) == 0 {
		g.consumers = nil
	}
}

// Ack removes the pending entry id from the group and its consumer and
// reports whether it was pending.
func (g *StreamGroup) Ack(id StreamID) bool {
	n := g.PEL.Delete(id)
	if n == nil {
		return false
	}
	if n.Consumer != nil {
		n.Consumer.PEL.Delete(id)
	}
	return true
}

// Deliver records the delivery of id to c at now, as XREADGROUP does: a
// new pending entry, or one already pending (after XGROUP SETID moved the
// group back) handed to c with its delivery count reset to 1.
func (g *StreamGroup) Deliver(id StreamID, c *StreamConsumer, now int64) {
	if n := g.PEL.Get(id); n != nil {
		if n.Consumer != nil {
			n.Consumer.PEL.Delete(id)
		}
		n.Consumer = c
		n.DeliveryTime = now
		n.DeliveryCount = 1
		c.PEL.Insert(n)
		return
	}
	n := &StreamNACK{ID: id, DeliveryTime: now, DeliveryCount: 1, Consumer: c}
	g.PEL.Insert(n)
	c.PEL.Insert(n)
}

// Move hands the pending entry n to c (a no-op when c owns it already).
// A NACK that XCLAIM FORCE just created has no owner yet.
func (g *StreamGroup) Move(n *StreamNACK, c *StreamConsumer) {
	if n.Consumer == c {
		return
	}
	if n.Consumer != nil {
		n.Consumer.PEL.Delete(n.ID)
	}
	n.Consumer = c
	c.PEL.Insert(n)
}

// RecordedFirstID is Redis's first_id: the first live entry's ID, 0-0 when
// the stream is empty.
func (s *Stream) RecordedFirstID() StreamID {
	id, _ := s.FirstID()
	return id
}

// HasTombstonesFrom reports whether entries at or above start may have
// been deleted by XDEL (Redis's streamRangeHasTombstones with no end);
// first is RecordedFirstID.
func (s *Stream) HasTombstonesFrom(start, first StreamID) bool {
	if s.length == 0 || s.MaxDeleted.IsZero() {
		return false
	}
	if first.Cmp(s.MaxDeleted) > 0 {
		return false
	}
	return start.Cmp(s.MaxDeleted) <= 0
}

// EntriesReadAt is the logical read counter of id (the number of entries
// ever added up to it), or StreamEntriesReadInvalid when it cannot be
// known; first is RecordedFirstID. It is Redis's
// streamEstimateDistanceFromFirstEverEntry.
func (s *Stream) EntriesReadAt(id, first StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Cmp(s.LastID) < 1 {
		return s.EntriesAdded
	}
	switch id.Cmp(s.LastID) {
	case 0:
		return s.EntriesAdded
	case 1:
		return StreamEntriesReadInvalid
	}
	if s.MaxDeleted.IsZero() || s.MaxDeleted.Less(first) {
		switch id.Cmp(first) {
		case -1:
			return s.EntriesAdded - s.length
		case 0:
			return s.EntriesAdded - s.length + 1
		}
	}
	return StreamEntriesReadInvalid
}

// Lag is the number of entries the group has yet to read; ok is false
// when it cannot be known (XINFO shows null).
func (s *Stream) Lag(g *StreamGroup) (lag int64, ok bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	first := s.RecordedFirstID()
	if g.EntriesRead != StreamEntriesReadInvalid && !s.HasTombstonesFrom(g.LastID, first) {
		return s.EntriesAdded - g.EntriesRead, true
	}
	if read := s.EntriesReadAt(g.LastID, first); read != StreamEntriesReadInvalid {
		return s.EntriesAdded - read, true
	}
	return 0, false
}

// Advance moves the group's last delivered ID to id (above it) and keeps
// its read counter, as delivering entries through XREADGROUP does.
func (s *Stream) Advance(g *StreamGroup, id, first StreamID) {
	if g.EntriesRead != StreamEntriesReadInvalid && !s.HasTombstonesFrom(id, first) {
		g.EntriesRead++
	} else if s.EntriesAdded != 0 {
		g.EntriesRead = s.EntriesReadAt(id, first)
	}
	g.LastID = id
}

// HasEntry reports whether the entry id exists (and is not deleted).
func (s *Stream) HasEntry(id StreamID) bool {
	found := false
	s.Range(id, id, false, 1, func(StreamID, [][]byte) bool { found = true; return false })
	return found
}

// RadixKeys is the number of nodes Redis's radix tree of listpacks holds
// for this stream (XINFO STREAM radix-tree-keys).
func (s *Stream) RadixKeys() int { return len(s.blocks) }

// RadixNodes is the number of nodes of Redis's radix tree keyed by the
// blocks' first IDs (XINFO STREAM radix-tree-nodes). Redis's rax keeps a
// canonical shape for a set of equal-length keys: a branch node where
// keys diverge, one compressed node for each run of shared bytes, a leaf
// per key.
func (s *Stream) RadixNodes() int {
	if len(s.blocks) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.blocks))
	for i, b := range s.blocks {
		binary.BigEndian.PutUint64(keys[i][:8], b.first.Ms)
		binary.BigEndian.PutUint64(keys[i][8:], b.first.Seq)
	}
	return streamRaxNodes(keys, 0)
}

// streamRaxNodes counts the rax nodes below depth d for sorted distinct
// keys that share their first d bytes.
func streamRaxNodes(keys [][16]byte, d int) int {
	if len(keys) == 1 {
		if d < 16 {
			return 2 // the rest compressed, then the key's leaf
		}
		return 1
	}
	p := d
	for keys[0][p] == keys[len(keys)-1][p] {
		p++
	}
	n := 1 // the branch node
	if p > d {
		n++ // the shared bytes before it
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][p] == keys[i][p] {
			j++
		}
		n += streamRaxNodes(keys[i:j], p+1)
		i = j
	}
	return n
}

// cloneStreamGroups deep-copies groups, consumers and PELs.
func cloneStreamGroups(groups []*StreamGroup) []*StreamGroup {
	if len(groups) == 0 {
		return nil
	}
	out := make([]*StreamGroup, len(groups))
	for i, g := range groups {
		ng := &StreamGroup{Name: g.Name, LastID: g.LastID, EntriesRead: g.EntriesRead}
		owner := make(map[*StreamConsumer]*StreamConsumer, len(g.consumers))
		if len(g.consumers) > 0 {
			ng.consumers = make([]*StreamConsumer, len(g.consumers))
			for j, c := range g.consumers {
				nc := &StreamConsumer{Name: c.Name, SeenTime: c.SeenTime}
				ng.consumers[j] = nc
				owner[c] = nc
			}
		}
		g.PEL.Ascend(StreamID{}, func(n *StreamNACK) bool {
			nn := &StreamNACK{ID: n.ID, DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount, Consumer: owner[n.Consumer]}
			ng.PEL.Insert(nn)
			if nn.Consumer != nil {
				nn.Consumer.PEL.Insert(nn)
			}
			return true
		})
		out[i] = ng
	}
	return out
}

// groupsBytes estimates the memory of the consumer groups.
func (s *Stream) groupsBytes() int {
	n := 0
	for _, g := range s.groups {
		n += 96 + len(g.Name) + g.PEL.n*(48+8) + len(g.PEL.chunks)*24
		for _, c := range g.consumers {
			n += 64 + len(c.Name) + c.PEL.n*8 + len(c.PEL.chunks)*24
		}
	}
	return n
}
