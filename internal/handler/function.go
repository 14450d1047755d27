package handler

import (
	"bytes"
	"time"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
	"github.com/ember-kv/ember/internal/script"
	"github.com/ember-kv/ember/resp"
)

// FUNCTION and FCALL: libraries of Lua functions (internal/script keeps
// them; FCALL runs like EVAL, with every shard held).

func init() {
	register(map[string]Func{
		"fcall":            func(c *Ctx) { fcallGeneric(c, false) },
		"fcall_ro":         func(c *Ctx) { fcallGeneric(c, true) },
		"function|load":    functionLoad,
		"function|delete":  functionDelete,
		"function|flush":   functionFlush,
		"function|list":    functionList,
		"function|dump":    functionDump,
		"function|restore": functionRestore,
		"function|stats":   functionStats,
		"function|kill":    functionKill,
		"function|help":    functionHelp,
	})
}

// FCALL function numkeys [key [key ...]] [arg [arg ...]]
// FCALL_RO function numkeys [key [key ...]] [arg [arg ...]]
func fcallGeneric(c *Ctx, ro bool) {
	e := c.Env.Scripts
	f := e.Function(c.Args[1])
	if f == nil {
		c.Error(errs.FunctionNotFound)
		return
	}
	if f.Flags.DenyOOM() && e.OverMemory() {
		c.Error(errs.OOM)
		return
	}
	numkeys, ok := scriptNumKeys(c, errs.BadNumKeys)
	if !ok {
		return
	}
	if f.Flags&script.FlagNoWrites == 0 && ro {
		c.Error(errs.ScriptWriteInRO)
		return
	}
	run := &script.Run{
		Name:     f.Name,
		ReadOnly: ro || f.Flags&script.FlagNoWrites != 0,
		Keys:     c.Args[3 : 3+numkeys],
		Args:     c.Args[3+numkeys:],
		Command:  c.Args,
		OOM:      e.RunOOM(f.Flags),
	}
	c.Env.ScriptRun(c, run, func(w *resp.Writer) { e.Call(f, run, w) })
}

// FUNCTION LOAD [REPLACE] function-code
func functionLoad(c *Ctx) {
	replace := false
	i := 2
	for ; i < len(c.Args)-1; i++ {
		if !bytes.EqualFold(c.Args[i], []byte("replace")) {
			c.Error(errs.FunctionLoadOption(c.Args[i]))
			return
		}
		replace = true
	}
	if i >= len(c.Args) {
		c.Error(errs.FunctionCodeMissing)
		return
	}
	name, msg := c.Env.Scripts.LoadLibrary(string(c.Args[i]), replace)
	if msg != "" {
		c.Error(msg)
		return
	}
	c.Out.BulkString(name)
}

// FUNCTION DELETE library-name
func functionDelete(c *Ctx) {
	if !c.Env.Scripts.DeleteLibrary(string(c.Args[2])) {
		c.Error(errs.LibraryNotFound)
		return
	}
	c.OK()
}

