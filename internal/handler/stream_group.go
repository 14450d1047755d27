package handler

import (
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"xgroup|create":         xgroupCreateCmd,
		"xgroup|setid":          xgroupSetIDCmd,
		"xgroup|destroy":        xgroupDestroyCmd,
		"xgroup|createconsumer": xgroupCreateConsumerCmd,
		"xgroup|delconsumer":    xgroupDelConsumerCmd,
		"xgroup|help":           xgroupHelpCmd,
		"xack":                  xackCmd,
		"xpending":              xpendingCmd,
		"xclaim":                xclaimCmd,
		"xautoclaim":            xautoclaimCmd,
	})
}

// xgroupArgs is what the XGROUP subcommands share: Redis parses the
// options of CREATE and SETID, looks the key up and checks that it (and,
// but for CREATE and DESTROY, the group) exists before it looks at what
// the subcommand is.
type xgroupArgs struct {
	s           *value.Stream // nil: no key (CREATE ... MKSTREAM)
	g           *value.StreamGroup
	mkstream    bool
	entriesRead int64
}

func xgroupPrologue(c *Ctx, create, setid bool) (a xgroupArgs, ok bool) {
	a.entriesRead = value.StreamEntriesReadInvalid
	for i := 5; i < len(c.Args); {
		switch {
		case create && strOptIs(c.Args[i], "MKSTREAM"):
			a.mkstream = true
			i++
		case (create || setid) && strOptIs(c.Args[i], "ENTRIESREAD") && i+1 < len(c.Args):
			n, okN := resp.ParseInt(c.Args[i+1])
			if !okN {
				c.Error(errs.NotInteger)
				return a, false
			}
			if n < 0 && n != value.StreamEntriesReadInvalid {
				c.Error(errs.StreamEntriesReadInvalid)
				return a, false
			}
			a.entriesRead = n
			i += 2
		default:
			xgroupSyntax(c)
			return a, false
		}
	}
	s, ok := streamValue(c, c.DB.Write(c.Args[2]))
	if !ok {
		return a, false
	}
	a.s = s
	if a.mkstream {
		return a, true
	}
	if s == nil {
		c.Error(errs.StreamXGroupNeedsKey)
		return a, false
	}
	a.g = s.Group(c.Args[3])
	if a.g == nil && !create && c.Spec.Name != "xgroup|destroy" {
		c.Error(errs.StreamNoGroupForKey(c.Args[3], c.Args[2]))
		return a, false
	}
	return a, true
}

func xgroupSyntax(c *Ctx) { c.Error(errs.SubcommandSyntax(c.Args[1], "XGROUP")) }

// XGROUP CREATE key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]
func xgroupCreateCmd(c *Ctx) {
	a, ok := xgroupPrologue(c, true, false)
	if !ok {
		return
	}
	if len(c.Args) > 8 {
		xgroupSyntax(c)
		return
	}
	key := c.Args[2]
	var id value.StreamID
	if arg := c.Args[4]; len(arg) == 1 && arg[0] == '$' {
		if a.s != nil {
			id = a.s.LastID
		}
	} else if id, ok = streamParseIDReply(c, arg, true, 0); !ok {
		return
	}
	s := a.s
	if s == nil {
		s = value.NewStream()
		c.DB.Set(key, s)
	}
	if s.CreateGroup(c.Args[3], id, a.entriesRead) == nil {
		c.Error(errs.StreamBusyGroup)
		return
	}
	c.OK()
	c.Notify(notify.Stream, "xgroup-create", key)
}

// XGROUP SETID key group <id | $> [ENTRIESREAD entries-read]
func xgroupSetIDCmd(c *Ctx) {
	a, ok := xgroupPrologue(c, false, true)
	if !ok {
		return
	}
	if len(c.Args) != 5 && len(c.Args) != 7 {
		xgroupSyntax(c)
		return
	}
	var id value.StreamID
	if arg := c.Args[4]; len(arg) == 1 && arg[0] == '$' {
		id = a.s.LastID
	} else if id, ok = streamParseIDReply(c, arg, false, 0); !ok {
		return
	}
	a.g.LastID = id
	a.g.EntriesRead = a.entriesRead
	c.OK()
	c.Notify(notify.Stream, "xgroup-setid", c.Args[2])
}

