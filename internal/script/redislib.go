package script

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Log levels of redis.log, as Redis numbers them.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Version fields of the redis table.
const (
	redisVersion    = "7.0.15"
	redisVersionNum = 0x07000f
)

// redisTable builds the redis.* API of a state.
func (s *state) redisTable(eval bool) *lua.LTable {
	L := s.L
	r := L.NewTable()
	r.RawSetString("call", L.NewFunction(s.luaCall))
	r.RawSetString("pcall", L.NewFunction(s.luaPCallCommand))
	s.addLog(r)
	addVersion(r)
	r.RawSetString("setresp", L.NewFunction(s.luaSetResp))
	r.RawSetString("sha1hex", L.NewFunction(luaSHA1Hex))
	r.RawSetString("error_reply", L.NewFunction(luaErrorReply))
	r.RawSetString("status_reply", L.NewFunction(luaStatusReply))
	r.RawSetString("set_repl", L.NewFunction(s.luaSetRepl))
	r.RawSetString("REPL_NONE", lua.LNumber(0))
	r.RawSetString("REPL_AOF", lua.LNumber(1))
	r.RawSetString("REPL_SLAVE", lua.LNumber(2))
	r.RawSetString("REPL_REPLICA", lua.LNumber(2))
	r.RawSetString("REPL_ALL", lua.LNumber(3))
	r.RawSetString("acl_check_cmd", L.NewFunction(s.luaACLCheckCmd))
	if eval {
		r.RawSetString("breakpoint", L.NewFunction(func(L *lua.LState) int { L.Push(lua.LFalse); return 1 }))
		r.RawSetString("debug", L.NewFunction(func(*lua.LState) int { return 0 }))
		r.RawSetString("replicate_commands", L.NewFunction(func(L *lua.LState) int { L.Push(lua.LTrue); return 1 }))
	}
	return r
}

func (s *state) addLog(r *lua.LTable) {
	r.RawSetString("log", s.L.NewFunction(s.luaLog))
	r.RawSetString("LOG_DEBUG", lua.LNumber(LogDebug))
	r.RawSetString("LOG_VERBOSE", lua.LNumber(LogVerbose))
	r.RawSetString("LOG_NOTICE", lua.LNumber(LogNotice))
	r.RawSetString("LOG_WARNING", lua.LNumber(LogWarning))
}

func addVersion(r *lua.LTable) {
	r.RawSetString("REDIS_VERSION_NUM", lua.LNumber(redisVersionNum))
	r.RawSetString("REDIS_VERSION", lua.LString(redisVersion))
}

// errorTable is Redis's error object: {err="CODE message"}. msg with a
// leading '-' carries its own code (the first word); otherwise the code is
// ERR. Trailing CR/LF are trimmed.
func errorTable(L *lua.LState, msg string) *lua.LTable {
	var full string
	if strings.HasPrefix(msg, "-") {
		body := msg[1:]
		if sp := strings.IndexByte(body, ' '); sp >= 0 {
			full = body[:sp] + " " + strings.Trim(body[sp+1:], "\r\n")
		} else {
			full = "ERR " + strings.Trim(body, "\r\n")
		}
	} else {
		full = "ERR " + strings.Trim(msg, "\r\n")
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(full))
	return t
}

// commandErrorTable is errorTable for a command's error reply or a
// rejected call: the error was counted in the error stats when it
// happened, and the table says so, as Redis's does, so that the script's
// reply does not count it again.
func commandErrorTable(L *lua.LState, msg string) *lua.LTable {
	t := errorTable(L, msg)
	t.RawSetString(ignoreErrorStats, lua.LTrue)
	return t
}

// ignoreErrorStats is the field that marks an error already counted.
const ignoreErrorStats = "ignore_error_stats_update"

// counted reports whether v is an error table marked as already counted.
func counted(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	return ok && lua.LVAsBool(t.RawGetString(ignoreErrorStats)) && t.RawGetString("err").Type() == lua.LTString
}

// raise raises an error table (redis.call's errors).
func raise(L *lua.LState, msg string) {
	L.Error(errorTable(L, msg), 0)
}

// luaCall is redis.call: a command's error reply is raised.
func (s *state) luaCall(L *lua.LState) int { return s.command(L, true) }

// luaPCallCommand is redis.pcall: errors come back as error tables.
func (s *state) luaPCallCommand(L *lua.LState) int { return s.command(L, false) }

