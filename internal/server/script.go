package server

import (
	"strings"
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/script"
	"github.com/ember-kv/ember/internal/tracking"
	"github.com/ember-kv/ember/resp"
)

// Scripts, the server's side.
//
// EVAL, EVALSHA, FCALL and their _RO forms are AllKeys commands: the
// dispatcher holds every shard while the script runs, so the keyspace
// changes only through the script, whatever keys it touches. A script's
// redis.call comes to scriptCall, which checks the script rules (unknown
// command, arity, noscript, write from a read-only script) and runs the
// handler as runQueued does: WATCH, client tracking and commandstats see
// it like any other command. The command runs as the script's own client
// (its database starts as the caller's; SELECT inside a script does not
// change the caller's), into a scratch writer in the protocol the script
// chose with redis.setresp; the engine converts that raw reply into Lua
// values. When the script wrote, the clients blocked on keys are served
// before the shards are released.
//
// A script that runs longer than busy-reply-threshold makes the
// dispatcher answer BUSY to every other command but the allow_busy ones
// (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS, SHUTDOWN, ...); see
// scriptBusy.

// scriptHost is the state of the run in progress (one at a time: the run
// holds every shard and the engine's lock).
type scriptHost struct {
	caller *handler.Ctx   // the EVAL/FCALL command
	client *client.Client // the script's own client
	out    *resp.Writer
	// errs are the error replies of the run's commands (and its rejected
	// calls), counted in the error stats when the run ends, but for the
	// one the script's reply carries (see countScriptErrors).
	errs []string
}

// newScripts makes the engine and installs its wiring in the Env.
func (s *Server) newScripts() {
	h := &scriptHost{client: client.New(0, nil, time.Now()), out: resp.NewWriter()}
	// Commands see they run inside a script: blocking ones answer as on
	// timeout (blocking.Denied), SORT sorts as Redis does there.
	h.client.SetFlag(client.FlagScript, true)
	h.client.Out = h.out
	h.client.Authenticated = true
	s.scripts = h
	e := script.New(s.scriptCall)
	e.Logf = func(level int, msg string) { s.log.Print(msg) }
	e.Known = func(args [][]byte) bool { return lookupScriptCommand(args) != nil }
	// The dispatcher has just evicted what it could: still over the limit
	// is Redis's pre-command OOM state.
	e.OutOfMemory = func() bool {
		limit := s.mem.max.Load()
		return limit != 0 && handler.UsedMemoryApprox(s.env)+s.ks.UsedSlack() > limit
	}
	s.env.Scripts = e
	s.env.ScriptRun = s.scriptRun
}

// scriptRun runs exec as run for the command of ctx, whose shards are all
// locked.
func (s *Server) scriptRun(ctx *handler.Ctx, run *script.Run, exec func(w *resp.Writer)) {
	h := s.scripts
	h.caller = ctx
	h.client.ID = ctx.Client.ID
	h.client.SetDB(ctx.Client.DB())
	h.client.SetNoTouch(ctx.Client.NoTouch())
	run.Host = h
	run.CallerProto = ctx.Client.Proto()
	h.errs = h.errs[:0]
	mark := len(ctx.Out.Bytes())
	exec(ctx.Out)
	h.caller = nil
	s.countScriptErrors(run, ctx.Out.Bytes()[mark:])
	if run.Dirty() && blocking.Active() {
		blocking.For(s.ks).Written(s.ks, nil, true, nil, ctx.DB.Now)
	}
}

// countScriptErrors counts the run's command errors in the error stats.
// When the script's reply is one of them (Run.Counted), the dispatcher
// counts that reply: the command's own count is dropped, so that the error
// counts once, as in Redis (where the reply skips the stats instead).
func (s *Server) countScriptErrors(run *script.Run, reply []byte) {
	h := s.scripts
	if run.Counted && len(reply) > 0 && reply[0] == '-' {
		code := errorCode(string(reply[1:]))
		for i := len(h.errs) - 1; i >= 0; i-- {
			if errorCode(h.errs[i]) == code {
				h.errs = append(h.errs[:i], h.errs[i+1:]...)
				break
			}
		}
	}
	for _, msg := range h.errs {
		s.env.Stats.ErrorReplies.Add(1)
		s.env.Errors.AddString(msg)
	}
	h.errs = h.errs[:0]
}

// errorCode is an error reply's code as the error stats take it.
func errorCode(msg string) string {
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 32 {
		msg = msg[:32]
	}
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		return msg[:i]
	}
	return "ERR"
}

// scriptReject counts a call the script rules refuse (rejected_calls) and
// returns its text for the engine.
func (s *Server) scriptReject(spec *command.Spec, msg string) (reply []byte, reject string) {
	if spec != nil {
		s.env.Stats.Commands[spec.ID].Rejected.Add(1)
	}
	full := msg
	if strings.HasPrefix(msg, "-") {
		full = msg[1:]
	} else {
		full = "ERR " + msg
	}
	s.scripts.errs = append(s.scripts.errs, full)
	return nil, msg
}

