package script

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// state is one Lua interpreter with Redis's sandbox.
//
// Redis 7.0 patches Lua with read-only tables; gopher-lua has none, so the
// sandbox is built of proxies: every protected table (the globals and each
// library table) is seen by scripts through an empty table whose
// metatable reads from the real one (__index) and refuses writes
// (__newindex), and whose metatable is itself locked (__metatable).
// Reading a missing global raises Redis's "nonexistent global variable"
// error from the real globals' own metatable.
type state struct {
	e    *Engine
	L    *lua.LState
	eval bool
	// real is the real globals table; env is its proxy, the environment
	// of every script and function.
	real, env *lua.LTable
	envMeta   *lua.LTable // env's metatable (its __index switches for FUNCTION LOAD)
	libAPI    *lua.LTable // globals while a library loads (redis.register_function)
	protected map[*lua.LTable]bool
	errh      *lua.LFunction
	run       *Run
	load      *loadCtx // FUNCTION LOAD in progress

	// Error position captured by the error handler.
	errSource string
	errLine   int

	setmetatable lua.LGFunction // the base library's
	pcallh       *lua.LFunction // pcall's error handler

	argBuf []byte
	offs   []int
	args   [][]byte
}

func newState(e *Engine, eval bool) *state {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 1024, RegistrySize: 1024 * 20, RegistryMaxSize: 1024 * 1024})
	s := &state{e: e, L: L, eval: eval, protected: map[*lua.LTable]bool{}}
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	real := L.G.Global
	s.real = real
	for _, name := range []string{"dofile", "loadfile", "print", "module", "require", "_printregs",
		"_GOPHER_LUA_VERSION", "newproxy", "package", "channel"} {
		real.RawSetString(name, lua.LNil)
	}
	real.RawSetString("gcinfo", L.NewFunction(luaGCInfo))
	real.RawSetString("error", L.NewFunction(luaErrorFn))
	real.RawSetString("pcall", L.NewFunction(s.luaPcall))
	real.RawSetString("tostring", L.NewFunction(luaToString))
	real.RawSetString("rawset", L.NewFunction(s.luaRawSet))
	s.setmetatable = real.RawGetString("setmetatable").(*lua.LFunction).GFunction
	real.RawSetString("setmetatable", L.NewFunction(s.luaSetMetatable))
	real.RawSetString("loadstring", L.NewFunction(s.luaLoadString))
	real.RawGetString("string").(*lua.LTable).RawSetString("dump", L.NewFunction(luaStringDump))
	real.RawSetString("cjson", openCjson(L))
	real.RawSetString("cmsgpack", openCmsgpack(L))
	real.RawSetString("bit", openBit(L))
	real.RawSetString("struct", openStruct(L))
	math := real.RawGetString("math").(*lua.LTable)
	math.RawSetString("random", L.NewFunction(s.luaRandom))
	math.RawSetString("randomseed", L.NewFunction(s.luaRandomSeed))
	math.RawSetString("max", L.NewFunction(luaMathMinMax("max", true)))
	math.RawSetString("min", L.NewFunction(luaMathMinMax("min", false)))
	real.RawSetString("redis", s.redisTable(eval))
	s.errh = L.NewFunction(s.errorHandler)
	s.pcallh = L.NewFunction(luaPcallHandler)

	// Reading a missing global is an error.
	real.Metatable = s.errorMeta()
	// Protect the library tables (one level down, as deep as they go).
	for _, name := range []string{"string", "math", "table", "coroutine", "redis", "cjson", "cmsgpack", "bit", "struct"} {
		if t, ok := real.RawGetString(name).(*lua.LTable); ok {
			real.RawSetString(name, s.proxy(t, nil))
		}
	}
	s.envMeta = L.NewTable()
	s.env = s.proxy(real, s.envMeta)
	real.RawSetString("_G", s.env)
	if !eval {
		s.libAPI = s.loadAPI()
	}
	return s
}

// proxy returns a read-only view of t. meta, when given, becomes the
// proxy's metatable (so its __index can be switched later).
func (s *state) proxy(t *lua.LTable, meta *lua.LTable) *lua.LTable {
	L := s.L
	p := L.NewTable()
	if meta == nil {
		meta = L.NewTable()
	}
	meta.RawSetString("__index", t)
	meta.RawSetString("__newindex", L.NewFunction(luaReadonly))
	lock := L.NewTable()
	lock.Metatable = s.lockedMeta()
	meta.RawSetString("__metatable", lock)
	p.Metatable = meta
	s.protected[p] = true
	s.protected[t] = true
	s.protected[meta] = true
	return p
}

// lockedMeta is the metatable of a table that refuses writes.
func (s *state) lockedMeta() *lua.LTable {
	m := s.L.NewTable()
	m.RawSetString("__newindex", s.L.NewFunction(luaReadonly))
	return m
}

