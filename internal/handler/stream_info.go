package handler

import (
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"xinfo|stream":    xinfoStreamCmd,
		"xinfo|groups":    xinfoGroupsCmd,
		"xinfo|consumers": xinfoConsumersCmd,
		"xinfo|help":      xinfoHelpCmd,
	})
}

// xinfoStream looks up the key of an XINFO subcommand, replying "no such
// key" or WRONGTYPE.
func xinfoStream(c *Ctx) (*value.Stream, bool) {
	e := c.DB.Read(c.Args[2])
	if e == nil {
		c.Error(errs.NoSuchKey)
		return nil, false
	}
	return streamValue(c, e)
}

func xinfoSyntax(c *Ctx) { c.Error(errs.SubcommandSyntax(c.Args[1], "XINFO")) }

// streamWriteID writes an ID as a bulk string.
func streamWriteID(out *resp.Writer, id value.StreamID) {
	var buf [48]byte
	out.Bulk(id.Append(buf[:0]))
}

// streamWriteEntriesRead writes a group's read counter, null when unknown.
func streamWriteEntriesRead(out *resp.Writer, g *value.StreamGroup) {
	if g.EntriesRead == value.StreamEntriesReadInvalid {
		out.Null()
		return
	}
	out.Int(g.EntriesRead)
}

// streamWriteLag writes a group's lag, null when unknown.
func streamWriteLag(out *resp.Writer, s *value.Stream, g *value.StreamGroup) {
	if lag, ok := s.Lag(g); ok {
		out.Int(lag)
		return
	}
	out.Null()
}

// XINFO STREAM key [FULL [COUNT count]]
func xinfoStreamCmd(c *Ctx) {
	s, ok := xinfoStream(c)
	if !ok {
		return
	}
	opts := c.Args[3:]
	full := len(opts) > 0
	count := int64(10)
	if full {
		if (len(opts) != 1 && len(opts) != 3) || !strOptIs(opts[0], "FULL") {
			xinfoSyntax(c)
			return
		}
		if len(opts) == 3 {
			if !strOptIs(opts[1], "COUNT") {
				xinfoSyntax(c)
				return
			}
			n, ok := c.Int(5)
			if !ok {
				return
			}
			if n >= 0 {
				count = n
			}
		}
	}
	out := c.Out
	if full {
		out.Map(9)
	} else {
		out.Map(10)
	}
	out.BulkString("length")
	out.Int(s.Len())
	out.BulkString("radix-tree-keys")
	out.Int(int64(s.RadixKeys()))
	out.BulkString("radix-tree-nodes")
	out.Int(int64(s.RadixNodes()))
	out.BulkString("last-generated-id")
	streamWriteID(out, s.LastID)
	out.BulkString("max-deleted-entry-id")
	streamWriteID(out, s.MaxDeleted)
	out.BulkString("entries-added")
	out.Int(s.EntriesAdded)
	out.BulkString("recorded-first-entry-id")
	streamWriteID(out, s.RecordedFirstID())
	if !full {
		out.BulkString("groups")
		out.Int(int64(len(s.Groups())))
		out.BulkString("first-entry")
		if !streamWriteEdge(out, s, false) {
			out.Null()
		}
		out.BulkString("last-entry")
		if !streamWriteEdge(out, s, true) {
			out.Null()
		}
		return
	}
	out.BulkString("entries")
	streamWriteRange(out, s, value.StreamID{}, value.MaxStreamID, false, count)
	out.BulkString("groups")
	out.Array(len(s.Groups()))
	for _, g := range s.Groups() {
		out.Map(7)
		out.BulkString("name")
		out.BulkString(g.Name)
		out.BulkString("last-delivered-id")
		streamWriteID(out, g.LastID)
		out.BulkString("entries-read")
		streamWriteEntriesRead(out, g)
		out.BulkString("lag")
		streamWriteLag(out, s, g)
		out.BulkString("pel-count")
		out.Int(int64(g.PEL.Len()))
		out.BulkString("pending")
		pending := streamPELHead(&g.PEL, count)
		out.Array(len(pending))
		for _, n := range pending {
			out.Array(4)
			streamWriteID(out, n.ID)
			out.BulkString(n.Consumer.Name)
			out.Int(n.DeliveryTime)
			out.Int(n.DeliveryCount)
		}
		out.BulkString("consumers")
		out.Array(len(g.Consumers()))
		for _, cons := range g.Consumers() {
			out.Map(4)
			out.BulkString("name")
			out.BulkString(cons.Name)
			out.BulkString("seen-time")
			out.Int(cons.SeenTime)
			out.BulkString("pel-count")
			out.Int(int64(cons.PEL.Len()))
			out.BulkString("pending")
			pending := streamPELHead(&cons.PEL, count)
			out.Array(len(pending))
			for _, n := range pending {
				out.Array(3)
				streamWriteID(out, n.ID)
				out.Int(n.DeliveryTime)
				out.Int(n.DeliveryCount)
			}
		}
	}
}

// streamPELHead returns the first count NACKs of a PEL (count 0: all).
func streamPELHead(p *value.StreamPEL, count int64) []*value.StreamNACK {
	var list []*value.StreamNACK
	p.Ascend(value.StreamID{}, func(n *value.StreamNACK) bool {
		list = append(list, n)
		return count == 0 || int64(len(list)) < count
	})
	return list
}

// streamWriteEdge writes the first (or last) entry and reports whether
// there is one.
func streamWriteEdge(out *resp.Writer, s *value.Stream, last bool) bool {
	found := false
	s.Range(value.StreamID{}, value.MaxStreamID, last, 1, func(id value.StreamID, f [][]byte) bool {
		streamWriteEntry(out, id, f)
		found = true
		return false
	})
	return found
}

// XINFO GROUPS key
func xinfoGroupsCmd(c *Ctx) {
	s, ok := xinfoStream(c)
	if !ok {
		return
	}
	out := c.Out
	out.Array(len(s.Groups()))
	for _, g := range s.Groups() {
		out.Map(6)
		out.BulkString("name")
		out.BulkString(g.Name)
		out.BulkString("consumers")
		out.Int(int64(len(g.Consumers())))
		out.BulkString("pending")
		out.Int(int64(g.PEL.Len()))
		out.BulkString("last-delivered-id")
		streamWriteID(out, g.LastID)
		out.BulkString("entries-read")
		streamWriteEntriesRead(out, g)
		out.BulkString("lag")
		streamWriteLag(out, s, g)
	}
}

// XINFO CONSUMERS key group
func xinfoConsumersCmd(c *Ctx) {
	s, ok := xinfoStream(c)
	if !ok {
		return
	}
	g := s.Group(c.Args[3])
	if g == nil {
		c.Error(errs.StreamNoGroupForKey(c.Args[3], c.Args[2]))
		return
	}
	now := c.NowMs()
	out := c.Out
	out.Array(len(g.Consumers()))
	for _, cons := range g.Consumers() {
		out.Map(3)
		out.BulkString("name")
		out.BulkString(cons.Name)
		out.BulkString("pending")
		out.Int(int64(cons.PEL.Len()))
		out.BulkString("idle")
		out.Int(max(now-cons.SeenTime, 0))
	}
}

// XINFO HELP
func xinfoHelpCmd(c *Ctx) {
	writeSubcommandHelp(c, "XINFO", []string{
		"CONSUMERS <key> <group>",
		"    List the group's consumers with their pending counts and idle times.",
		"GROUPS <key>",
		"    List the stream's consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]]",
		"    Describe the stream; FULL adds its entries, groups and pending entries (COUNT of each, 10 by default, 0 for all).",
	})
}
