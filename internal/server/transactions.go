package server

import (
	"bytes"
	"math/bits"
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/tracking"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/internal/watch"
	"github.com/ember-kv/ember/resp"
)

// Transactions (MULTI/EXEC) and WATCH, the server's side.
//
// Inside MULTI the dispatcher checks each command as it would run it
// (unknown command, arity, authentication, no_multi) and queues it, with
// its arguments copied, answering +QUEUED; a rejected command dooms the
// transaction (EXECABORT). MULTI, EXEC, DISCARD, WATCH, QUIT and RESET
// run at once. EXEC (execTxn) locks, once and in ascending order, the
// shards of every queued command's keys and of the client's WATCHed keys
// (all shards when one command is AllKeys or its keys cannot be found),
// checks the watches, and runs the queued commands one after the other
// through the same handler path as the dispatcher, with the locks held:
// no other client sees the keyspace between two of them. Blocked clients
// waiting on keys the transaction wrote are served before the locks go.
//
// WATCH: after every write command that ran while some client watches
// something, callWatched compares the watched keys among the command's
// keys with their state before it (present, same value object, same
// TTL) and touches the changed ones; a command that replied an error, or
// 0 where 0 means "nothing done", touches nothing. A value changed in
// place counts as changed, except for the few commands that keep the
// object exactly when they do not write (SET NX, GETEX, ...). FLUSHDB, FLUSHALL and SWAPDB touch whole databases by
// Redis 7.0's rules, and keyspace expiry touches the expired key.

// txnCmds are the commands that run at once inside MULTI.
type txnCmds struct {
	exec, discard, multi, watch, quit, reset *command.Spec
}

func newTxnCmds() txnCmds {
	l := command.LookupString
	return txnCmds{l("exec"), l("discard"), l("multi"), l("watch"), l("quit"), l("reset")}
}

// queuesInMulti reports whether spec is queued (rather than run) inside
// MULTI.
func (t *txnCmds) queuesInMulti(spec *command.Spec) bool {
	return spec != t.exec && spec != t.discard && spec != t.multi &&
		spec != t.watch && spec != t.quit && spec != t.reset
}

// queue queues a command inside MULTI.
func (s *Server) queue(c *client.Client, spec *command.Spec, args [][]byte) {
	c.Queue(spec, args)
	c.Seen(spec, time.Now())
	switch c.ReplyMode {
	case client.ReplyOn:
		c.Out.Simple("QUEUED")
	case client.ReplySkip:
		c.ReplyMode = client.ReplyOn
	}
}

// mayReplicate reports whether CLIENT PAUSE WRITE holds spec back: a
// write command, a script that may write (its flags decide, as Redis's
// getCommandFlags), or an EXEC that queued one of those.
func (s *Server) mayReplicate(c *client.Client, spec *command.Spec, args [][]byte) bool {
	const w = command.Write | command.MayReplicate
	if spec == s.txn.exec {
		if c.MultiFlags&w == 0 {
			return false
		}
		for _, q := range c.Queued {
			if s.mayReplicate(c, q.Spec, q.Args) {
				return true
			}
		}
		return false
	}
	if spec.Flags&w != 0 && spec.Flags&command.AllKeys != 0 && spec.Group == command.GroupScripting {
		return handler.ScriptMayWrite(s.env, spec, args)
	}
	return spec.Flags&w != 0
}

// execTxn runs the queued transaction of a client in MULTI whose queueing
// had no error (handler exec checked both).
func (s *Server) execTxn(ctx *handler.Ctx) {
	c := ctx.Client
	ks := s.ks
	queued := c.Queued
	watched := s.watches.Keys(c)

	all := false
	var set [4]uint64 // up to 256 shards
	pos := c.KeyBuf[:0]
	for _, q := range queued {
		sp := q.Spec
		if sp.Flags&command.AllKeys != 0 {
			all = true
			break
		}
		if len(sp.KeySpecs) == 0 && sp.GetKeys == nil {
			continue
		}
		var ok bool
		if pos, ok = sp.Keys(q.Args, pos[:0]); !ok {
			all = true
			break
		}
		for _, p := range pos {
			sh := ks.ShardOf(q.Args[p])
			set[sh>>6] |= 1 << (sh & 63)
		}
	}
	c.KeyBuf = pos
	for _, w := range watched {
		sh := ks.ShardOf([]byte(w.Name))
		set[sh>>6] |= 1 << (sh & 63)
	}
	var shards []int
	if all {
		ks.LockAll()
		defer ks.UnlockAll()
	} else {
		for w, word := range set {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				shards = append(shards, w<<6|b)
				word &= word - 1
			}
		}
		ks.Lock(shards)
		defer ks.Unlock(shards)
	}
	defer handler.EndTransaction(s.env, c)
	if tracking.Active() {
		// BCAST clients get the transaction's keys together.
		s.track.Hold(c.ID)
		defer s.track.Release(c.ID)
	}

	now := s.now()
	nowMs := now.UnixMilli()
	// As Redis 7.0, a WATCHed key that expired since (and was not expired
	// when watched) fails the EXEC even when nothing deleted it yet.
	dirty := c.Flags()&client.FlagDirtyCAS != 0
	for _, w := range watched {
		if dirty {
			break
		}
		dirty = !w.Expired && ks.DB(w.DB, nowMs).IsExpired(w.Name)
	}
	if dirty {
		ctx.Out.NullArray()
		return
	}
	s.watches.Unwatch(c)
	ctx.Out.Array(len(queued))
	var buf [8][]byte
	written := buf[:0]
	wrote := false
	for _, q := range queued {
		s.runQueued(c, q, now)
		if q.Spec.Flags&command.Write == 0 {
			continue
		}
		wrote = true
		if !all && (len(q.Spec.KeySpecs) > 0 || q.Spec.GetKeys != nil) {
			pos, _ = q.Spec.Keys(q.Args, pos[:0])
			for _, p := range pos {
				written = append(written, q.Args[p])
			}
		}
	}
	c.KeyBuf = pos
	if wrote && blocking.Active() {
		blocking.For(ks).Written(ks, shards, all, written, nowMs)
	}
}

