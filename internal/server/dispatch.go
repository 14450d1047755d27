package server

import (
	"fmt"
	"math/bits"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/pubsub"
	"github.com/ember-kv/ember/internal/tracking"
)

// dispatch runs one command, as Redis's processCommand: it resolves the
// command (and subcommand), enforces arity, protected commands,
// authentication, the RESP2 subscriber context and MULTI's rules, honours
// CLIENT PAUSE, then queues the command (inside MULTI) or executes it:
// locks the shards of its keys, calls the handler and records statistics.
// Handlers never check any of these.
func (s *Server) dispatch(c *client.Client, args [][]byte) {
	stats := s.env.Stats
	stats.TotalCommands.Add(1)
	spec := lookupCommand(c, args[0])
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
	// maxmemory: evict, then refuse what would take memory (memory.go).
	// A no_multi command inside MULTI gets that error instead, as Redis
	// checks it first.
	if s.mem.max.Load() != 0 && !(spec.Flags&command.NoMulti != 0 && c.MultiLen() >= 0) &&
		s.oomReject(c, spec) {
		s.reject(c, spec, errs.OOM)
		return
	}
	// A client in MONITOR mode may not touch the keyspace (handler/monitor.go).
	if handler.Monitored() && spec.Flags&(command.Write|command.ReadOnly|command.MayReplicate) != 0 &&
		handler.IsMonitor(s.env, c) {
		s.reject(c, spec, errs.MonitorKeyspace)
		return
	}
	// A RESP2 client with subscriptions may only (un)subscribe, PING,
	// QUIT and RESET (RESP3 clients may run anything).
	if c.PubSub() && c.Proto() == 2 && !allowedInSubscribe(spec.Name) {
		s.reject(c, spec, errs.NotAllowedInSubscribe(spec.Name))
		return
	}
	// While a script has run longer than busy-reply-threshold, only the
	// allow_busy commands run (SCRIPT KILL, FUNCTION KILL, SHUTDOWN, ...):
	// the others get BUSY before they lock anything (see script.go).
	if spec.Flags&command.AllowBusy == 0 {
		if msg := s.scriptBusy(); msg != "" {
			s.reject(c, spec, msg)
			return
		}
	}
	inMulti := c.MultiLen() >= 0 && s.txn.queuesInMulti(spec)
	if inMulti && spec.Flags&command.NoMulti != 0 {
		s.reject(c, spec, errs.NotInMulti)
		return
	}
	if s.env.Pause.On() { // one atomic load when nothing is paused
		if ch := s.env.Pause.Wait(s.mayReplicate(c, spec, args)); ch != nil {
			s.flush(c)
			handler.WaitPaused(s.env, c, spec, ch) // shown blocked meanwhile
		}
	}
	if inMulti {
		s.queue(c, spec, args) // see transactions.go
		return
	}
	s.execute(c, spec, args)
}

// lookupCommand is command.Lookup, remembering the connection's last
// name: a pipeline of one command (as clients and benchmarks send) finds
// it with one comparison.
func lookupCommand(c *client.Client, name []byte) *command.Spec {
	if c.LastSpec != nil && string(name) == string(c.LastName) {
		return c.LastSpec
	}
	spec := command.Lookup(name)
	if spec != nil && len(name) <= 32 {
		c.LastName = append(c.LastName[:0], name...)
		c.LastSpec = spec
	}
	return spec
}

var ctxPool = sync.Pool{New: func() any { return new(handler.Ctx) }}

// reject answers a command that will not run with an error.
func (s *Server) reject(c *client.Client, spec *command.Spec, msg string) {
	if spec != nil {
		s.env.Stats.Commands[spec.ID].Rejected.Add(1)
	}
	// A command rejected inside MULTI dooms the transaction; a rejected
	// EXEC discards it at once (in MULTI or not), as Redis does.
	if c.MultiLen() >= 0 {
		c.MultiError = true
	}
	if spec != nil && spec == s.txn.exec {
		handler.EndTransaction(s.env, c)
		msg = errs.ExecAbortBecause(msg)
	}
	s.env.Stats.ErrorReplies.Add(1)
	s.env.Errors.AddString(msg)
	if tracking.Active() {
		s.trackDone(c, s.track.State(c.ID), spec)
	}
	if c.ReplyMode == client.ReplyOn {
		c.Out.Error(msg)
	} else if c.ReplyMode == client.ReplySkip {
		c.ReplyMode = client.ReplyOn
	}
}

