package script

import (
	"strings"
	"time"

	"github.com/ember-kv/ember/resp"
	lua "github.com/yuin/gopher-lua"
)

// Eval runs a cached script (EVAL, EVALSHA) and writes its reply to w.
// KEYS and ARGV are set as globals, as Redis does.
func (e *Engine) Eval(sc *Script, r *Run, w *resp.Writer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.eval
	if sc.fn == nil || sc.fn.Env != s.env {
		sc.fn = s.L.NewFunctionFromProto(sc.proto)
		sc.fn.Env = s.env
	}
	L := s.L
	s.real.RawSetString("KEYS", stringsTable(L, r.Keys))
	s.real.RawSetString("ARGV", stringsTable(L, r.Args))
	L.Push(sc.fn)
	e.run(s, r, w, 0)
}

// stringsTable makes a Lua array of strings.
func stringsTable(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for i, b := range items {
		t.RawSetInt(i+1, lua.LString(b))
	}
	return t
}

// run calls the function on top of s's stack (with nargs arguments above
// it) as run r, and writes the reply or the error.
func (e *Engine) run(s *state, r *Run, w *resp.Writer, nargs int) {
	L := s.L
	r.start = time.Now()
	if r.Proto == 0 {
		r.Proto = 2
	}
	s.run = r
	s.errSource, s.errLine = "", 0
	e.cur.Store(r)
	L.SetContext(e.kill)
	err := L.PCall(nargs, 1, s.errh)
	L.RemoveContext()
	e.cur.Store(nil)
	s.run = nil
	killed := r.killed.Load()
	if killed || e.kill.fired() {
		e.kill = newKillCtx()
	}
	if err == nil {
		v := L.Get(-1)
		L.SetTop(0)
		r.Counted = counted(v)
		writeReply(w, v, r.Proto, 0)
		return
	}
	L.SetTop(0)
	var msg string
	if killed {
		msg = errKilled
	} else {
		msg = errorMessage(err)
		if aerr, ok := err.(*lua.ApiError); ok {
			r.Counted = counted(aerr.Object)
		}
	}
	if s.errSource != "" {
		msg += " script: " + r.Name + ", on " + s.errSource + ":" + itoa(s.errLine) + "."
	}
	w.Error(msg)
}

// errorMessage is the text of a script's uncaught error: an error table's
// err field, or "ERR " and the value as a string.
func errorMessage(err error) string {
	aerr, ok := err.(*lua.ApiError)
	if !ok {
		return "ERR " + err.Error()
	}
	switch v := aerr.Object.(type) {
	case *lua.LTable:
		if m, ok := v.RawGetString("err").(lua.LString); ok {
			return strings.TrimRight(string(m), "\r\n")
		}
		// Redis 7.0 crashes on an error table without err; say something.
		return "ERR unknown error"
	case lua.LNumber:
		return "ERR " + formatNumber(float64(v))
	case lua.LString:
		return "ERR " + string(v)
	case nil:
		return "ERR nil"
	default:
		return "ERR " + v.String()
	}
}

// known reports whether args name an existing command (acl_check_cmd).
func (e *Engine) known(args [][]byte) bool {
	if e.Known == nil {
		return true
	}
	return e.Known(args)
}
