package handler

import (
	"bytes"
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/internal/watch"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"lpush":      lpushCmd,
		"rpush":      rpushCmd,
		"lpushx":     lpushxCmd,
		"rpushx":     rpushxCmd,
		"lpop":       lpopCmd,
		"rpop":       rpopCmd,
		"llen":       llenCmd,
		"lrange":     lrangeCmd,
		"lindex":     lindexCmd,
		"lset":       lsetCmd,
		"linsert":    linsertCmd,
		"lrem":       lremCmd,
		"ltrim":      ltrimCmd,
		"lpos":       lposCmd,
		"lmove":      lmoveCmd,
		"rpoplpush":  rpoplpushCmd,
		"lmpop":      lmpopCmd,
		"blpop":      blpopCmd,
		"brpop":      brpopCmd,
		"blmove":     blmoveCmd,
		"brpoplpush": brpoplpushCmd,
		"blmpop":     blmpopCmd,
	})
}

// listValue returns the list an entry holds: nil for a missing key, and ok
// false (after replying WRONGTYPE) when the key holds another type.
func listValue(c *Ctx, e *keyspace.Entry) (l *value.List, ok bool) {
	if e == nil {
		return nil, true
	}
	l, ok = e.Value.(*value.List)
	if !ok {
		c.Error(errs.WrongType)
	}
	return l, ok
}

// keyEvents publishes a command's keyspace notifications in one
// database: for a handler (from is the command's client) or for a
// ServeFunc serving a blocked client (from is nil: the ServeFunc may run
// on another client's goroutine, so the frames go out through the
// subscribers' own connections). Sorted-set pops use it too.
type keyEvents struct {
	n    *notify.Notifier
	from *client.Client
	db   int
}

// keyEventsOf returns the notifier of a handler's own events.
func keyEventsOf(c *Ctx) keyEvents { return keyEvents{c.Env.Notify, c.Client, c.DB.Index} }

// keyEventsServe returns the notifier of events caused while serving a
// blocked client in s.
func keyEventsServe(n *notify.Notifier, s *blocking.Serve) keyEvents {
	return keyEvents{n, nil, s.DB.Index}
}

// emit publishes event of class about key (one atomic load when off).
func (ev keyEvents) emit(class notify.Class, event string, key []byte) {
	if ev.n.Enabled(class) {
		ev.n.Key(ev.from, class, event, key, ev.db)
	}
}

// listPopEvent and listPushEvent name the events of a pop or push at the
// head (front) or the tail.
func listPopEvent(front bool) string {
	if front {
		return "lpop"
	}
	return "rpop"
}

func listPushEvent(front bool) string {
	if front {
		return "lpush"
	}
	return "rpush"
}

// listDeleteIfEmpty removes key when its list lost its last element, as
// Redis never keeps an empty list, notifying "del".
func listDeleteIfEmpty(db keyspace.DB, ev keyEvents, key []byte, l *value.List) bool {
	if l.Len() == 0 {
		db.Delete(key)
		ev.emit(notify.Generic, "del", key)
		return true
	}
	return false
}

// listParseSide parses LEFT or RIGHT (case-insensitively), replying a
// syntax error otherwise. front is true for LEFT.
func listParseSide(c *Ctx, arg []byte) (front, ok bool) {
	switch {
	case strOptIs(arg, "LEFT"):
		return true, true
	case strOptIs(arg, "RIGHT"):
		return false, true
	}
	c.Error(errs.Syntax)
	return false, false
}

// listWriteRange writes the elements from start to end (Redis's indexes:
// negative ones count from the tail, out-of-range ones are clamped) as an
// array, from end to start when reverse is set.
func listWriteRange(out *resp.Writer, l *value.List, start, end int64, reverse bool) {
	n := int64(l.Len())
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		out.Array(0)
		return
	}
	if end >= n {
		end = n - 1
	}
	left := end - start + 1
	out.Array(int(left))
	from := start
	if reverse {
		from = end
	}
	l.Iter(int(from), reverse, func(v []byte) bool {
		out.Bulk(v)
		left--
		return left > 0
	})
}

// listPopRange pops count elements (at most the list's length) from the
// head (front) or the tail, writing them as an array in pop order.
func listPopRange(out *resp.Writer, l *value.List, front bool, count int64) {
	n := int(min(count, int64(l.Len())))
	if front {
		listWriteRange(out, l, 0, int64(n)-1, false)
		l.DelFront(n)
	} else {
		listWriteRange(out, l, -int64(n), -1, true)
		l.DelBack(n)
	}
}

