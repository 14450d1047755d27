package handler

import (
	"bytes"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/script"
	"github.com/ember-kv/ember/resp"
)

// EVAL, EVALSHA, their _RO forms and SCRIPT. The engine (internal/script)
// compiles, caches and runs the scripts; the server (Env.ScriptRun) gives
// a run its redis.call. The dispatcher holds every shard meanwhile.

func init() {
	register(map[string]Func{
		"eval":          func(c *Ctx) { evalGeneric(c, false, false) },
		"evalsha":       func(c *Ctx) { evalGeneric(c, true, false) },
		"eval_ro":       func(c *Ctx) { evalGeneric(c, false, true) },
		"evalsha_ro":    func(c *Ctx) { evalGeneric(c, true, true) },
		"script|load":   scriptLoad,
		"script|exists": scriptExists,
		"script|flush":  scriptFlush,
		"script|kill":   scriptKill,
		"script|debug":  scriptDebug,
		"script|help":   scriptHelp,
	})
}

// inScript reports whether the command runs inside a script (redis.call).
// A script holds every shard while it runs, so a command that touches the
// keyspace meanwhile is the script's.
func inScript(c *Ctx) bool { return c.Client.Flags()&client.FlagScript != 0 }

// scriptNumKeys parses the numkeys argument of EVAL and FCALL; bad is the
// reply to a non-integer.
func scriptNumKeys(c *Ctx, bad string) (int, bool) {
	n, ok := resp.ParseInt(c.Args[2])
	switch {
	case !ok:
		c.Error(bad)
		return 0, false
	case n > int64(len(c.Args)-3):
		c.Error(errs.NumKeysTooMany)
		return 0, false
	case n < 0:
		c.Error(errs.NumKeysNegative)
		return 0, false
	}
	return int(n), true
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
// EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]
// EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]
func evalGeneric(c *Ctx, sha, ro bool) {
	e := c.Env.Scripts
	if sha && len(c.Args[1]) != 40 {
		c.Error(errs.NoScript)
		return
	}
	// Over maxmemory, a script whose flags make it deny-oom is refused
	// before anything else is checked, as Redis's command flags do.
	if e.OverMemory() {
		var flags script.Flags
		if sha {
			if sc := e.Lookup(c.Args[1]); sc != nil {
				flags = sc.Flags
			} else {
				flags = script.FlagEvalCompat
			}
		} else if f, ok := e.Peek(c.Args[1]); ok {
			flags = f
		} else {
			flags = script.FlagEvalCompat
		}
		if flags.DenyOOM() {
			c.Error(errs.OOM)
			return
		}
	}
	numkeys, ok := scriptNumKeys(c, errs.NotInteger)
	if !ok {
		return
	}
	var sc *script.Script
	if sha {
		if sc = e.Lookup(c.Args[1]); sc == nil {
			c.Error(errs.NoScript)
			return
		}
	} else {
		var msg string
		if sc, msg = e.Load(c.Args[1]); msg != "" {
			c.Error(msg)
			return
		}
	}
	readOnly := ro
	if sc.Flags&script.FlagEvalCompat == 0 && sc.Flags&script.FlagNoWrites != 0 {
		readOnly = true
	} else if sc.Flags&script.FlagEvalCompat == 0 && ro {
		c.Error(errs.ScriptWriteInRO)
		return
	}
	run := &script.Run{
		Name:     sc.SHA,
		Eval:     true,
		ReadOnly: readOnly,
		Keys:     c.Args[3 : 3+numkeys],
		Args:     c.Args[3+numkeys:],
		Command:  c.Args,
		OOM:      e.RunOOM(sc.Flags),
	}
	c.Env.ScriptRun(c, run, func(w *resp.Writer) { e.Eval(sc, run, w) })
}

// SCRIPT LOAD script
func scriptLoad(c *Ctx) {
	sc, msg := c.Env.Scripts.Load(c.Args[2])
	if msg != "" {
		c.Error(msg)
		return
	}
	c.Out.BulkString(sc.SHA)
}

// SCRIPT EXISTS sha1 [sha1 ...]
func scriptExists(c *Ctx) {
	c.Out.Array(len(c.Args) - 2)
	for _, sha := range c.Args[2:] {
		if c.Env.Scripts.Lookup(sha) != nil {
			c.Out.Int(1)
		} else {
			c.Out.Int(0)
		}
	}
}

// scriptFlushMode checks FLUSH's optional [ASYNC | SYNC].
func scriptFlushMode(c *Ctx) bool {
	switch {
	case len(c.Args) == 2:
		return true
	case len(c.Args) == 3 && (bytes.EqualFold(c.Args[2], []byte("sync")) || bytes.EqualFold(c.Args[2], []byte("async"))):
		return true
	}
	return false
}

// SCRIPT FLUSH [ASYNC | SYNC]
func scriptFlush(c *Ctx) {
	if !scriptFlushMode(c) {
		c.Error(errs.ScriptFlushOption)
		return
	}
	c.Env.Scripts.Flush()
	c.OK()
}

// SCRIPT KILL
func scriptKill(c *Ctx) {
	if msg := c.Env.Scripts.Kill(true); msg != "" {
		c.Error(msg)
		return
	}
	c.OK()
}

// SCRIPT DEBUG <YES | SYNC | NO>
//
// Ember has no Lua debugger: NO is accepted, YES and SYNC refused.
func scriptDebug(c *Ctx) {
	switch {
	case bytes.EqualFold(c.Args[2], []byte("no")):
		c.OK()
	case bytes.EqualFold(c.Args[2], []byte("yes")), bytes.EqualFold(c.Args[2], []byte("sync")):
		c.Error(errs.ScriptDebugNotEmber)
	default:
		c.Error(errs.ScriptDebugOption)
	}
}

// SCRIPT HELP
func scriptHelp(c *Ctx) {
	writeSubcommandHelp(c, "SCRIPT", []string{
		"DEBUG (YES|SYNC|NO)",
		"    Debug mode for the scripts this connection runs next (Ember accepts only NO).",
		"EXISTS <sha1> [<sha1> ...]",
		"    For each digest, 1 if the script cache holds it, else 0.",
		"FLUSH [ASYNC|SYNC]",
		"    Empty the script cache.",
		"KILL",
		"    Stop the running script, if it has not written yet.",
		"LOAD <script>",
		"    Compile a script into the cache and return its SHA1 digest.",
	})
}

// ScriptMayWrite reports whether EVAL, EVALSHA or FCALL (spec) with args
// may write, for CLIENT PAUSE WRITE: as Redis replaces these commands'
// flags with the ones a script or function declares, a declared no-writes
// runs during the pause. A script without a shebang, or one not known
// yet, may write.
func ScriptMayWrite(env *Env, spec *command.Spec, args [][]byte) bool {
	e := env.Scripts
	if e == nil || len(args) < 2 {
		return true
	}
	var flags script.Flags
	switch spec.Name {
	case "eval":
		f, ok := e.Peek(args[1])
		if !ok {
			return true
		}
		flags = f
	case "evalsha":
		sc := e.Lookup(args[1])
		if sc == nil {
			return true
		}
		flags = sc.Flags
	case "fcall":
		f := e.Function(args[1])
		if f == nil {
			return true
		}
		flags = f.Flags
	default:
		return true
	}
	return flags&script.FlagEvalCompat != 0 || flags&script.FlagNoWrites == 0
}
