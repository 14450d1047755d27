package script

import (
	"reflect"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Runtime error messages in Lua 5.1's words.
//
// gopher-lua words its runtime errors its own way ("attempt to call a
// non-function object", "cannot perform add operation between nil and
// number", "bad argument #1 to rep (...)"); scripts and clients see Lua
// 5.1's ("attempt to call field 'x' (a nil value)", "attempt to perform
// arithmetic on local 'n' (a nil value)", "bad argument #1 to 'rep'
// (...)"). luaMessage runs in the error handlers, before the stack
// unwinds: the failing instruction and its registers are still there, so
// the value's type and, like Lua's getobjname, where the value came from
// (a local, a global, a field, an upvalue, a method) can be told.

// luaMessage rewrites the error value v of an error being raised, or
// returns it unchanged.
func luaMessage(L *lua.LState, v lua.LValue) lua.LValue {
	s, ok := v.(lua.LString)
	if !ok {
		return v
	}
	msg := string(s)
	if !strings.Contains(msg, "attempt to ") && !strings.Contains(msg, "cannot perform ") &&
		!strings.Contains(msg, " undefined") && !strings.Contains(msg, "bad argument #") &&
		!strings.Contains(msg, "in table for concat") {
		return v
	}
	dbg, ok := L.GetStack(1)
	if !ok {
		return v
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
		return v
	}
	if dbg.What == "G" {
		if out, ok := badArgument(L, dbg, msg); ok {
			return lua.LString(out)
		}
		return v
	}
	if out, ok := vmError(L, dbg, msg); ok {
		return lua.LString(out)
	}
	return v
}

// cut splits msg around the first occurrence of pattern.
func cut(msg, pattern string) (prefix, rest string, ok bool) {
	i := strings.Index(msg, pattern)
	if i < 0 {
		return "", "", false
	}
	return msg[:i], msg[i+len(pattern):], true
}

// badArgument quotes the function's name ("bad argument #1 to 'rep'") and
// says "no value" for a missing argument, as Lua 5.1's luaL_argerror and
// luaL_typerror do.
func badArgument(L *lua.LState, dbg *lua.Debug, msg string) (string, bool) {
	if prefix, _, ok := cut(msg, "in table for concat"); ok {
		return prefix + "in table for 'concat'", true
	}
	prefix, rest, ok := cut(msg, "bad argument #")
	if !ok {
		return "", false
	}
	sp := strings.IndexByte(rest, ' ')
	if sp < 0 {
		return "", false
	}
	n, err := strconv.Atoi(rest[:sp])
	if err != nil || !strings.HasPrefix(rest[sp:], " to ") {
		return "", false
	}
	rest = rest[sp+4:]
	par := strings.Index(rest, " (")
	if par < 0 || strings.HasPrefix(rest, "'") {
		return "", false
	}
	name, detail := rest[:par], rest[par+2:]
	if strings.HasSuffix(detail, ", got nil)") {
		if nargs, ok := frameInt(dbg, "NArgs"); ok && n > nargs {
			detail = strings.TrimSuffix(detail, "nil)") + "no value)"
		}
	}
	if name == "select" {
		detail = strings.Replace(detail, "number or string expected", "number expected", 1)
	}
	// Who called: a Go function (pcall) gives no position and no name; a
	// method call (s:rep()) does not count self, as luaL_argerror.
	if caller, ok := L.GetStack(2); ok {
		if _, err := L.GetInfo("S", caller, lua.LNil); err == nil {
			if caller.What == "G" {
				prefix, name = "", "?"
			} else if fr, ok := frameOf(L, caller); ok {
				if op, a, _, _ := fr.inst(); op == lua.OP_CALL || op == lua.OP_TAILCALL {
					if kind, _ := fr.objName(fr.pc, a, 0); kind == "method" {
						n--
						if n == 0 {
							return prefix + "calling '" + name + "' on bad self (" + detail, true
						}
					}
				}
			}
		}
	}
	return prefix + "bad argument #" + strconv.Itoa(n) + " to '" + name + "' (" + detail, true
}

// vmError rewrites an error the VM raised in the Lua function dbg.
func vmError(L *lua.LState, dbg *lua.Debug, msg string) (string, bool) {
	if prefix, rest, ok := cut(msg, "attempt to compare "); ok {
		// "attempt to compare T1 with T2": same words in Lua 5.1, but
		// "two T values" when the types are the same.
		if a, b, ok := strings.Cut(rest, " with "); ok && a == b {
			return prefix + "attempt to compare two " + a + " values", true
		}
		return "", false
	}
	fr, ok := frameOf(L, dbg)
	if !ok {
		return "", false
	}
	op, a, b, c := fr.inst()
	switch {
	case strings.Contains(msg, "attempt to call a non-function object"):
		prefix, _, _ := cut(msg, "attempt to call a non-function object")
		switch op {
		case lua.OP_CALL, lua.OP_TAILCALL:
			return prefix + fr.typeError(a, "call"), true
		case lua.OP_TFORLOOP:
			return prefix + "attempt to call a " + fr.reg(a).Type().String() + " value", true
		}
		return "", false

	case strings.Contains(msg, "attempt to index a non-table object("):
		prefix, _, _ := cut(msg, "attempt to index a non-table object(")
		switch op {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			return prefix + fr.typeError(b, "index"), true
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			return prefix + fr.typeError(a, "index"), true
		}
		// Elsewhere (a metamethod chain): the type is in the message.
		t, _, _ := strings.Cut(msg[len(prefix)+len("attempt to index a non-table object("):], ")")
		return prefix + "attempt to index a " + t + " value", true

	case strings.Contains(msg, "__unm undefined"):
		prefix, _, _ := cut(msg, "__unm undefined")
		if op != lua.OP_UNM {
			return "", false
		}
		return prefix + fr.typeError(b, "perform arithmetic on"), true

	case strings.Contains(msg, "__len undefined"):
		prefix, _, _ := cut(msg, "__len undefined")
		if op != lua.OP_LEN {
			return "", false
		}
		return prefix + fr.typeError(b, "get length of"), true

	case strings.Contains(msg, "cannot perform concat operation between "):
		prefix, _, _ := cut(msg, "cannot perform concat operation between ")
		if op != lua.OP_CONCAT {
			return "", false
		}
		return prefix + fr.typeError(concatBlame(fr, b, c), "concatenate"), true

	case strings.Contains(msg, "cannot perform "):
		prefix, rest, _ := cut(msg, "cannot perform ")
		switch op {
		case lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW:
			// Lua blames the first operand unless it converts to a number.
			if _, ok := toNumber(fr.rk(b)); !ok {
				return prefix + fr.rkTypeError(b, "perform arithmetic on"), true
			}
			return prefix + fr.rkTypeError(c, "perform arithmetic on"), true
		case lua.OP_UNM:
			return prefix + fr.typeError(b, "perform arithmetic on"), true
		}
		// "cannot perform add operation between T1 and T2"
		if _, types, ok := strings.Cut(rest, " operation between "); ok {
			t1, t2, _ := strings.Cut(types, " and ")
			if t1 == "number" {
				t1 = t2
			}
			return prefix + "attempt to perform arithmetic on a " + t1 + " value", true
		}
	}
	return "", false
}

// concatBlame is the register Lua 5.1's luaV_concat blames for a failed
// R(b) .. ... .. R(c): it concatenates from the right, so the culprit is
// the rightmost value that is neither a string nor a number, except that
// of the last two it names the first when both are bad.
func concatBlame(fr *luaFrame, b, c int) int {
	bad := func(r int) bool {
		switch fr.reg(r).(type) {
		case lua.LString, lua.LNumber:
			return false
		}
		return true
	}
	if c-1 >= b && bad(c-1) {
		return c - 1
	}
	if bad(c) {
		return c
	}
	for r := c - 2; r >= b; r-- {
		if bad(r) {
			return r
		}
	}
	return c
}

// luaFrame is a Lua function's activation at the instruction that failed.
type luaFrame struct {
	L   *lua.LState
	dbg *lua.Debug
	fn  *lua.LFunction
	pc  int // the failing instruction
}

// frameOf returns dbg's function and the failing instruction's index.
func frameOf(L *lua.LState, dbg *lua.Debug) (*luaFrame, bool) {
	pc, ok := frameInt(dbg, "Pc")
	if !ok || pc < 1 {
		return nil, false
	}
	v, err := L.GetInfo("f", dbg, lua.LNil)
	if err != nil {
		return nil, false
	}
	fn, ok := v.(*lua.LFunction)
	if !ok || fn.IsG || fn.Proto == nil || pc-1 >= len(fn.Proto.Code) {
		return nil, false
	}
	return &luaFrame{L: L, dbg: dbg, fn: fn, pc: pc - 1}, true
}

// frameInt reads an int field of the call frame behind dbg. gopher-lua
// keeps the frame unexported; reflection reads it without unsafe, and a
// gopher-lua without the field just keeps its own wording.
func frameInt(dbg *lua.Debug, field string) (int, bool) {
	v := reflect.ValueOf(dbg).Elem().FieldByName("frame")
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return 0, false
	}
	f := v.Elem().FieldByName(field)
	if !f.IsValid() || f.Kind() != reflect.Int {
		return 0, false
	}
	return int(f.Int()), true
}