// execute locks the command's shards and calls its handler.
func (s *Server) execute(c *client.Client, spec *command.Spec, args [][]byte) {
	fn := s.handlers[spec.ID]
	start := c.Tick
	if c.TickStale || start.IsZero() {
		start = time.Now()
	}
	now := start
	if s.opts.Clock != nil {
		now = s.opts.Clock.Now()
	}
	ks := s.ks
	all := spec.Flags&command.AllKeys != 0
	var shards, keys []int
	if !all && (len(spec.KeySpecs) > 0 || spec.GetKeys != nil) {
		var ok bool
		keys, ok = spec.Keys(args, c.KeyBuf[:0])
		c.KeyBuf = keys
		if ok {
			shards = shardSet(c.ShardBuf[:0], keys, args, ks.ShardOf)
			c.ShardBuf = shards
		} else {
			all = true
		}
	}
	// A tracking client's pushes wait behind its replies (internal/tracking).
	var ts *tracking.State
	if tracking.Active() {
		if ts = s.track.State(c.ID); ts != nil {
			ts.Begin()
		}
	}
	// A subscriber's messages wait behind its replies (internal/pubsub).
	if pubsub.Active() {
		s.pubsub.Begin(c)
	}
	// CLIENT REPLY SKIP drops the reply of the command after it.
	if c.ReplyMode == client.ReplySkip {
		c.ReplyMode = client.ReplySkipThis
	}
	mark := c.Out.Len()
	if spec.Flags&command.Blocking != 0 {
		// CLIENT LIST shows a client that blocks with its command.
		c.Seen(spec, start)
	}
	// The context's address reaches the handler through a func value, so it
	// would escape to the heap on every command; the connection's own one
	// (execute never runs inside itself for a client; EXEC and scripts
	// take theirs from ctxPool) keeps the dispatcher allocation-free.
	// Handlers never keep a *Ctx.
	ctx, _ := c.CtxBuf.(*handler.Ctx)
	if ctx == nil {
		ctx = new(handler.Ctx)
		c.CtxBuf = ctx
	}
	*ctx = handler.Ctx{
		Args:   args,
		Spec:   spec,
		DB:     ks.DB(c.DB(), now.UnixMilli()),
		Out:    c.Out,
		Client: c,
		Env:    s.env,
		Now:    now,
	}
	ctx.DB.NoTouch, ctx.DB.Origin = c.NoTouch(), c
	// Clients blocked on keys this command wrote are served before its
	// locks go (see internal/blocking); a command that blocked waits after.
	var blocked *blocking.Waiter
	if all {
		ks.LockAll()
		s.callWatched(fn, ctx, mark) // WATCH: see transactions.go
		if blocking.Active() {
			blocked = s.serveBlocked(c, spec, args, nil, nil, true, ctx.DB.Now)
		}
		if tracking.Active() {
			s.trackKeys(c, ts, spec, args, nil, true, mark)
		}
		ks.UnlockAll()
	} else {
		ks.Lock(shards)
		s.callWatched(fn, ctx, mark) // WATCH: see transactions.go
		if blocking.Active() && len(shards) > 0 {
			blocked = s.serveBlocked(c, spec, args, c.KeyBuf, shards, false, ctx.DB.Now)
		}
		// A write that blocked changed nothing yet (see waitBlocked).
		if tracking.Active() && len(shards) > 0 && (blocked == nil || spec.Flags&command.ReadOnly != 0) {
			s.trackKeys(c, ts, spec, args, keys, false, mark)
		}
		ks.Unlock(shards)
	}
	var waited time.Duration
	if blocked != nil {
		waited = s.waitBlocked(c, spec, args, blocked, start)
		mark = 0 // earlier replies were flushed before the wait
	}
	// One monotonic clock read (time.Since) instead of time.Now's two:
	// the wall clock advances with it until the connection next waits
	// for input, when the tick goes stale and is read afresh.
	end := start.Add(time.Since(start))
	c.Tick, c.TickStale = end, false
	cs := s.noteCommand(c, spec, args, end.Sub(start)-waited, end)
	if out := c.Out.Bytes(); len(out) > mark && out[mark] == '-' {
		cs.Failed.Add(1)
		s.env.Stats.ErrorReplies.Add(1)
		s.env.Errors.Add(out[mark+1:])
	}
	c.Seen(spec, start)
	if ts != nil {
		s.trackDone(c, ts, spec)
	}
	switch c.ReplyMode {
	case client.ReplySkipThis:
		c.ReplyMode = client.ReplyOn
		c.Out.Truncate(mark + handler.PushesKept(spec, c.Out.Bytes()[mark:]))
	case client.ReplyOff:
		c.Out.Truncate(mark + handler.PushesKept(spec, c.Out.Bytes()[mark:]))
	}
}