// listPopKeyRange is LMPOP's reply: the key, then the popped elements. It
// deletes the key when its list empties and reports whether it did.
func listPopKeyRange(out *resp.Writer, db keyspace.DB, ev keyEvents, key []byte, l *value.List, front bool, count int64) bool {
	out.Array(2)
	out.Bulk(key)
	listPopRange(out, l, front, count)
	ev.emit(notify.List, listPopEvent(front), key)
	return listDeleteIfEmpty(db, ev, key, l)
}

// ---- push ----

// LPUSH key element [element ...]
func lpushCmd(c *Ctx) { listPush(c, true, false) }

// RPUSH key element [element ...]
func rpushCmd(c *Ctx) { listPush(c, false, false) }

// LPUSHX key element [element ...]
func lpushxCmd(c *Ctx) { listPush(c, true, true) }

// RPUSHX key element [element ...]
func rpushxCmd(c *Ctx) { listPush(c, false, true) }

// listPush pushes the elements at the head (front) or the tail, creating
// the list unless onlyExisting. Clients blocked on the key are served by
// the dispatcher once the command returns.
func listPush(c *Ctx, front, onlyExisting bool) {
	key := c.Args[1]
	l, ok := listValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if l == nil {
		if onlyExisting {
			c.Out.Int(0)
			return
		}
		l = value.NewList()
		c.DB.Set(key, l)
	}
	for _, v := range c.Args[2:] {
		l.Push(v, front)
	}
	c.Out.Int(int64(l.Len()))
	c.Notify(notify.List, listPushEvent(front), key)
}

// ---- pop ----

// LPOP key [count]
func lpopCmd(c *Ctx) { listPop(c, true) }

// RPOP key [count]
func rpopCmd(c *Ctx) { listPop(c, false) }

func listPop(c *Ctx, front bool) {
	if len(c.Args) > 3 {
		c.Error(errs.WrongArity(c.Spec.Name))
		return
	}
	hasCount := len(c.Args) == 3
	var count int64
	if hasCount {
		n, ok := resp.ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.Error(errs.CountNotPositive)
			return
		}
		count = n
	}
	key := c.Args[1]
	e := c.DB.Write(key)
	if e == nil {
		if hasCount {
			c.Out.NullArray()
		} else {
			c.Out.Null()
		}
		return
	}
	l, ok := listValue(c, e)
	if !ok {
		return
	}
	if !hasCount {
		c.Out.Bulk(l.Pop(front))
	} else if count == 0 {
		c.Out.Array(0)
		return
	} else {
		listPopRange(c.Out, l, front, count)
	}
	c.Notify(notify.List, listPopEvent(front), key)
	listDeleteIfEmpty(c.DB, keyEventsOf(c), key, l)
}

// ---- read ----

// LLEN key
func llenCmd(c *Ctx) {
	l, ok := listValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if l == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(int64(l.Len()))
}

// LRANGE key start stop
func lrangeCmd(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	l, ok := listValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if l == nil {
		c.Out.Array(0)
		return
	}
	listWriteRange(c.Out, l, start, end, false)
}

// listIndex turns Redis's index (negative from the tail) into a position,
// reporting false when it is out of range.
func listIndex(l *value.List, i int64) (int, bool) {
	n := int64(l.Len())
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return 0, false
	}
	return int(i), true
}