// gopher-lua's instruction layout (Lua 5.1's fields, its own order).
func instOp(i uint32) int { return int(i >> 26) }
func instA(i uint32) int  { return int(i>>18) & 0xff }
func instB(i uint32) int  { return int(i & 0x1ff) }
func instC(i uint32) int  { return int(i>>9) & 0x1ff }
func instBx(i uint32) int { return int(i & 0x3ffff) }
func instSBx(i uint32) int {
	return instBx(i) - (1<<18-1)>>1
}

const rkBit = 1 << 8

func (fr *luaFrame) inst() (op, a, b, c int) {
	i := fr.fn.Proto.Code[fr.pc]
	return instOp(i), instA(i), instB(i), instC(i)
}

// reg is the value in register r.
func (fr *luaFrame) reg(r int) lua.LValue {
	_, v := fr.L.GetLocal(fr.dbg, r+1)
	return v
}

// rk is the value of an RK operand: a constant or a register.
func (fr *luaFrame) rk(x int) lua.LValue {
	if x&rkBit != 0 {
		k := x &^ rkBit
		if k < len(fr.fn.Proto.Constants) {
			return fr.fn.Proto.Constants[k]
		}
		return lua.LNil
	}
	return fr.reg(x)
}

// rkTypeError is typeError for an RK operand (a constant has no name).
func (fr *luaFrame) rkTypeError(x int, what string) string {
	if x&rkBit != 0 {
		return "attempt to " + what + " a " + fr.rk(x).Type().String() + " value"
	}
	return fr.typeError(x, what)
}

