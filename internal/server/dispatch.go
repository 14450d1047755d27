package server

import (
	"fmt"
	"math/bits"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/handler"
)

// dispatch runs one command, as Redis's processCommand: it resolves the
// command (and subcommand), enforces arity and authentication, honours
// CLIENT PAUSE, locks the shards of the command's keys, calls the handler
// and records statistics. Handlers never check any of these.
func (s *Server) dispatch(c *client.Client, args [][]byte) {
	stats := s.env.Stats
	stats.TotalCommands.Add(1)
	spec := command.Lookup(args[0])
	if spec == nil {
		s.reject(c, nil, errs.UnknownCommand(args[0], args[1:]))
		return
	}
	if len(spec.Subs) > 0 && len(args) > 1 {
		sub := spec.Sub(args[1])
		if sub == nil {
			s.reject(c, nil, errs.UnknownSubcommand(args[1], spec.Name))
			return
		}
		spec = sub
	}
	if (spec.Arity > 0 && len(args) != spec.Arity) || len(args) < -spec.Arity {
		s.reject(c, spec, errs.WrongArity(spec.Name))
		return
	}
	if spec.Flags&command.Protected != 0 {
		if msg := handler.ProtectedDenied(s.env, spec, c); msg != "" {
			s.reject(c, spec, msg)
			return
		}
	}
	if !c.Authenticated && spec.Flags&command.NoAuth == 0 {
		s.reject(c, spec, errs.NoAuth)
		return
	}
	if ch := s.env.Pause.Wait(spec.Flags&(command.Write|command.MayReplicate) != 0); ch != nil {
		s.flush(c)
		<-ch
	}
	s.execute(c, spec, args)
}

var ctxPool = sync.Pool{New: func() any { return new(handler.Ctx) }}

// reject answers a command that will not run with an error.
func (s *Server) reject(c *client.Client, spec *command.Spec, msg string) {
	if spec != nil {
		s.env.Stats.Commands[spec.ID].Rejected.Add(1)
	}
	s.env.Stats.ErrorReplies.Add(1)
	s.env.Errors.AddString(msg)
	if c.ReplyMode == client.ReplyOn {
		c.Out.Error(msg)
	} else if c.ReplyMode == client.ReplySkip {
		c.ReplyMode = client.ReplyOn
	}
}

// execute locks the command's shards and calls its handler.
func (s *Server) execute(c *client.Client, spec *command.Spec, args [][]byte) {
	fn := s.handlers[spec.ID]
	start := time.Now()
	now := start
	if s.opts.Clock != nil {
		now = s.opts.Clock.Now()
	}
	ks := s.ks
	all := spec.Flags&command.AllKeys != 0
	var shards []int
	if !all && (len(spec.KeySpecs) > 0 || spec.GetKeys != nil) {
		keys, ok := spec.Keys(args, c.KeyBuf[:0])
		c.KeyBuf = keys
		if ok {
			shards = shardSet(c.ShardBuf[:0], keys, args, ks.ShardOf)
			c.ShardBuf = shards
		} else {
			all = true
		}
	}
	// CLIENT REPLY SKIP drops the reply of the command after it.
	if c.ReplyMode == client.ReplySkip {
		c.ReplyMode = client.ReplySkipThis
	}
	mark := c.Out.Len()
	// The context's address reaches the handler through a func value, so it
	// would escape to the heap on every command; recycling it keeps the
	// dispatcher allocation-free. Handlers never keep a *Ctx.
	ctx := ctxPool.Get().(*handler.Ctx)
	defer func() {
		*ctx = handler.Ctx{}
		ctxPool.Put(ctx)
	}()
	*ctx = handler.Ctx{
		Args:   args,
		Spec:   spec,
		DB:     ks.DB(c.DB(), now.UnixMilli()),
		Out:    c.Out,
		Client: c,
		Env:    s.env,
		Now:    now,
	}
	ctx.DB.NoTouch = c.NoTouch()
	// Clients blocked on keys this command wrote are served before its
	// locks go (see internal/blocking); a command that blocked waits after.
	var blocked *blocking.Waiter
	if all {
		ks.LockAll()
		s.call(fn, ctx)
		if blocking.Active() {
			blocked = s.serveBlocked(c, spec, args, nil, nil, true, ctx.DB.Now)
		}
		ks.UnlockAll()
	} else {
		ks.Lock(shards)
		s.call(fn, ctx)
		if blocking.Active() && len(shards) > 0 {
			blocked = s.serveBlocked(c, spec, args, c.KeyBuf, shards, false, ctx.DB.Now)
		}
		ks.Unlock(shards)
	}
	var waited time.Duration
	if blocked != nil {
		waited = s.waitBlocked(c, spec, blocked, start)
		mark = 0 // earlier replies were flushed before the wait
	}
	cs := &s.env.Stats.Commands[spec.ID]
	cs.Calls.Add(1)
	cs.Usec.Add(int64((time.Since(start) - waited) / time.Microsecond))
	if out := c.Out.Bytes(); len(out) > mark && out[mark] == '-' {
		cs.Failed.Add(1)
		s.env.Stats.ErrorReplies.Add(1)
		s.env.Errors.Add(out[mark+1:])
	}
	c.Seen(spec, start)
	switch c.ReplyMode {
	case client.ReplySkipThis:
		c.ReplyMode = client.ReplyOn
		c.Out.Truncate(mark)
	case client.ReplyOff:
		c.Out.Truncate(mark)
	}
}

// call runs a handler, turning a panic into an error reply so that one bad
// command never takes the server down or leaves shards locked.
func (s *Server) call(fn handler.Func, ctx *handler.Ctx) {
	mark := ctx.Out.Len()
	defer func() {
		if r := recover(); r != nil {
			ctx.Out.Truncate(mark)
			s.log.Printf("panic in %s: %v\n%s", ctx.Spec.Name, r, debug.Stack())
			ctx.Out.Error(fmt.Sprintf("ERR internal error in '%s'", ctx.Spec.Name))
		}
	}()
	fn(ctx)
}

// shardSet returns the sorted, distinct shards of the keys at positions,
// in time linear in the number of keys.
func shardSet(dst []int, positions []int, args [][]byte, shardOf func([]byte) int) []int {
	if len(positions) == 1 {
		return append(dst, shardOf(args[positions[0]]))
	}
	var set [4]uint64 // up to 256 shards
	for _, p := range positions {
		sh := shardOf(args[p])
		set[sh>>6] |= 1 << (sh & 63)
	}
	for w, word := range set {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			dst = append(dst, w<<6|b)
			word &= word - 1
		}
	}
	return dst
}