// lookupScriptCommand resolves a command (and subcommand) as Redis's
// lookupCommand does for scripts: an unknown subcommand is an unknown
// command; a container alone is the container.
func lookupScriptCommand(args [][]byte) *command.Spec {
	spec := command.Lookup(args[0])
	if spec == nil {
		return nil
	}
	if len(spec.Subs) > 0 && len(args) > 1 {
		return spec.Sub(args[1])
	}
	return spec
}

// scriptCall runs one redis.call / redis.pcall of the run in progress.
func (s *Server) scriptCall(run *script.Run, args [][]byte) ([]byte, string) {
	h := run.Host.(*scriptHost)
	spec := lookupScriptCommand(args)
	if spec == nil {
		return s.scriptReject(nil, errs.ScriptCallUnknown)
	}
	if (spec.Arity > 0 && len(args) != spec.Arity) || len(args) < -spec.Arity {
		return s.scriptReject(spec, errs.ScriptCallArity)
	}
	if spec.Flags&command.NoScript != 0 {
		return s.scriptReject(spec, errs.ScriptCallNoScript)
	}
	if run.ReadOnly && (spec.Flags&(command.Write|command.MayReplicate) != 0) {
		return s.scriptReject(spec, errs.ScriptCallWriteInRO)
	}
	if run.OOM && spec.Flags&command.DenyOOM != 0 && !run.Dirty() {
		// Over maxmemory when the script started: it may not begin
		// writing (once it has written, it cannot stop halfway).
		return s.scriptReject(spec, "-"+errs.OOM)
	}
	if blockInScript(spec, args) {
		// Redis refuses XREAD/XREADGROUP ... BLOCK from scripts outright
		// (other blocking forms answer as on timeout).
		out := h.out
		out.Reset()
		msg := errs.ScriptBlockOption(args[0])
		out.Error(msg)
		s.env.Stats.Commands[spec.ID].Failed.Add(1)
		h.errs = append(h.errs, msg)
		return out.Bytes(), ""
	}
	if spec.Flags&command.Write != 0 {
		run.MarkDirty()
	}
	fn := s.handlers[spec.ID]
	if fn == nil {
		return nil, errs.ScriptCallUnknown
	}
	cl := h.client
	cl.SetProto(run.Proto)
	out := h.out
	out.Reset()
	out.Proto = run.Proto
	start := time.Now()
	ctx := ctxPool.Get().(*handler.Ctx)
	*ctx = handler.Ctx{
		Args:   args,
		Spec:   spec,
		DB:     s.ks.DB(cl.DB(), h.caller.DB.Now),
		Out:    out,
		Client: cl,
		Env:    s.env,
		// Keys expire by the script's start time (DB.Now), as in Redis;
		// TIME and the like see the clock move.
		Now: s.now(),
	}
	ctx.DB.NoTouch = cl.NoTouch()
	s.callWatched(fn, ctx, 0)
	*ctx = handler.Ctx{}
	ctxPool.Put(ctx)
	if tracking.Active() {
		// Reads are remembered for the caller, writes invalidate.
		all := spec.Flags&command.AllKeys != 0
		var keys []int
		if !all && (len(spec.KeySpecs) > 0 || spec.GetKeys != nil) {
			var ok bool
			if keys, ok = spec.Keys(args, nil); !ok {
				all = true
			}
		}
		if spec.Flags&command.ReadOnly != 0 {
			// As Redis, a read remembers the keys the script declared.
			s.trackScriptRead(h.caller)
		} else {
			s.trackKeys(cl, s.track.State(h.caller.Client.ID), spec, args, keys, all, 0)
		}
	}
	cs := s.noteCommand(cl, spec, args, time.Since(start), time.Now())
	if b := out.Bytes(); len(b) > 0 && b[0] == '-' {
		cs.Failed.Add(1)
		h.errs = append(h.errs, string(b[1:]))
	}
	return out.Bytes(), ""
}

// scriptBusy is the BUSY error for a command that arrives while a script
// has run for busy-reply-threshold or longer, or "". The dispatcher asks
// before locking anything, for commands without the allow_busy flag.
func (s *Server) scriptBusy() string {
	e := s.env.Scripts
	if e == nil {
		return ""
	}
	r := e.Running()
	if r == nil {
		return ""
	}
	limit := s.cfg.Int("busy-reply-threshold")
	if limit <= 0 || time.Since(r.Start()) < time.Duration(limit)*time.Millisecond {
		return ""
	}
	if r.Eval {
		return script.ErrBusyScript
	}
	return script.ErrBusyFunction
}

// blockInScript reports an XREAD or XREADGROUP with the BLOCK option.
func blockInScript(spec *command.Spec, args [][]byte) bool {
	if spec.Name != "xread" && spec.Name != "xreadgroup" {
		return false
	}
	for _, a := range args[1:] {
		if len(a) == 7 && strings.EqualFold(string(a), "streams") {
			return false
		}
		if len(a) == 5 && strings.EqualFold(string(a), "block") {
			return true
		}
	}
	return false
}