// typeError is Lua 5.1's luaG_typeerror for the value in register r.
func (fr *luaFrame) typeError(r int, what string) string {
	t := fr.reg(r).Type().String()
	if kind, name := fr.objName(fr.pc, r, 0); kind != "" {
		return "attempt to " + what + " " + kind + " '" + name + "' (a " + t + " value)"
	}
	return "attempt to " + what + " a " + t + " value"
}

// objName is Lua 5.1's getobjname: what register r holds at instruction
// pc, as a kind ("local", "global", "field", "upvalue", "method") and a
// name, or "" when it cannot be told.
func (fr *luaFrame) objName(pc, r, depth int) (kind, name string) {
	if n, ok := localName(fr.fn.Proto, r+1, pc); ok {
		return "local", n
	}
	if depth > 8 {
		return "", ""
	}
	p := fr.fn.Proto
	last, ok := lastSetter(p, pc, r)
	if !ok {
		return "", ""
	}
	i := p.Code[last]
	switch instOp(i) {
	case lua.OP_GETGLOBAL:
		if k := instBx(i); k < len(p.Constants) {
			if s, ok := p.Constants[k].(lua.LString); ok {
				return "global", string(s)
			}
		}
	case lua.OP_MOVE:
		if a, b := instA(i), instB(i); b < a {
			return fr.objName(pc, b, depth+1)
		}
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
		return "field", fr.constName(instC(i))
	case lua.OP_GETUPVAL:
		if u := instB(i); u < len(p.DbgUpvalues) {
			return "upvalue", p.DbgUpvalues[u]
		}
		return "upvalue", "?"
	case lua.OP_SELF:
		return "method", fr.constName(instC(i))
	}
	return "", ""
}