// runQueued runs one queued command inside EXEC, its shards already
// locked, as execute does: the reply goes into EXEC's array.
func (s *Server) runQueued(c *client.Client, q client.Queued, now time.Time) {
	spec := q.Spec
	fn := s.handlers[spec.ID]
	start := time.Now()
	mark := c.Out.Len()
	ctx := ctxPool.Get().(*handler.Ctx)
	*ctx = handler.Ctx{
		Args:   q.Args,
		Spec:   spec,
		DB:     s.ks.DB(c.DB(), now.UnixMilli()),
		Out:    c.Out,
		Client: c,
		Env:    s.env,
		Now:    now,
	}
	ctx.DB.NoTouch, ctx.DB.Origin = c.NoTouch(), c
	s.callWatched(fn, ctx, mark)
	if tracking.Active() {
		// Client-side caching sees each queued command as execute does.
		all := spec.Flags&command.AllKeys != 0
		var keys []int
		if !all && (len(spec.KeySpecs) > 0 || spec.GetKeys != nil) {
			var ok bool
			if keys, ok = spec.Keys(q.Args, nil); !ok {
				all = true
			}
		}
		s.trackKeys(c, s.track.State(c.ID), spec, q.Args, keys, all, mark)
	}
	*ctx = handler.Ctx{}
	ctxPool.Put(ctx)
	cs := s.noteCommand(c, spec, q.Args, time.Since(start), time.Now())
	if out := c.Out.Bytes(); len(out) > mark && out[mark] == '-' {
		cs.Failed.Add(1)
		s.env.Stats.ErrorReplies.Add(1)
		s.env.Errors.Add(out[mark+1:])
	}
}

// callWatched calls a handler whose shards are locked, telling the WATCH
// table about the keys it changed when some client watches a key. mark
// is where the command's reply starts in ctx.Out.
func (s *Server) callWatched(fn handler.Func, ctx *handler.Ctx, mark int) {
	if !watch.Active() || ctx.Spec.Flags&command.Write == 0 {
		s.call(fn, ctx)
		return
	}
	op := s.watchBefore(ctx)
	s.call(fn, ctx)
	if op != nil {
		s.watchAfter(ctx, op, mark)
	}
}

// keySnap is a watched key's state before a write command.
type keySnap struct {
	db      keyspace.DB
	key     []byte
	present bool
	v       value.Value
	exp     int64
}

func snapKey(db keyspace.DB, key []byte) keySnap {
	k := keySnap{db: db, key: key}
	if e := db.Lookup(key, keyspace.NoTouch|keyspace.NoStats); e != nil {
		k.present, k.v, k.exp = true, e.Value, db.ExpireAt(key, e)
	}
	return k
}

// changed compares a key with its snapshot. A key still holding the same
// value object with the same TTL may have changed in place: it counts as
// changed unless sameIsNoop says the command did not write it.
func (k *keySnap) changed(sameIsNoop bool) (changed, present bool) {
	e := k.db.Lookup(k.key, keyspace.NoTouch|keyspace.NoStats)
	if !k.present || e == nil {
		return k.present || e != nil, e != nil
	}
	if e.Value != k.v || k.db.ExpireAt(k.key, e) != k.exp {
		return true, true
	}
	return !sameIsNoop, true
}

// watchOp is what callWatched compares after the command.
type watchOp struct {
	snaps []keySnap
	plan  []watch.Action
}