// XGROUP DESTROY key group
func xgroupDestroyCmd(c *Ctx) {
	a, ok := xgroupPrologue(c, false, false)
	if !ok {
		return
	}
	if a.g == nil {
		c.Out.Int(0)
		return
	}
	a.s.DestroyGroup(c.Args[3])
	a.s.Signals++ // its blocked readers get NOGROUP
	c.Out.Int(1)
	c.Notify(notify.Stream, "xgroup-destroy", c.Args[2])
}

// XGROUP CREATECONSUMER key group consumer
func xgroupCreateConsumerCmd(c *Ctx) {
	a, ok := xgroupPrologue(c, false, false)
	if !ok {
		return
	}
	if a.g.CreateConsumer(c.Args[4], c.NowMs()) == nil {
		c.Out.Int(0)
		return
	}
	c.Notify(notify.Stream, "xgroup-createconsumer", c.Args[2])
	c.Out.Int(1)
}

// XGROUP DELCONSUMER key group consumer
func xgroupDelConsumerCmd(c *Ctx) {
	a, ok := xgroupPrologue(c, false, false)
	if !ok {
		return
	}
	cons := a.g.Consumer(c.Args[4])
	if cons == nil {
		c.Out.Int(0)
		return
	}
	pending := cons.PEL.Len()
	a.g.DeleteConsumer(cons)
	c.Notify(notify.Stream, "xgroup-delconsumer", c.Args[2])
	c.Out.Int(int64(pending))
}

// XGROUP HELP
func xgroupHelpCmd(c *Ctx) {
	writeSubcommandHelp(c, "XGROUP", []string{
		"CREATE <key> <group> <id|$> [MKSTREAM] [ENTRIESREAD <n>]",
		"    Add a consumer group that reads after <id> ($: the last ID); MKSTREAM makes an empty stream when the key is missing.",
		"CREATECONSUMER <key> <group> <consumer>",
		"    Add a consumer to the group.",
		"DELCONSUMER <key> <group> <consumer>",
		"    Remove a consumer, dropping its pending entries.",
		"DESTROY <key> <group>",
		"    Remove the group with its consumers and pending entries.",
		"SETID <key> <group> <id|$> [ENTRIESREAD <n>]",
		"    Move the group's last delivered ID and set its read counter.",
	})
}

// streamGroupOf looks up key (counting the read) and its group, replying
// WRONGTYPE; s or g is nil when missing.
func streamGroupOf(c *Ctx) (s *value.Stream, g *value.StreamGroup, ok bool) {
	s, ok = streamValue(c, c.DB.Read(c.Args[1]))
	if !ok || s == nil {
		return s, nil, ok
	}
	return s, s.Group(c.Args[2]), true
}

// streamParseIDs parses args as strict IDs, replying the error on the
// first one that is not.
func streamParseIDs(c *Ctx, args [][]byte) ([]value.StreamID, bool) {
	ids := make([]value.StreamID, len(args))
	for i, b := range args {
		id, ok := streamParseIDReply(c, b, true, 0)
		if !ok {
			return nil, false
		}
		ids[i] = id
	}
	return ids, true
}

