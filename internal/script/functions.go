package script

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/ember-kv/ember/resp"
	lua "github.com/yuin/gopher-lua"
)

// Library is a loaded FUNCTION library.
type Library struct {
	Name   string
	Engine string
	Code   string
	// Functions by name (case-sensitive within the library).
	Functions map[string]*Function
}

// Function is one registered function.
type Function struct {
	Name    string
	Desc    string
	HasDesc bool
	Flags   Flags
	Lib     *Library
	fn      *lua.LFunction
}

// SortedFunctions lists the library's functions by name.
func (l *Library) SortedFunctions() []*Function {
	out := make([]*Function, 0, len(l.Functions))
	for _, f := range l.Functions {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// libraries are the loaded libraries and their functions; function names
// are unique across libraries, case-insensitively.
type libraries struct {
	libs  map[string]*Library
	funcs map[string]*Function // by lower-case name
}

func newLibraries() *libraries {
	return &libraries{libs: map[string]*Library{}, funcs: map[string]*Function{}}
}

func (ls *libraries) link(l *Library) {
	ls.libs[l.Name] = l
	for _, f := range l.Functions {
		ls.funcs[strings.ToLower(f.Name)] = f
	}
}

func (ls *libraries) unlink(l *Library) {
	delete(ls.libs, l.Name)
	for _, f := range l.Functions {
		delete(ls.funcs, strings.ToLower(f.Name))
	}
}

// loadCtx is the library being loaded (redis.register_function adds to it).
type loadCtx struct {
	lib *Library
}

const loadTimeout = 500 * time.Millisecond

// LoadLibrary runs FUNCTION LOAD: it parses the "#!lua name=..." line,
// runs the code so that it registers its functions, and links the
// library. It returns the library's name, or the error reply.
func (e *Engine) LoadLibrary(code string, replace bool) (string, string) {
	e.mu.Lock()
	lib, msg := e.createLibrary(code)
	e.mu.Unlock()
	if msg != "" {
		return "", "ERR " + msg
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	old := e.libs.libs[lib.Name]
	if old != nil && !replace {
		return "", "ERR Library '" + lib.Name + "' already exists"
	}
	for _, f := range lib.Functions {
		if other := e.libs.funcs[strings.ToLower(f.Name)]; other != nil && other.Lib != old {
			return "", "ERR Function " + f.Name + " already exists"
		}
	}
	if old != nil {
		e.libs.unlink(old)
	}
	e.libs.link(lib)
	return lib.Name, ""
}

// createLibrary compiles and runs a library's code; msg is the error
// without its code.
func (e *Engine) createLibrary(code string) (*Library, string) {
	if !strings.HasPrefix(code, "#!") {
		return nil, "Missing library metadata"
	}
	end := strings.IndexByte(code, '\n')
	if end < 0 {
		return nil, "Invalid library metadata"
	}
	parts, ok := splitArgs(code[:end])
	if !ok || len(parts) == 0 {
		return nil, "Invalid library metadata"
	}
	engine := parts[0][2:]
	name, haveName := "", false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if haveName {
				return nil, "Invalid metadata value, name argument was given multiple times"
			}
			name, haveName = p[5:], true
			continue
		}
		return nil, "Invalid metadata value given: " + p
	}
	if !haveName {
		return nil, "Library name was not given"
	}
	if !validName(name) {
		return nil, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	}
	if !strings.EqualFold(engine, "lua") {
		return nil, "Engine '" + engine + "' not found"
	}
	lib := &Library{Name: name, Engine: "LUA", Code: code, Functions: map[string]*Function{}}
	proto, cerr := compile(code[end:], "user_function")
	if cerr != "" {
		return nil, "Error compiling function: " + cerr
	}
	s := e.fstate
	L := s.L
	fn := L.NewFunctionFromProto(proto)
	fn.Env = s.env
	s.envMeta.RawSetString("__index", s.libAPI)
	s.load = &loadCtx{lib: lib}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	L.SetContext(ctx)
	L.Push(fn)
	err := L.PCall(0, 0, nil)
	L.RemoveContext()
	timedOut := ctx.Err() != nil
	cancel()
	s.load = nil
	s.envMeta.RawSetString("__index", s.real)
	L.SetTop(0)
	if err != nil {
		msg := errorMessage(err)
		if timedOut {
			msg = "ERR FUNCTION LOAD timeout"
		}
		return nil, "Error registering functions: " + msg
	}
	if len(lib.Functions) == 0 {
		return nil, "No functions registered"
	}
	return lib, ""
}

func validName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// luaRegisterFunction is redis.register_function(name, callback) or
// redis.register_function{function_name=, callback=, flags=, description=}.
func (s *state) luaRegisterFunction(L *lua.LState) int {
	if s.load == nil {
		raise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &Function{Lib: s.load.lib}
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		haveName := false
		k, v := t.Next(lua.LNil)
		for k != lua.LNil {
			key, ok := luaString(k)
			if !ok {
				raise(L, "named argument key given to redis.register_function is not a string")
			}
			switch strings.ToLower(key) {
			case "function_name":
				n, ok := luaString(v)
				if !ok {
					raise(L, "function_name argument given to redis.register_function must be a string")
				}
				f.Name, haveName = n, true
			case "description":
				d, ok := luaString(v)
				if !ok {
					raise(L, "description argument given to redis.register_function must be a string")
				}
				f.Desc, f.HasDesc = d, true
			case "callback":
				fn, ok := v.(*lua.LFunction)
				if !ok {
					raise(L, "callback argument given to redis.register_function must be a function")
				}
				f.fn = fn
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					raise(L, "flags argument to redis.register_function must be a table representing function flags")
				}
				flags, ok := readFlags(ft)
				if !ok {
					raise(L, "unknown flag given")
				}
				f.Flags = flags
			default:
				raise(L, "unknown argument given to redis.register_function")
			}
			k, v = t.Next(k)
		}
		if !haveName {
			raise(L, "redis.register_function must get a function name argument")
		}
		if f.fn == nil {
			raise(L, "redis.register_function must get a callback argument")
		}
	case 2:
		n, ok := luaString(L.Get(1))
		if !ok {
			raise(L, "first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			raise(L, "second argument to redis.register_function must be a function")
		}
		f.Name, f.fn = n, fn
	default:
		raise(L, "wrong number of arguments to redis.register_function")
	}
	if !validName(f.Name) {
		raise(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	if _, dup := s.load.lib.Functions[f.Name]; dup {
		raise(L, "Function already exists in the library")
	}
	s.load.lib.Functions[f.Name] = f
	return 0
}

func luaString(v lua.LValue) (string, bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return formatNumber(float64(v)), true
	}
	return "", false
}

func readFlags(t *lua.LTable) (Flags, bool) {
	var flags Flags
	for i := 1; ; i++ {
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return flags, true
		}
		s, ok := luaString(v)
		if !ok {
			return 0, false
		}
		found := false
		for _, fn := range flagNames {
			if strings.EqualFold(fn.name, s) {
				flags |= fn.f
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
}

// Function finds a function by name (case-insensitively).
func (e *Engine) Function(name []byte) *Function {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	return e.libs.funcs[strings.ToLower(string(name))]
}

// Call runs a function (FCALL) with keys and args as its two arguments.
func (e *Engine) Call(f *Function, r *Run, w *resp.Writer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.fstate
	L := s.L
	L.Push(f.fn)
	L.Push(stringsTable(L, r.Keys))
	L.Push(stringsTable(L, r.Args))
	e.run(s, r, w, 2)
}

// DeleteLibrary removes a library; false when there is none of that name.
func (e *Engine) DeleteLibrary(name string) bool {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	l := e.libs.libs[name]
	if l == nil {
		return false
	}
	e.libs.unlink(l)
	return true
}

// FlushFunctions removes every library.
func (e *Engine) FlushFunctions() {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	e.libs = newLibraries()
}

// Libraries lists the libraries by name.
func (e *Engine) Libraries() []*Library {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	return e.sortedLibs()
}

func (e *Engine) sortedLibs() []*Library {
	out := make([]*Library, 0, len(e.libs.libs))
	for _, l := range e.libs.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FunctionCounts are FUNCTION STATS' counts.
func (e *Engine) FunctionCounts() (libs, funcs int) {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	return len(e.libs.libs), len(e.libs.funcs)
}

// splitArgs splits a shebang line as sdssplitargs does.
func splitArgs(line string) ([]string, bool) {
	args, ok := resp.SplitArgs([]byte(line), nil)
	if !ok {
		return nil, false
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out, true
}