// zeroIsNoop are the write commands whose reply :0 says they changed
// nothing (Redis then signals no key).
var zeroIsNoop = map[string]bool{
	"del": true, "unlink": true, "expire": true, "pexpire": true, "expireat": true,
	"pexpireat": true, "persist": true, "setnx": true, "msetnx": true, "hsetnx": true,
	"sadd": true, "srem": true, "smove": true, "hdel": true, "zrem": true, "lrem": true,
	"renamenx": true, "lpushx": true, "rpushx": true, "linsert": true, "move": true,
	"copy": true, "zremrangebyscore": true, "zremrangebyrank": true, "zremrangebylex": true,
}

func (s *Server) watchBefore(ctx *handler.Ctx) *watchOp {
	spec, args, db := ctx.Spec, ctx.Args, ctx.DB
	wt := s.watches
	op := &watchOp{}
	switch spec.Name {
	case "flushdb":
		op.plan = wt.Plan(nil, db.Index, -1, s.probe(db))
		return op
	case "flushall":
		for i := range s.ks.NumDB() {
			op.plan = wt.Plan(op.plan, i, -1, s.probe(db))
		}
		return op
	case "swapdb":
		a, okA := resp.ParseInt(args[1])
		b, okB := resp.ParseInt(args[2])
		n := int64(s.ks.NumDB())
		if okA && okB && a >= 0 && b >= 0 && a < n && b < n && a != b {
			op.plan = wt.Plan(nil, int(a), int(b), s.probe(db))
			op.plan = wt.Plan(op.plan, int(b), int(a), s.probe(db))
		}
		return op
	}
	if len(spec.KeySpecs) == 0 && spec.GetKeys == nil {
		return nil
	}
	pos, _ := spec.Keys(args, nil)
	for _, p := range pos {
		if wt.Watched(db.Index, args[p]) {
			op.snaps = append(op.snaps, snapKey(db, args[p]))
		}
	}
	// SMOVE does not signal a destination that already holds the member.
	if spec.Name == "smove" && len(op.snaps) > 0 {
		if e := db.Lookup(args[2], keyspace.NoTouch|keyspace.NoStats); e != nil {
			if set, ok := e.Value.(*value.Set); ok && set.Has(args[3]) {
				kept := op.snaps[:0]
				for _, k := range op.snaps {
					if !bytes.Equal(k.key, args[2]) {
						kept = append(kept, k)
					}
				}
				op.snaps = kept
			}
		}
	}
	// MOVE and COPY ... DB write a key of another database.
	other := -1
	var key []byte
	switch spec.Name {
	case "move":
		if n, ok := resp.ParseInt(args[2]); ok {
			other, key = int(n), args[1]
		}
	case "copy":
		for i := 3; i+1 < len(args); i++ {
			if bytes.EqualFold(args[i], []byte("db")) {
				if n, ok := resp.ParseInt(args[i+1]); ok {
					other, key = int(n), args[2]
				}
			}
		}
	}
	if other >= 0 && other < s.ks.NumDB() && other != db.Index && wt.Watched(other, key) {
		op.snaps = append(op.snaps, snapKey(db.WithIndex(other), key))
	}
	if len(op.snaps) == 0 {
		return nil
	}
	return op
}

// probe looks keys up as FLUSHDB/SWAPDB find them: present even when
// expired, without deleting them.
func (s *Server) probe(db keyspace.DB) watch.Probe {
	return func(i int, key string) (present, expired bool) {
		d := db.WithIndex(i)
		if d.IsExpired(key) {
			return true, true
		}
		return d.Exists([]byte(key)), false
	}
}

func (s *Server) watchAfter(ctx *handler.Ctx, op *watchOp, mark int) {
	out := ctx.Out.Bytes()
	if len(out) > mark && out[mark] == '-' {
		return // an error changed nothing
	}
	reply := out[mark:]
	if zeroIsNoop[ctx.Spec.Name] && string(reply) == ":0\r\n" {
		return
	}
	// A null reply from a write command means it found nothing to work
	// on (LMOVE, GETDEL, LPOP, ...), except for SET ... GET and GETSET,
	// which return the old value (null when there was none).
	if (string(reply) == "$-1\r\n" || string(reply) == "*-1\r\n" || string(reply) == "_\r\n") &&
		ctx.Spec.Name != "set" && ctx.Spec.Name != "getset" {
		return
	}
	s.watches.Apply(op.plan)
	// SET (NX, XX), GETEX without a new TTL and SETRANGE of an empty
	// string leave the value object alone exactly when they do not write
	// it.
	name := ctx.Spec.Name
	sameIsNoop := name == "set" ||
		name == "getex" && (len(ctx.Args) == 2 || len(ctx.Args) == 3 && bytes.EqualFold(ctx.Args[2], []byte("persist"))) ||
		name == "setrange" && len(ctx.Args) == 4 && len(ctx.Args[3]) == 0
	for i := range op.snaps {
		k := &op.snaps[i]
		if ch, present := k.changed(sameIsNoop); ch {
			s.watches.Touch(k.db.Index, k.key, present)
		}
	}
}