// errorMeta is the metatable that makes reading a missing field an error.
func (s *state) errorMeta() *lua.LTable {
	m := s.L.NewTable()
	m.RawSetString("__index", s.L.NewFunction(luaMissingGlobal))
	return m
}

// loadAPI is what a library sees as globals while FUNCTION LOAD runs it:
// only redis.register_function, redis.log and the version fields.
func (s *state) loadAPI() *lua.LTable {
	L := s.L
	r := L.NewTable()
	r.RawSetString("register_function", L.NewFunction(s.luaRegisterFunction))
	s.addLog(r)
	addVersion(r)
	r.Metatable = s.errorMeta()
	g := L.NewTable()
	g.RawSetString("redis", s.proxy(r, nil))
	g.Metatable = s.errorMeta()
	return g
}

func luaReadonly(L *lua.LState) int {
	L.RaiseError("Attempt to modify a readonly table")
	return 0
}

func luaMissingGlobal(L *lua.LState) int {
	L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(L.Get(2)))
	return 0
}

// luaRawSet is rawset refusing the protected tables.
func (s *state) luaRawSet(L *lua.LState) int {
	t := L.CheckTable(1)
	if s.protected[t] {
		L.Error(lua.LString("Attempt to modify a readonly table"), 0)
	}
	L.RawSet(t, L.CheckAny(2), L.CheckAny(3))
	return 0
}

// luaErrorFn is Lua 5.1's error: a string or number message gets the
// position of the caller.
func luaErrorFn(L *lua.LState) int {
	obj := L.CheckAny(1)
	level := L.OptInt(2, 1)
	var msg string
	switch v := obj.(type) {
	case lua.LNumber:
		msg = formatNumber(float64(v))
	case lua.LString:
		msg = string(v)
	default:
		L.Error(obj, 0)
	}
	// The position of the function level levels up, when it is Lua code.
	if level > 0 {
		if dbg, ok := L.GetStack(level); ok {
			if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.What != "G" && dbg.CurrentLine > 0 {
				msg = dbg.Source + ":" + itoa(dbg.CurrentLine) + ": " + msg
			}
		}
	}
	L.Error(lua.LString(msg), 0)
	return 0
}

// argError raises Lua 5.1's "bad argument #n to 'name' (msg)".
func argError(L *lua.LState, n int, name, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, name, msg)
}

// checkInt is luaL_checkint with Lua 5.1's message.
func checkInt(L *lua.LState, n int, name string) int {
	v := L.Get(n)
	f, ok := toNumber(v)
	if !ok {
		argError(L, n, name, "number expected, got "+typeName(v))
	}
	return int(f)
}

// luaToString formats numbers as Lua 5.1 does ("%.14g").
func luaToString(L *lua.LState) int {
	v := L.CheckAny(1)
	if n, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(formatNumber(float64(n))))
		return 1
	}
	L.Push(L.ToStringMeta(v))
	return 1
}

func luaGCInfo(L *lua.LState) int {
	L.Push(lua.LNumber(64))
	return 1
}

// formatNumber is Lua 5.1's number to string conversion ("%.14g").
func formatNumber(f float64) string {
	return cFormatG(f, 14)
}

// cFormatG formats f as C's printf("%.<prec>g").
func cFormatG(f float64, prec int) string {
	switch {
	case f != f:
		if signbit(f) {
			return "-nan"
		}
		return "nan"
	case f > maxFloat:
		return "inf"
	case f < -maxFloat:
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// luaPcall is Redis's pcall: an error table with an err field comes back
// as its message string (Redis 7 errors are tables; scripts expect
// strings).
func (s *state) luaPcall(L *lua.LState) int {
	L.CheckAny(1)
	nargs := L.GetTop() - 1
	if err := L.PCall(nargs, lua.MultRet, s.pcallh); err != nil {
		L.Push(lua.LFalse)
		obj := lua.LValue(lua.LString(err.Error()))
		if aerr, ok := err.(*lua.ApiError); ok {
			obj = aerr.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if m, ok := t.RawGetString("err").(lua.LString); ok {
				obj = m
			}
		}
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// luaPcallHandler is pcall's error handler: it puts runtime errors in Lua
// 5.1's words before the stack unwinds.
func luaPcallHandler(L *lua.LState) int {
	L.Push(luaMessage(L, L.Get(1)))
	return 1
}

// errorHandler runs where an error was raised, before the stack unwinds:
// it puts runtime errors in Lua 5.1's words and records the position of
// the Lua code that raised it (skipping a Go function such as redis.call
// or error) for the error reply.
func (s *state) errorHandler(L *lua.LState) int {
	msg := luaMessage(L, L.Get(1))
	s.errSource, s.errLine = "", 0
	for level := 1; level <= 2; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.What == "G" {
			continue
		}
		s.errSource, s.errLine = chunkSource(dbg.Source), dbg.CurrentLine
		break
	}
	L.Push(msg)
	return 1
}

const maxFloat = math.MaxFloat64

func signbit(f float64) bool { return math.Signbit(f) }
