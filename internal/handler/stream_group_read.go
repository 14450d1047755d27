package handler

import (
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

// streamReadBlockedCount is the COUNT a blocked XREAD or XREADGROUP
// without one is served with, as Redis's.
const streamReadBlockedCount = 1000

// streamReadArgs are the options of XREAD and XREADGROUP.
type streamReadArgs struct {
	timeout  int64 // milliseconds; -1 without BLOCK
	count    int64 // 0: no limit
	keys     [][]byte
	ids      [][]byte // the ID arguments, one per key
	grouped  bool
	group    []byte
	consumer []byte
	noack    bool
}

// streamParseRead parses XREAD's (grouped false) or XREADGROUP's options
// in Redis's order, replying the first error.
func streamParseRead(c *Ctx, grouped bool) (a streamReadArgs, ok bool) {
	a.timeout = -1
	streamsAt := 0
	for i := 1; i < len(c.Args) && streamsAt == 0; i++ {
		more := len(c.Args) - 1 - i
		o := c.Args[i]
		switch {
		case strOptIs(o, "BLOCK") && more > 0:
			i++
			n, okN := resp.ParseInt(c.Args[i])
			if !okN {
				c.Error(errs.StreamTimeoutNotInt)
				return a, false
			}
			if n < 0 {
				c.Error(errs.StreamTimeoutNegative)
				return a, false
			}
			a.timeout = n
		case strOptIs(o, "COUNT") && more > 0:
			i++
			n, okN := resp.ParseInt(c.Args[i])
			if !okN {
				c.Error(errs.NotInteger)
				return a, false
			}
			a.count = max(n, 0)
		case strOptIs(o, "STREAMS") && more > 0:
			streamsAt = i + 1
			if (len(c.Args)-streamsAt)%2 != 0 {
				c.Error(errs.StreamUnbalanced)
				return a, false
			}
		case strOptIs(o, "GROUP") && more >= 2:
			if !grouped {
				c.Error(errs.StreamGroupInXRead)
				return a, false
			}
			a.grouped, a.group, a.consumer = true, c.Args[i+1], c.Args[i+2]
			i += 2
		case strOptIs(o, "NOACK"):
			if !grouped {
				c.Error(errs.StreamNoAckInXRead)
				return a, false
			}
			a.noack = true
		default:
			c.Error(errs.Syntax)
			return a, false
		}
	}
	if streamsAt == 0 {
		c.Error(errs.Syntax)
		return a, false
	}
	if grouped && !a.grouped {
		c.Error(errs.StreamMissingGroup)
		return a, false
	}
	n := (len(c.Args) - streamsAt) / 2
	a.keys = c.Args[streamsAt : streamsAt+n]
	a.ids = c.Args[streamsAt+n:]
	return a, true
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
func xreadCmd(c *Ctx) { streamRead(c, false) }

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
func xreadgroupCmd(c *Ctx) { streamRead(c, true) }

// streamRead is XREAD and XREADGROUP: Redis's xreadCommand. With a group,
// the ID ">" (kept as the largest ID) asks for entries never delivered to
// the group, and any other ID for the consumer's own pending entries
// above it.
func streamRead(c *Ctx, grouped bool) {
	a, ok := streamParseRead(c, grouped)
	if !ok {
		return
	}
	n := len(a.keys)
	ids := make([]value.StreamID, n)
	for i, key := range a.keys {
		s, ok := streamValue(c, c.DB.Read(key))
		if !ok {
			return
		}
		if grouped && (s == nil || s.Group(a.group) == nil) {
			c.Error(errs.StreamNoGroupRead(key, a.group))
			return
		}
		arg := a.ids[i]
		if len(arg) == 1 && arg[0] == '$' {
			if grouped {
				c.Error(errs.StreamDollarInGroup)
				return
			}
			if s != nil {
				ids[i] = s.LastID
			}
			continue
		}
		if len(arg) == 1 && arg[0] == '>' {
			if !grouped {
				c.Error(errs.StreamGtInXRead)
				return
			}
			ids[i] = value.MaxStreamID
			continue
		}
		id, ok := streamParseIDReply(c, arg, true, 0)
		if !ok {
			return
		}
		ids[i] = id
	}

	// Serve at once what can be: the replies of the keys are written
	// after the count of them, which is known only at the end (serving a
	// group moves its last ID, which a repeated key then sees).
	mark := c.Out.Len()
	served := 0
	for i, key := range a.keys {
		e := c.DB.Read(key) // Redis counts the hit (or miss) again here
		if e == nil {
			continue
		}
		s := e.Value.(*value.Stream)
		gt := ids[i]
		history := false
		var g *value.StreamGroup
		if grouped {
			g = s.Group(a.group)
			if gt != value.MaxStreamID {
				history = true
			} else if last, ok := s.LastEntryID(); ok && g.LastID.Less(last) {
				gt = g.LastID
			} else {
				continue
			}
		} else if last, ok := s.LastEntryID(); !ok || !gt.Less(last) {
			continue
		}
		served++
		if c.Out.Proto < 3 {
			c.Out.Array(2)
		}
		c.Out.Bulk(key)
		if !grouped {
			streamWriteAfter(c.Out, s, gt, a.count)
			continue
		}
		cons := streamReadConsumer(c.Env, c.Client, c.DB, key, g, a.consumer)
		if history {
			streamWriteHistory(c.Out, s, cons, gt, a.count, c.NowMs())
		} else {
			streamWriteNew(c.Out, s, g, cons, gt, a.count, a.noack, c.NowMs())
		}
	}
	if served > 0 {
		body := append([]byte(nil), c.Out.Bytes()[mark:]...)
		c.Out.Truncate(mark)
		if c.Out.Proto >= 3 {
			c.Out.Map(served)
		} else {
			c.Out.Array(served)
		}
		c.Out.Raw(body)
		return
	}
	if a.timeout == -1 || blocking.Denied(c.Client) {
		c.Out.NullArray()
		return
	}
	streamBlockRead(c, &a, ids)
}

// streamReadConsumer returns the consumer called name of g, seen now, or
// creates it as Redis's XREADGROUP does (with its notification).
func streamReadConsumer(env *Env, cl *client.Client, db keyspace.DB, key []byte, g *value.StreamGroup, name []byte) *value.StreamConsumer {
	if cons := g.Consumer(name); cons != nil {
		cons.SeenTime = db.Now
		return cons
	}
	cons := g.CreateConsumer(name, db.Now)
	streamNotify(env, cl, db, "xgroup-createconsumer", key)
	return cons
}

// streamWriteAfter writes the entries above gt, at most count (0: all).
func streamWriteAfter(out *resp.Writer, s *value.Stream, gt value.StreamID, count int64) {
	start, ok := gt.Incr()
	if !ok {
		out.Array(0)
		return
	}
	streamWriteRange(out, s, start, value.MaxStreamID, false, count)
}

// streamWriteNew writes the entries above gt (the group's last ID) for
// XREADGROUP ">", at most count: each moves the group's last ID and,
// unless noack, becomes pending for cons.
func streamWriteNew(out *resp.Writer, s *value.Stream, g *value.StreamGroup, cons *value.StreamConsumer, gt value.StreamID, count int64, noack bool, now int64) {
	start, ok := gt.Incr()
	if !ok {
		out.Array(0)
		return
	}
	n := 0
	s.Range(start, value.MaxStreamID, false, count, func(value.StreamID, [][]byte) bool { n++; return true })
	out.Array(n)
	first := s.RecordedFirstID()
	s.Range(start, value.MaxStreamID, false, count, func(id value.StreamID, f [][]byte) bool {
		if g.LastID.Less(id) {
			s.Advance(g, id, first)
		}
		streamWriteEntry(out, id, f)
		if !noack {
			g.Deliver(id, cons, now)
		}
		return true
	})
}

// streamWriteHistory writes the consumer's pending entries above gt, at
// most count (0: all), for XREADGROUP with an ID: each counts as
// delivered again; one deleted from the stream shows with null fields.
func streamWriteHistory(out *resp.Writer, s *value.Stream, cons *value.StreamConsumer, gt value.StreamID, count int64, now int64) {
	start, _ := gt.Incr() // the largest ID means ">", never here
	var list []*value.StreamNACK
	cons.PEL.Ascend(start, func(n *value.StreamNACK) bool {
		list = append(list, n)
		return count == 0 || int64(len(list)) < count
	})
	out.Array(len(list))
	for _, n := range list {
		if streamWriteOne(out, s, n.ID) {
			n.DeliveryTime = now
			n.DeliveryCount++
			continue
		}
		var buf [48]byte
		out.Array(2)
		out.Bulk(n.ID.Append(buf[:0]))
		out.NullArray()
	}
}

// streamWriteOne writes the entry id as [id, fields] and reports whether
// it exists.
func streamWriteOne(out *resp.Writer, s *value.Stream, id value.StreamID) bool {
	found := false
	s.Range(id, id, false, 1, func(e value.StreamID, f [][]byte) bool {
		streamWriteEntry(out, e, f)
		found = true
		return false
	})
	return found
}

// streamReadWait is what a blocked XREAD or XREADGROUP remembers of one
// key: the stream it last saw there and that stream's Signals, so that
// only a change that wakes readers in Redis (XADD, XGROUP DESTROY, the
// key deleted or replaced) makes it look again.
type streamReadWait struct {
	gt      value.StreamID // XREAD: entries above this
	stream  *value.Stream
	signals uint64
}

// streamBlockRead blocks an XREAD or XREADGROUP ">" on its keys.
func streamBlockRead(c *Ctx, a *streamReadArgs, ids []value.StreamID) {
	waits := make(map[string]*streamReadWait, len(a.keys))
	for i, key := range a.keys {
		if _, dup := waits[string(key)]; dup {
			continue
		}
		w := &streamReadWait{gt: ids[i]}
		if s := streamLookup(c.DB, key); s != nil {
			w.stream, w.signals = s, s.Signals
		}
		waits[string(key)] = w
	}
	count := a.count
	if count == 0 {
		count = streamReadBlockedCount
	}
	grouped, noack := a.grouped, a.noack
	group := string(a.group)
	consumer := []byte(string(a.consumer))
	env := c.Env
	blocking.For(c.DB.Keyspace()).Block(c.DB.Keyspace(), blocking.Request{
		Client:  c.Client,
		DB:      c.DB.Index,
		Keys:    a.keys,
		Timeout: time.Duration(min(a.timeout, 1<<40)) * time.Millisecond,
		Serve: func(sv *blocking.Serve, key []byte) blocking.Result {
			w := waits[string(key)]
			var s *value.Stream
			if e := sv.DB.Write(key); e != nil {
				s, _ = e.Value.(*value.Stream)
				if s == nil && grouped {
					sv.Out.Error(errs.StreamKeyGone)
					return blocking.Served
				}
			} else if grouped {
				sv.Out.Error(errs.StreamKeyGone)
				return blocking.Served
			}
			if s == nil || (s == w.stream && s.Signals == w.signals) {
				w.stream = s
				return blocking.NotReady
			}
			w.stream, w.signals = s, s.Signals
			gt := w.gt
			var g *value.StreamGroup
			if grouped {
				if g = s.Group([]byte(group)); g == nil {
					sv.Out.Error(errs.StreamGroupGone)
					return blocking.Served
				}
				gt = g.LastID
			}
			if !gt.Less(s.LastID) {
				return blocking.NotReady
			}
			if sv.Out.Proto >= 3 {
				sv.Out.Map(1)
			} else {
				sv.Out.Array(1)
				sv.Out.Array(2)
			}
			sv.Out.Bulk(key)
			if !grouped {
				streamWriteAfter(sv.Out, s, gt, count)
				return blocking.Served
			}
			cons := streamReadConsumer(env, sv.Client, sv.DB, key, g, consumer)
			streamWriteNew(sv.Out, s, g, cons, gt, count, noack, sv.DB.Now)
			return blocking.Served
		},
	})
}

// streamNotify publishes the stream keyspace event about key in db's
// database on behalf of cl: the command's client, or a blocked client
// being served.
func streamNotify(env *Env, cl *client.Client, db keyspace.DB, event string, key []byte) {
	if env.Notify.Enabled(notify.Stream) {
		env.Notify.Key(cl, notify.Stream, event, key, db.Index)
	}
}