// XACK key group id [id ...]
func xackCmd(c *Ctx) {
	_, g, ok := streamGroupOf(c)
	if !ok {
		return
	}
	if g == nil {
		c.Out.Int(0)
		return
	}
	ids, ok := streamParseIDs(c, c.Args[3:])
	if !ok {
		return
	}
	var n int64
	for _, id := range ids {
		if g.Ack(id) {
			n++
		}
	}
	c.Out.Int(n)
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func xpendingCmd(c *Ctx) {
	argc := len(c.Args)
	if argc != 3 && (argc < 6 || argc > 9) {
		c.Error(errs.Syntax)
		return
	}
	var start, end value.StreamID
	var count, minIdle int64
	var consumer []byte
	if argc >= 6 {
		at := 3
		if strOptIs(c.Args[3], "IDLE") {
			n, ok := c.Int(4)
			if !ok {
				return
			}
			minIdle = n
			if argc < 8 {
				c.Error(errs.Syntax)
				return
			}
			at += 2
		}
		n, ok := c.Int(at + 2)
		if !ok {
			return
		}
		count = max(n, 0)
		var excl bool
		if start, excl, ok = streamParseInterval(c, c.Args[at], 0); !ok {
			return
		}
		if excl {
			if start, ok = start.Incr(); !ok {
				c.Error(errs.StreamBadStart)
				return
			}
		}
		if end, excl, ok = streamParseInterval(c, c.Args[at+1], ^uint64(0)); !ok {
			return
		}
		if excl {
			if end, ok = end.Decr(); !ok {
				c.Error(errs.StreamBadEnd)
				return
			}
		}
		if at+3 < argc {
			consumer = c.Args[at+3]
		}
	}
	_, g, ok := streamGroupOf(c)
	if !ok {
		return
	}
	if g == nil {
		c.Error(errs.StreamNoGroup(c.Args[1], c.Args[2]))
		return
	}
	var buf [48]byte
	if argc == 3 {
		c.Out.Array(4)
		c.Out.Int(int64(g.PEL.Len()))
		if g.PEL.Len() == 0 {
			c.Out.Null()
			c.Out.Null()
			c.Out.NullArray()
			return
		}
		c.Out.Bulk(g.PEL.First().ID.Append(buf[:0]))
		c.Out.Bulk(g.PEL.Last().ID.Append(buf[:0]))
		n := 0
		for _, cons := range g.Consumers() {
			if cons.PEL.Len() > 0 {
				n++
			}
		}
		c.Out.Array(n)
		for _, cons := range g.Consumers() {
			if cons.PEL.Len() > 0 {
				c.Out.Array(2)
				c.Out.BulkString(cons.Name)
				c.Out.BulkInt(int64(cons.PEL.Len()))
			}
		}
		return
	}
	pel := &g.PEL
	if consumer != nil {
		cons := g.Consumer(consumer)
		if cons == nil {
			c.Out.Array(0)
			return
		}
		pel = &cons.PEL
	}
	now := c.NowMs()
	var list []*value.StreamNACK
	if count > 0 {
		pel.Ascend(start, func(n *value.StreamNACK) bool {
			if end.Less(n.ID) {
				return false
			}
			if minIdle != 0 && now-n.DeliveryTime < minIdle {
				return true
			}
			list = append(list, n)
			return int64(len(list)) < count
		})
	}
	c.Out.Array(len(list))
	for _, n := range list {
		c.Out.Array(4)
		c.Out.Bulk(n.ID.Append(buf[:0]))
		c.Out.BulkString(n.Consumer.Name)
		c.Out.Int(max(now-n.DeliveryTime, 0))
		c.Out.Int(n.DeliveryCount)
	}
}

// streamClaimConsumer returns the consumer called name of g (seen now),
// creating it with its notification.
func streamClaimConsumer(c *Ctx, g *value.StreamGroup, name []byte) *value.StreamConsumer {
	return streamReadConsumer(c.Env, c.Client, c.DB, c.Args[1], g, name)
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func xclaimCmd(c *Ctx) {
	s, g, ok := streamGroupOf(c)
	if !ok {
		return
	}
	if g == nil {
		c.Error(errs.StreamNoGroup(c.Args[1], c.Args[2]))
		return
	}
	minIdle, okN := resp.ParseInt(c.Args[4])
	if !okN {
		c.Error(errs.StreamClaimMinIdle)
		return
	}
	minIdle = max(minIdle, 0)
	// IDs first, up to the first argument that is not one; then options.
	j := 5
	var ids []value.StreamID
	for ; j < len(c.Args); j++ {
		id, _, ok := streamParseID(c.Args[j], true, 0, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := c.NowMs()
	var lastID value.StreamID
	deliveryTime, retryCount := int64(-1), int64(-1)
	force, justID := false, false
	for ; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		opt := c.Args[j]
		switch {
		case strOptIs(opt, "FORCE"):
			force = true
		case strOptIs(opt, "JUSTID"):
			justID = true
		case strOptIs(opt, "IDLE") && more > 0:
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok {
				c.Error(errs.StreamClaimIdle)
				return
			}
			deliveryTime = now - n
		case strOptIs(opt, "TIME") && more > 0:
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok {
				c.Error(errs.StreamClaimTime)
				return
			}
			deliveryTime = n
		case strOptIs(opt, "RETRYCOUNT") && more > 0:
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok {
				c.Error(errs.StreamClaimRetryCount)
				return
			}
			retryCount = n
		case strOptIs(opt, "LASTID") && more > 0:
			j++
			if lastID, ok = streamParseIDReply(c, c.Args[j], true, 0); !ok {
				return
			}
		default:
			c.Error(errs.StreamClaimOption(opt))
			return
		}
	}
	if g.LastID.Less(lastID) {
		g.LastID = lastID
	}
	if deliveryTime < 0 || deliveryTime > now {
		deliveryTime = now // also when neither IDLE nor TIME was given
	}
	var cons *value.StreamConsumer
	var claimed []*value.StreamNACK
	for _, id := range ids {
		n := g.PEL.Get(id)
		if !s.HasEntry(id) {
			if n != nil { // the entry is gone: so is its pending entry
				g.Ack(id)
			}
			continue
		}
		if n == nil {
			if !force {
				continue
			}
			n = &value.StreamNACK{ID: id, DeliveryTime: now, DeliveryCount: 1}
			g.PEL.Insert(n)
		}
		if n.Consumer != nil && minIdle != 0 && now-n.DeliveryTime < minIdle {
			continue
		}
		if cons == nil {
			cons = streamClaimConsumer(c, g, c.Args[3])
		}
		n.DeliveryTime = deliveryTime
		if retryCount >= 0 {
			n.DeliveryCount = retryCount
		} else if !justID {
			n.DeliveryCount++
		}
		g.Move(n, cons)
		claimed = append(claimed, n)
	}
	c.Out.Array(len(claimed))
	for _, n := range claimed {
		if justID {
			var buf [48]byte
			c.Out.Bulk(n.ID.Append(buf[:0]))
		} else {
			streamWriteOne(c.Out, s, n.ID)
		}
	}
}

// streamAutoClaimMaxCount is the largest COUNT XAUTOCLAIM takes (Redis:
// LONG_MAX over the size of a stream ID).
const streamAutoClaimMaxCount = (1<<63 - 1) / 16

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func xautoclaimCmd(c *Ctx) {
	minIdle, ok := resp.ParseInt(c.Args[4])
	if !ok {
		c.Error(errs.StreamAutoClaimMinIdle)
		return
	}
	minIdle = max(minIdle, 0)
	start, excl, ok := streamParseInterval(c, c.Args[5], 0)
	if !ok {
		return
	}
	if excl {
		if start, ok = start.Incr(); !ok {
			c.Error(errs.StreamBadStart)
			return
		}
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		switch opt := c.Args[j]; {
		case strOptIs(opt, "COUNT") && more > 0:
			n, ok := resp.ParseInt(c.Args[j+1])
			if !ok || n < 1 || n > streamAutoClaimMaxCount {
				c.Error(errs.StreamAutoClaimCount)
				return
			}
			count = n
			j++
		case strOptIs(opt, "JUSTID"):
			justID = true
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	s, g, ok := streamGroupOf(c)
	if !ok {
		return
	}
	if g == nil {
		c.Error(errs.StreamNoGroup(c.Args[1], c.Args[2]))
		return
	}
	if count >= 1<<43 { // Redis fails to allocate count IDs up front
		c.Error(errs.StreamAutoClaimMemory)
		return
	}
	now := c.NowMs()
	attempts := count * 10
	var cons *value.StreamConsumer
	var claimed []*value.StreamNACK
	var deleted []value.StreamID
	cur, eof := start, false
	for attempts > 0 && count > 0 {
		attempts--
		n := g.PEL.Ceil(cur)
		if n == nil {
			eof = true
			break
		}
		id := n.ID
		var more bool
		if cur, more = id.Incr(); !more {
			eof = true // nothing can follow the largest ID
		}
		if !s.HasEntry(id) {
			g.Ack(id)
			deleted = append(deleted, id)
			count--
		} else if minIdle == 0 || now-n.DeliveryTime >= minIdle {
			if cons == nil {
				cons = streamClaimConsumer(c, g, c.Args[3])
			}
			n.DeliveryTime = now
			if !justID {
				n.DeliveryCount++
			}
			g.Move(n, cons)
			claimed = append(claimed, n)
			count--
		}
		if eof {
			break
		}
	}
	var next value.StreamID
	if !eof {
		if n := g.PEL.Ceil(cur); n != nil {
			next = n.ID
		}
	}
	var buf [48]byte
	c.Out.Array(3)
	c.Out.Bulk(next.Append(buf[:0]))
	c.Out.Array(len(claimed))
	for _, n := range claimed {
		if justID {
			c.Out.Bulk(n.ID.Append(buf[:0]))
		} else {
			streamWriteOne(c.Out, s, n.ID)
		}
	}
	c.Out.Array(len(deleted))
	for _, id := range deleted {
		c.Out.Bulk(id.Append(buf[:0]))
	}
}