// localName is Lua 5.1's luaF_getlocalname: the name of the n-th local
// variable active at instruction pc.
func localName(p *lua.FunctionProto, n, pc int) (string, bool) {
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc < l.EndPc {
			n--
			if n == 0 {
				return l.Name, true
			}
		}
	}
	return "", false
}

// constName is Lua's kname: a string constant's text, else "?".
func (fr *luaFrame) constName(x int) string {
	if x&rkBit != 0 {
		if k := x &^ rkBit; k < len(fr.fn.Proto.Constants) {
			if s, ok := fr.fn.Proto.Constants[k].(lua.LString); ok {
				return string(s)
			}
		}
	}
	return "?"
}

// lastSetter is Lua 5.1's symbexec: the last instruction before lastpc
// that set register reg, following forward jumps that do not pass lastpc.
func lastSetter(p *lua.FunctionProto, lastpc, reg int) (int, bool) {
	last := -1
	code := p.Code
	for pc := 0; pc < lastpc && pc < len(code); pc++ {
		i := code[pc]
		op, a, b := instOp(i), instA(i), instB(i)
		switch op {
		case lua.OP_MOVE, lua.OP_MOVEN, lua.OP_LOADK, lua.OP_LOADBOOL, lua.OP_GETUPVAL,
			lua.OP_GETGLOBAL, lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_NEWTABLE,
			lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW,
			lua.OP_UNM, lua.OP_NOT, lua.OP_LEN, lua.OP_CONCAT, lua.OP_TESTSET,
			lua.OP_FORLOOP, lua.OP_FORPREP, lua.OP_VARARG:
			if a == reg {
				last = pc
			}
		case lua.OP_SELF:
			if a == reg || a+1 == reg {
				last = pc
			}
		case lua.OP_LOADNIL:
			if a <= reg && reg <= b {
				last = pc
			}
		case lua.OP_TFORLOOP:
			if reg >= a+2 {
				last = pc
			}
		case lua.OP_CALL, lua.OP_TAILCALL:
			if reg >= a {
				last = pc
			}
		case lua.OP_CLOSURE:
			if a == reg {
				last = pc
			}
			// Skip the pseudo-instructions that bind its upvalues.
			if bx := instBx(i); bx < len(p.FunctionPrototypes) {
				pc += int(p.FunctionPrototypes[bx].NumUpvalues)
			}
		}
		switch op {
		case lua.OP_JMP, lua.OP_FORLOOP, lua.OP_FORPREP:
			if dest := pc + 1 + instSBx(i); pc < dest && dest <= lastpc {
				pc += instSBx(i)
			}
		}
	}
	return last, last >= 0
}

// luaSetMetatable is setmetatable refusing the protected tables with
// Redis's error.
func (s *state) luaSetMetatable(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		argError(L, 1, "setmetatable", "table expected, got "+typeName(L.Get(1)))
	}
	switch L.Get(2).(type) {
	case *lua.LTable, *lua.LNilType:
	default:
		argError(L, 2, "setmetatable", "nil or table expected")
	}
	if s.protected[t] {
		L.Error(lua.LString("Attempt to modify a readonly table"), 0)
	}
	return s.setmetatable(L)
}