// LINDEX key index
func lindexCmd(c *Ctx) {
	e := c.DB.Read(c.Args[1])
	if e == nil {
		c.Out.Null()
		return
	}
	l, ok := listValue(c, e)
	if !ok {
		return
	}
	idx, ok := c.Int(2)
	if !ok {
		return
	}
	i, ok := listIndex(l, idx)
	if !ok {
		c.Out.Null()
		return
	}
	c.Out.Bulk(l.Index(i))
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func lposCmd(c *Ctx) {
	ele := c.Args[2]
	var (
		rank, count, maxlen int64 = 1, -1, 0 // count -1: no COUNT option
	)
	for j := 3; j < len(c.Args); j++ {
		more := j+1 < len(c.Args)
		opt := c.Args[j]
		switch {
		case strOptIs(opt, "RANK") && more:
			j++
			n, ok := c.Int(j)
			if !ok {
				return
			}
			if n == 0 {
				c.Error(errs.ListRankZero)
				return
			}
			rank = n
		case strOptIs(opt, "COUNT") && more:
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok || n < 0 {
				c.Error(errs.ListCountNegative)
				return
			}
			count = n
		case strOptIs(opt, "MAXLEN") && more:
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok || n < 0 {
				c.Error(errs.ListMaxlenNegative)
				return
			}
			maxlen = n
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	// A negative rank searches from the tail. Like Redis, the negation
	// wraps for the smallest integer (which then matches from the first
	// match on).
	reverse := false
	if rank < 0 {
		rank = -rank
		reverse = true
	}
	e := c.DB.Read(c.Args[1])
	if e == nil {
		if count != -1 {
			c.Out.Array(0)
		} else {
			c.Out.Null()
		}
		return
	}
	l, ok := listValue(c, e)
	if !ok {
		return
	}
	var (
		llen                    = int64(l.Len())
		index, matches, matched int64
		found                   = int64(-1)
		hits                    []int64
	)
	start := 0
	if reverse {
		start = l.Len() - 1
	}
	l.Iter(start, reverse, func(v []byte) bool {
		if maxlen != 0 && index >= maxlen {
			return false
		}
		if bytes.Equal(v, ele) {
			matches++
			at := index
			if reverse {
				at = llen - index - 1
			}
			if matches >= rank {
				if count == -1 {
					found = at
					return false
				}
				hits = append(hits, at)
				matched++
				if count != 0 && matches-rank+1 >= count {
					return false
				}
			}
		}
		index++
		return true
	})
	if count != -1 {
		c.Out.Array(len(hits))
		for _, h := range hits {
			c.Out.Int(h)
		}
		return
	}
	if found >= 0 {
		c.Out.Int(found)
		return
	}
	c.Out.Null()
}

// ---- change in place ----

// LSET key index element
func lsetCmd(c *Ctx) {
	key := c.Args[1]
	e := c.DB.Write(key)
	if e == nil {
		c.Error(errs.NoSuchKey)
		return
	}
	l, ok := listValue(c, e)
	if !ok {
		return
	}
	idx, ok := c.Int(2)
	if !ok {
		return
	}
	i, ok := listIndex(l, idx)
	if !ok {
		c.Error(errs.IndexOutOfRange)
		return
	}
	l.Set(i, c.Args[3])
	c.OK()
	c.Notify(notify.List, "lset", key)
}

// LINSERT key BEFORE | AFTER pivot element
func linsertCmd(c *Ctx) {
	var after bool
	switch {
	case strOptIs(c.Args[2], "AFTER"):
		after = true
	case strOptIs(c.Args[2], "BEFORE"):
	default:
		c.Error(errs.Syntax)
		return
	}
	l, ok := listValue(c, c.DB.Write(c.Args[1]))
	if !ok {
		return
	}
	if l == nil {
		c.Out.Int(0)
		return
	}
	if !l.Insert(c.Args[3], c.Args[4], after) {
		c.Out.Int(-1)
		return
	}
	c.Notify(notify.List, "linsert", c.Args[1])
	c.Out.Int(int64(l.Len()))
}

// LREM key count element
func lremCmd(c *Ctx) {
	count, ok := c.Int(2)
	if !ok {
		return
	}
	key := c.Args[1]
	l, ok := listValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if l == nil {
		c.Out.Int(0)
		return
	}
	removed := l.Remove(c.Args[3], int(count))
	if removed > 0 {
		c.Notify(notify.List, "lrem", key)
	}
	listDeleteIfEmpty(c.DB, keyEventsOf(c), key, l)
	c.Out.Int(int64(removed))
}

// LTRIM key start stop
func ltrimCmd(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	key := c.Args[1]
	l, ok := listValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if l == nil {
		c.OK()
		return
	}
	n := int64(l.Len())
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		l.Clear()
	} else {
		end = min(end, n-1)
		l.Trim(int(start), int(end))
	}
	c.Notify(notify.List, "ltrim", key)
	listDeleteIfEmpty(c.DB, keyEventsOf(c), key, l)
	c.OK()
}

// ---- move ----

// LMOVE source destination LEFT | RIGHT LEFT | RIGHT
func lmoveCmd(c *Ctx) {
	from, ok := listParseSide(c, c.Args[3])
	if !ok {
		return
	}
	to, ok := listParseSide(c, c.Args[4])
	if !ok {
		return
	}
	listMove(c, from, to)
}

// RPOPLPUSH source destination
func rpoplpushCmd(c *Ctx) { listMove(c, false, true) }

// listMove is LMOVE: it pops from the source's head (from) or tail and
// pushes at the destination's head (to) or tail, replying the element.
func listMove(c *Ctx, from, to bool) {
	src, ok := listValue(c, c.DB.Write(c.Args[1]))
	if !ok {
		return
	}
	if src == nil {
		c.Out.Null()
		return
	}
	listMoveFrom(c.Out, c.DB, keyEventsOf(c), c.Args[1], src, c.Args[2], from, to)
}

// listMoveFrom moves one element of src (the non-empty list at srcKey) to
// the list at dstKey, replying it, or WRONGTYPE when dstKey holds another
// type. It reports whether it moved, and whether src's key went away.
func listMoveFrom(out *resp.Writer, db keyspace.DB, ev keyEvents, srcKey []byte, src *value.List, dstKey []byte, from, to bool) (moved, emptied bool) {
	var dst *value.List
	if e := db.Write(dstKey); e != nil {
		var ok bool
		if dst, ok = e.Value.(*value.List); !ok {
			out.Error(errs.WrongType)
			return false, false
		}
	}
	// The popped bytes alias src's memory, which pushing to the same list
	// may move: copy them first.
	var tmp [128]byte
	v := append(tmp[:0], src.Pop(from)...)
	if dst == nil {
		dst = value.NewList()
		db.Set(dstKey, dst)
	}
	dst.Push(v, to)
	ev.emit(notify.List, listPushEvent(to), dstKey)
	out.Bulk(v)
	ev.emit(notify.List, listPopEvent(from), srcKey)
	return true, listDeleteIfEmpty(db, ev, srcKey, src)
}

// ---- multi-key pop ----

// listMPopArgs are LMPOP's and BLMPOP's parsed arguments.
type listMPopArgs struct {
	keys  [][]byte
	front bool
	count int64
}

// listParseMPop parses numkeys key [key ...] LEFT | RIGHT [COUNT count]
// starting at argument at.
func listParseMPop(c *Ctx, at int) (a listMPopArgs, ok bool) {
	numkeys, okNum := resp.ParseInt(c.Args[at])
	if !okNum || numkeys < 1 {
		c.Error(errs.ListNumKeys)
		return a, false
	}
	if numkeys >= int64(len(c.Args)-at-1) {
		c.Error(errs.Syntax)
		return a, false
	}
	a.keys = c.Args[at+1 : at+1+int(numkeys)]
	where := at + 1 + int(numkeys)
	if a.front, ok = listParseSide(c, c.Args[where]); !ok {
		return a, false
	}
	a.count = -1
	for j := where + 1; j < len(c.Args); j++ {
		if a.count == -1 && strOptIs(c.Args[j], "COUNT") && j+1 < len(c.Args) {
			j++
			n, okN := resp.ParseInt(c.Args[j])
			if !okN || n < 1 {
				c.Error(errs.ListCount)
				return a, false
			}
			a.count = n
			continue
		}
		c.Error(errs.Syntax)
		return a, false
	}
	if a.count == -1 {
		a.count = 1
	}
	return a, true
}

// listPopFirst pops from the first non-empty list among keys, writing
// the reply, and reports whether it found one; ok is false after a
// WRONGTYPE reply. With count < 0 the reply is BLPOP's [key, element];
// otherwise LMPOP's [key, [elements]].
func listPopFirst(c *Ctx, keys [][]byte, front bool, count int64) (found, ok bool) {
	for _, key := range keys {
		l, ok := listValue(c, c.DB.Write(key))
		if !ok {
			return false, false
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		ev := keyEventsOf(c)
		if count >= 0 {
			listPopKeyRange(c.Out, c.DB, ev, key, l, front, count)
			return true, true
		}
		c.Out.Array(2)
		c.Out.Bulk(key)
		c.Out.Bulk(l.Pop(front))
		ev.emit(notify.List, listPopEvent(front), key)
		listDeleteIfEmpty(c.DB, ev, key, l)
		return true, true
	}
	return false, true
}

// LMPOP numkeys key [key ...] LEFT | RIGHT [COUNT count]
func lmpopCmd(c *Ctx) {
	a, ok := listParseMPop(c, 1)
	if !ok {
		return
	}
	if found, ok := listPopFirst(c, a.keys, a.front, a.count); ok && !found {
		c.Out.NullArray()
	}
}

// ---- blocking ----

// listBlock blocks the client on keys (see internal/blocking), or, when it
// may not block (inside MULTI/EXEC), replies as a timeout would with
// denied.
func listBlock(c *Ctx, keys, extra [][]byte, timeout time.Duration, serve blocking.ServeFunc, denied func()) {
	if blocking.Denied(c.Client) {
		denied()
		return
	}
	blocking.For(c.DB.Keyspace()).Block(c.DB.Keyspace(), blocking.Request{
		Client:  c.Client,
		DB:      c.DB.Index,
		Keys:    keys,
		Extra:   extra,
		Timeout: timeout,
		Serve:   serve,
	})
}

// listParseTimeout parses a blocking command's timeout (seconds; 0 waits
// forever), replying an error when it is not valid.
func listParseTimeout(c *Ctx, i int) (time.Duration, bool) {
	d, msg := blocking.ParseTimeout(c.Args[i])
	if msg != "" {
		c.Error(msg)
		return 0, false
	}
	return d, true
}

// BLPOP key [key ...] timeout
func blpopCmd(c *Ctx) { listBPop(c, true) }

// BRPOP key [key ...] timeout
func brpopCmd(c *Ctx) { listBPop(c, false) }

func listBPop(c *Ctx, front bool) {
	last := len(c.Args) - 1
	timeout, ok := listParseTimeout(c, last)
	if !ok {
		return
	}
	keys := c.Args[1:last]
	if found, ok := listPopFirst(c, keys, front, -1); !ok || found {
		return
	}
	n := c.Env.Notify
	listBlock(c, keys, nil, timeout, func(s *blocking.Serve, key []byte) blocking.Result {
		l := listServable(s.DB, key)
		if l == nil {
			return blocking.NotReady
		}
		s.Out.Array(2)
		s.Out.Bulk(key)
		s.Out.Bulk(l.Pop(front))
		ev := keyEventsServe(n, s)
		ev.emit(notify.List, listPopEvent(front), key)
		if listDeleteIfEmpty(s.DB, ev, key, l) {
			return blocking.ServedLast
		}
		return blocking.Served
	}, c.Out.NullArray)
}

// listServable returns the non-empty list at key, or nil.
func listServable(db keyspace.DB, key []byte) *value.List {
	e := db.Write(key)
	if e == nil {
		return nil
	}
	l, ok := e.Value.(*value.List)
	if !ok || l.Len() == 0 {
		return nil
	}
	return l
}

// BLMPOP timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]
func blmpopCmd(c *Ctx) {
	a, ok := listParseMPop(c, 2)
	if !ok {
		return
	}
	timeout, ok := listParseTimeout(c, 1)
	if !ok {
		return
	}
	if found, ok := listPopFirst(c, a.keys, a.front, a.count); !ok || found {
		return
	}
	front, count := a.front, a.count
	n := c.Env.Notify
	listBlock(c, a.keys, nil, timeout, func(s *blocking.Serve, key []byte) blocking.Result {
		l := listServable(s.DB, key)
		if l == nil {
			return blocking.NotReady
		}
		if listPopKeyRange(s.Out, s.DB, keyEventsServe(n, s), key, l, front, count) {
			return blocking.ServedLast
		}
		return blocking.Served
	}, c.Out.NullArray)
}

// BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout
func blmoveCmd(c *Ctx) {
	from, ok := listParseSide(c, c.Args[3])
	if !ok {
		return
	}
	to, ok := listParseSide(c, c.Args[4])
	if !ok {
		return
	}
	timeout, ok := listParseTimeout(c, 5)
	if !ok {
		return
	}
	listBMove(c, from, to, timeout)
}

// BRPOPLPUSH source destination timeout
func brpoplpushCmd(c *Ctx) {
	timeout, ok := listParseTimeout(c, 3)
	if !ok {
		return
	}
	listBMove(c, false, true, timeout)
}

func listBMove(c *Ctx, from, to bool, timeout time.Duration) {
	src, ok := listValue(c, c.DB.Write(c.Args[1]))
	if !ok {
		return
	}
	if src != nil {
		listMoveFrom(c.Out, c.DB, keyEventsOf(c), c.Args[1], src, c.Args[2], from, to)
		return
	}
	dstKey := append([]byte(nil), c.Args[2]...)
	n, wt := c.Env.Notify, c.Env.Watches
	listBlock(c, c.Args[1:2], [][]byte{dstKey}, timeout, func(s *blocking.Serve, key []byte) blocking.Result {
		l := listServable(s.DB, key)
		if l == nil {
			return blocking.NotReady
		}
		if !s.Lock(dstKey) {
			return blocking.Retry
		}
		moved, emptied := listMoveFrom(s.Out, s.DB, keyEventsServe(n, s), key, l, dstKey, from, to)
		if moved {
			s.Signal(dstKey)
			// The push into the destination is a change WATCH sees, as
			// Redis signals it; the source was signalled by its pusher.
			if wt != nil && watch.Active() {
				wt.Touch(s.DB.Index, dstKey, true)
			}
		}
		if emptied {
			return blocking.ServedLast
		}
		return blocking.Served
	}, c.Out.Null) // inside MULTI, BLMOVE on an empty source replies a null bulk
}