// noteCommand counts a command that ran for d in INFO commandstats and
// its latency histogram (LATENCY HISTOGRAM), gives the latency monitor a
// "command" or "fast-command" sample, and logs it in the slow log when it
// took slowlog-log-slower-than or more (unless its spec says
// skip_slowlog, as EXEC's does: the commands it runs are logged one by
// one). c is the client it ran for (a script's own client for
// redis.call); now is when it ended. It returns the command's statistics.
func (s *Server) noteCommand(c *client.Client, spec *command.Spec, args [][]byte, d time.Duration, now time.Time) *handler.CommandStats {
	cs := &s.env.Stats.Commands[spec.ID]
	cs.Calls.Add(1)
	us := int64(d / time.Microsecond)
	cs.Usec.Add(us)
	s.env.Histograms.Record(spec.ID, d)
	if s.env.Latency.Threshold() > 0 {
		event := "command"
		if spec.Flags&command.Fast != 0 {
			event = "fast-command"
		}
		s.env.Latency.Add(event, us/1000, now)
	}
	if s.env.Slowlog.Slow(us) && spec.Flags&command.SkipSlowlog == 0 {
		peer := c.Addr
		if c.Conn == nil {
			peer = "?:0" // a script's client, as Redis shows it
		}
		s.env.Slowlog.Push(args, handler.RedactedArgs(spec.Name, args), us, now, peer, c.Name())
	}
	return cs
}

// allowedInSubscribe reports whether a RESP2 client in the subscriber
// context may run the command name.
func allowedInSubscribe(name string) bool {
	switch name {
	case "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
		"ssubscribe", "sunsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// trackKeys runs after a command's handler, with its shards still locked,
// when some client tracks keys: a read-only command's keys are remembered
// for its client, if that client tracks them; a write command's keys (all
// keys for FLUSHDB and FLUSHALL) are invalidated, unless it failed.
func (s *Server) trackKeys(c *client.Client, ts *tracking.State, spec *command.Spec, args [][]byte, keys []int, all bool, mark int) {
	if all && (len(spec.KeySpecs) > 0 || spec.GetKeys != nil) {
		if k, ok := spec.Keys(args, c.KeyBuf[:0]); ok {
			keys, c.KeyBuf = k, k
		}
	}
	if spec.Flags&command.ReadOnly != 0 {
		if ts != nil && len(keys) > 0 && !readOnlyScript(spec) {
			s.track.Remember(ts, args, keys)
		}
		return
	}
	if spec.Flags&command.Write == 0 {
		return
	}
	if out := c.Out.Bytes(); len(out) > mark && out[mark] == '-' {
		return
	}
	if spec.Name == "flushall" || spec.Name == "flushdb" {
		s.track.InvalidateAll()
		return
	}
	if len(keys) == 0 {
		return
	}
	var buf [8][]byte
	written := buf[:0]
	for _, p := range keys {
		written = append(written, args[p])
	}
	s.track.Invalidate(c.ID, written)
}

// trackQueued is trackKeys for a command run inside EXEC, with its shards
// locked, right after its handler wrote its reply at mark. EXEC must call
// it for every queued command: a read inside MULTI/EXEC (rueidis's DoCache
// is CLIENT CACHING YES, MULTI, PTTL, GET, EXEC) has to be remembered, and
// a write has to invalidate.
func (s *Server) trackQueued(c *client.Client, spec *command.Spec, args [][]byte, mark int) {
	if !tracking.Active() {
		return
	}
	var buf [8]int
	var keys []int
	if len(spec.KeySpecs) > 0 || spec.GetKeys != nil {
		if k, ok := spec.Keys(args, buf[:0]); ok {
			keys = k
		}
	}
	s.trackKeys(c, s.track.State(c.ID), spec, args, keys, false, mark)
}

// trackDone ends the effect of CLIENT CACHING after the command that
// follows it: any command but a CLIENT one, outside MULTI, as Redis's
// resetClient. spec is nil for an unknown command.
func (s *Server) trackDone(c *client.Client, ts *tracking.State, spec *command.Spec) {
	if ts == nil || c.MultiLen() >= 0 || spec != nil && strings.HasPrefix(spec.Name, "client|") {
		return
	}
	ts.ClearCaching()
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
	// MONITOR shows the commands that run (handler/monitor.go).
	monitored := handler.Monitored()
	if monitored {
		handler.FeedMonitors(ctx, true)
	}
	fn(ctx)
	if monitored {
		handler.FeedMonitors(ctx, false)
	}
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