func (s *state) command(L *lua.LState, raiseErr bool) int {
	run := s.run
	if run == nil {
		raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	args, msg := s.argv(L)
	if msg != "" {
		if raiseErr {
			raise(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	reply, reject := s.e.call(run, args)
	if reject != "" {
		t := commandErrorTable(L, reject)
		if raiseErr {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	v, _ := parseReply(L, reply)
	if raiseErr {
		if t, ok := v.(*lua.LTable); ok && len(reply) > 0 && reply[0] == '-' {
			L.Error(t, 0)
		}
	}
	L.Push(v)
	return 1
}

// argv converts redis.call's arguments: strings as they are, numbers as
// "%.17g"; anything else is an error.
func (s *state) argv(L *lua.LState) ([][]byte, string) {
	n := L.GetTop()
	if n == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	buf := s.argBuf[:0]
	offs := s.offs[:0]
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			buf = append(buf, v...)
		case lua.LNumber:
			buf = strconv.AppendFloat(buf, float64(v), 'g', 17, 64)
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
		offs = append(offs, len(buf))
	}
	args := s.args[:0]
	start := 0
	for _, end := range offs {
		args = append(args, buf[start:end:end])
		start = end
	}
	s.argBuf, s.offs, s.args = buf, offs, args
	return args, ""
}

func luaSHA1Hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "wrong number of arguments")
	}
	v := L.Get(1)
	var b []byte
	switch v := v.(type) {
	case lua.LString:
		b = []byte(v)
	case lua.LNumber:
		b = []byte(formatNumber(float64(v)))
	}
	L.Push(lua.LString(SHA1(b)))
	return 1
}

func luaErrorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	msg := string(L.Get(1).(lua.LString))
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, msg))
	return 1
}

func luaStatusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", L.Get(1))
	L.Push(t)
	return 1
}

func (s *state) luaSetResp(L *lua.LState) int {
	if s.run == nil {
		raise(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.setresp() requires one argument.")
	}
	n := toInt(L.Get(1))
	if n != 2 && n != 3 {
		raise(L, "RESP version must be 2 or 3.")
	}
	s.run.Proto = n
	return 0
}

func (s *state) luaSetRepl(L *lua.LState) int {
	if s.run == nil {
		raise(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.set_repl() requires two arguments.")
	}
	if n := toInt(L.Get(1)); n&^3 != 0 {
		raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

// luaACLCheckCmd is redis.acl_check_cmd: Ember has only the default user,
// who may run every command.
func (s *state) luaACLCheckCmd(L *lua.LState) int {
	if s.run == nil {
		raise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	args, msg := s.argv(L)
	if msg != "" {
		raise(L, msg)
	}
	if !s.e.known(args) {
		raise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}

func (s *state) luaLog(L *lua.LState) int {
	n := L.GetTop()
	if n < 2 {
		raise(L, "redis.log() requires two arguments or more.")
	}
	lv, ok := toNumber(L.Get(1))
	if !ok {
		raise(L, "First argument must be a number (log level).")
	}
	level := int(lv)
	if level < LogDebug || level > LogWarning {
		raise(L, "Invalid debug level.")
	}
	if s.e.Verbosity != nil && level < s.e.Verbosity() {
		return 0
	}
	var b strings.Builder
	for i := 2; i <= n; i++ {
		var str string
		switch v := L.Get(i).(type) {
		case lua.LString:
			str = string(v)
		case lua.LNumber:
			str = formatNumber(float64(v))
		default:
			continue
		}
		if i != 2 {
			b.WriteByte(' ')
		}
		b.WriteString(str)
	}
	if s.e.Logf != nil {
		s.e.Logf(level, b.String())
	}
	return 0
}

// toNumber converts as lua_tonumber: numbers, and strings holding one.
func toNumber(v lua.LValue) (float64, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		return float64(v), true
	case lua.LString:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64)
		if err == nil {
			return f, true
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 0, 64); err == nil {
			return float64(n), true
		}
	}
	return 0, false
}

// toInt is lua_tonumber cast to int (0 when not a number).
func toInt(v lua.LValue) int {
	f, _ := toNumber(v)
	if f != f || f > math.MaxInt32 || f < math.MinInt32 {
		return math.MinInt32
	}
	return int(f)
}

// luaRandom is Redis's math.random, on its own drand48 generator so that
// every platform yields the same sequence.
func (s *state) luaRandom(L *lua.LState) int {
	if s.run == nil {
		L.RaiseError("math.random can only be called inside a script invocation")
	}
	const max = 0x7fffffff
	r := float64(s.e.rand.next()%max) / float64(max)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1, "random")
		if u < 1 {
			argError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := checkInt(L, 1, "random")
		u := checkInt(L, 2, "random")
		if l > u {
			argError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (s *state) luaRandomSeed(L *lua.LState) int {
	if s.run == nil {
		L.RaiseError("math.randomseed can only be called inside a script invocation")
	}
	s.e.rand.seed(int32(checkInt(L, 1, "randomseed")))
	return 0
}

// lrand48 is the 48-bit linear congruential generator of drand48.
type lrand48 struct{ x uint64 }

func (r *lrand48) seed(v int32) { r.x = uint64(uint32(v))<<16 | 0x330e }

func (r *lrand48) next() int32 {
	r.x = (0x5deece66d*r.x + 0xb) & (1<<48 - 1)
	return int32(r.x >> 17)
}