// FUNCTION FLUSH [ASYNC | SYNC]
func functionFlush(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(errs.SubcommandSyntax(c.Args[1], "FUNCTION"))
		return
	}
	if !scriptFlushMode(c) {
		c.Error(errs.FunctionFlushOption)
		return
	}
	c.Env.Scripts.FlushFunctions()
	c.OK()
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
func functionList(c *Ctx) {
	withCode := false
	var pattern []byte
	havePattern := false
	for i := 2; i < len(c.Args); i++ {
		a := c.Args[i]
		if !withCode && bytes.EqualFold(a, []byte("withcode")) {
			withCode = true
			continue
		}
		if !havePattern && bytes.EqualFold(a, []byte("libraryname")) {
			if i >= len(c.Args)-1 {
				c.Error(errs.LibraryNameMissing)
				return
			}
			i++
			pattern, havePattern = c.Args[i], true
			continue
		}
		c.Error(errs.FunctionListArg(a))
		return
	}
	var libs []*script.Library
	for _, l := range c.Env.Scripts.Libraries() {
		if havePattern && !glob.MatchNoCase(pattern, []byte(l.Name)) {
			continue
		}
		libs = append(libs, l)
	}
	w := c.Out
	w.Array(len(libs))
	for _, l := range libs {
		if withCode {
			w.Map(4)
		} else {
			w.Map(3)
		}
		w.BulkString("library_name")
		w.BulkString(l.Name)
		w.BulkString("engine")
		w.BulkString(l.Engine)
		w.BulkString("functions")
		fns := l.SortedFunctions()
		w.Array(len(fns))
		for _, f := range fns {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(f.Name)
			w.BulkString("description")
			if f.HasDesc {
				w.BulkString(f.Desc)
			} else {
				w.Null()
			}
			w.BulkString("flags")
			names := f.Flags.Names()
			w.Set(len(names))
			for _, n := range names {
				w.Simple(n)
			}
		}
		if withCode {
			w.BulkString("library_code")
			w.BulkString(l.Code)
		}
	}
}

// FUNCTION DUMP
func functionDump(c *Ctx) {
	c.Out.Bulk(c.Env.Scripts.DumpWith(c.Env.Config.Bool("rdbcompression")))
}

// FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]
func functionRestore(c *Ctx) {
	if len(c.Args) > 4 {
		c.Error(errs.SubcommandSyntax(c.Args[1], "FUNCTION"))
		return
	}
	policy := script.RestoreAppend
	if len(c.Args) == 4 {
		switch {
		case bytes.EqualFold(c.Args[3], []byte("append")):
		case bytes.EqualFold(c.Args[3], []byte("replace")):
			policy = script.RestoreReplace
		case bytes.EqualFold(c.Args[3], []byte("flush")):
			policy = script.RestoreFlush
		default:
			c.Error(errs.RestorePolicy)
			return
		}
	}
	if msg := c.Env.Scripts.Restore(c.Args[2], policy); msg != "" {
		c.Error(msg)
		return
	}
	c.OK()
}

// FUNCTION STATS
func functionStats(c *Ctx) {
	e := c.Env.Scripts
	r := e.Running()
	if r != nil && r.Eval {
		c.Error(script.ErrBusyScript)
		return
	}
	w := c.Out
	w.Map(2)
	w.BulkString("running_script")
	if r == nil {
		w.Null()
	} else {
		w.Map(3)
		w.BulkString("name")
		w.BulkString(r.Name)
		w.BulkString("command")
		w.Array(len(r.Command))
		for _, a := range r.Command {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int(int64(time.Since(r.Start()) / time.Millisecond))
	}
	libs, funcs := e.FunctionCounts()
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(libs))
	w.BulkString("functions_count")
	w.Int(int64(funcs))
}

// FUNCTION KILL
func functionKill(c *Ctx) {
	if msg := c.Env.Scripts.Kill(false); msg != "" {
		c.Error(msg)
		return
	}
	c.OK()
}

// FUNCTION HELP
func functionHelp(c *Ctx) {
	writeSubcommandHelp(c, "FUNCTION", []string{
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Load a library (its first line: #!lua name=<library>); REPLACE overwrites one of the same name.",
		"DELETE <LIBRARY NAME>",
		"    Remove a library and its functions.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Describe the libraries (matching the pattern), their functions and, with WITHCODE, their code.",
		"STATS",
		"    The running function, if any (name, command, duration), and the engines' library and function counts.",
		"KILL",
		"    Stop the running function, if it has not written yet.",
		"FLUSH [ASYNC|SYNC]",
		"    Remove every library.",
		"DUMP",
		"    A payload of every library, for FUNCTION RESTORE.",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Load the libraries of a payload: FLUSH drops the current ones first, APPEND (the default) fails",
		"    on a name collision, REPLACE replaces same-named libraries.",
	})
}