// luaMathMinMax is math.min or math.max with Lua 5.1's argument checks.
func luaMathMinMax(name string, max bool) lua.LGFunction {
	return func(L *lua.LState) int {
		n := L.GetTop()
		best, ok := toNumberArg(L, 1)
		if !ok {
			argError(L, 1, name, "number expected, got "+typeNameArg(L, 1))
		}
		for i := 2; i <= n; i++ {
			v, ok := toNumberArg(L, i)
			if !ok {
				argError(L, i, name, "number expected, got "+typeNameArg(L, i))
			}
			if (max && v > best) || (!max && v < best) {
				best = v
			}
		}
		L.Push(lua.LNumber(best))
		return 1
	}
}

func toNumberArg(L *lua.LState, i int) (float64, bool) {
	if i > L.GetTop() {
		return 0, false
	}
	return toNumber(L.Get(i))
}

func typeNameArg(L *lua.LState, i int) string {
	if i > L.GetTop() {
		return "no value"
	}
	return L.Get(i).Type().String()
}

// luaStringDump is string.dump: Redis's Lua dumps bytecode that its
// loadstring then refuses, so the text only needs the binary signature.
func luaStringDump(L *lua.LState) int {
	if _, ok := L.Get(1).(*lua.LFunction); !ok {
		argError(L, 1, "dump", "function expected, got "+typeName(L.Get(1)))
	}
	L.Push(lua.LString("\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00"))
	return 1
}

// luaLoadString is loadstring: source text only (a binary chunk is a
// syntax error, as in Redis), compiled into the scripts' sandbox, with
// Lua 5.1's chunk names and error messages.
func (s *state) luaLoadString(L *lua.LState) int {
	src, ok := L.Get(1).(lua.LString)
	if !ok {
		if n, isNum := L.Get(1).(lua.LNumber); isNum {
			src = lua.LString(formatNumber(float64(n)))
		} else {
			argError(L, 1, "loadstring", "string expected, got "+typeName(L.Get(1)))
		}
	}
	name := string(src)
	if v, ok := L.Get(2).(lua.LString); ok {
		name = string(v)
	}
	id := chunkID(name)
	if strings.HasPrefix(string(src), "\x1b") {
		L.Push(lua.LNil)
		L.Push(lua.LString(id + ":1: unexpected symbol near 'char(27)'"))
		return 2
	}
	proto, msg := compile(string(src), id)
	if msg != "" {
		L.Push(lua.LNil)
		L.Push(lua.LString(msg))
		return 2
	}
	fn := L.NewFunctionFromProto(proto)
	fn.Env = s.env
	L.Push(fn)
	return 1
}

// chunkID is Lua 5.1's luaO_chunkid: how a chunk's name shows in
// messages.
func chunkID(source string) string {
	const idSize = 60
	if i := strings.IndexByte(source, 0); i >= 0 {
		source = source[:i]
	}
	switch {
	case strings.HasPrefix(source, "="):
		if len(source) > idSize {
			return source[1:idSize]
		}
		return source[1:]
	case strings.HasPrefix(source, "@"):
		source = source[1:]
		max := idSize - len(" '...' ") - 1
		if len(source) > max {
			return "..." + source[len(source)-max:]
		}
		return source
	}
	n := strings.IndexAny(source, "\r\n")
	truncated := n >= 0
	if n < 0 {
		n = len(source)
	}
	if max := idSize - len(" [string \"...\"] ") - 1; n > max {
		n, truncated = max, true
	}
	if truncated {
		return "[string \"" + source[:n] + "...\"]"
	}
	return "[string \"" + source + "\"]"
}

// chunkSource is the source Redis names in an error reply's "on
// <source>:<line>": "@user_script", or the text of a loadstring chunk.
func chunkSource(id string) string {
	if strings.HasPrefix(id, "[string \"") && strings.HasSuffix(id, "\"]") && !strings.HasSuffix(id, "...\"]") {
		return id[len("[string \"") : len(id)-2]
	}
	return "@" + id
}
