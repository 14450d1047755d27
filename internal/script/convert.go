package script

import (
	"math"
	"strconv"
	"strings"

	"github.com/ember-kv/ember/resp"
	lua "github.com/yuin/gopher-lua"
)

// parseReply converts one raw reply into a Lua value, by Redis's rules:
// integer → number, bulk string → string, null bulk or null array →
// false, status → {ok=s}, error → {err=s}, array → table; and in RESP3:
// map → {map={k=v}}, set → {set={m=true}}, null → nil, boolean →
// boolean, double → {double=d}, big number → {big_number=s}, verbatim
// string → {verbatim_string={format=f, string=s}}. Attributes are skipped.
// It returns the value and the rest of b.
func parseReply(L *lua.LState, b []byte) (lua.LValue, []byte) {
	if len(b) < 3 {
		return lua.LNil, nil
	}
	typ := b[0]
	end := 1
	for end < len(b) && b[end] != '\r' {
		end++
	}
	line := b[1:end]
	rest := b[min(end+2, len(b)):]
	switch typ {
	case ':':
		n, _ := strconv.ParseInt(string(line), 10, 64)
		return lua.LNumber(n), rest
	case '$', '=', '!':
		n, _ := strconv.Atoi(string(line))
		if n < 0 {
			return lua.LFalse, rest
		}
		body := rest[:n]
		rest = rest[n+2:]
		switch typ {
		case '=':
			t := L.CreateTable(0, 1)
			v := L.CreateTable(0, 2)
			if len(body) >= 4 {
				v.RawSetString("string", lua.LString(body[4:]))
				v.RawSetString("format", lua.LString(body[:3]))
			}
			t.RawSetString("verbatim_string", v)
			return t, rest
		case '!':
			return commandErrorTable(L, "-"+string(body)), rest
		}
		return lua.LString(body), rest
	case '+':
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(line))
		return t, rest
	case '-':
		return commandErrorTable(L, "-"+string(line)), rest
	case '*', '~', '>':
		n, _ := strconv.Atoi(string(line))
		if n < 0 {
			return lua.LFalse, rest
		}
		if typ == '~' {
			set := L.CreateTable(0, n)
			for i := 0; i < n; i++ {
				var v lua.LValue
				v, rest = parseReply(L, rest)
				set.RawSet(v, lua.LTrue)
			}
			t := L.CreateTable(0, 1)
			t.RawSetString("set", set)
			return t, rest
		}
		t := L.CreateTable(n, 0)
		for i := 1; i <= n; i++ {
			var v lua.LValue
			v, rest = parseReply(L, rest)
			t.RawSetInt(i, v)
		}
		return t, rest
	case '%':
		n, _ := strconv.Atoi(string(line))
		m := L.CreateTable(0, n)
		for i := 0; i < n; i++ {
			var k, v lua.LValue
			k, rest = parseReply(L, rest)
			v, rest = parseReply(L, rest)
			m.RawSet(k, v)
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("map", m)
		return t, rest
	case '|':
		n, _ := strconv.Atoi(string(line))
		for i := 0; i < 2*n; i++ {
			_, rest = parseReply(L, rest)
		}
		return parseReply(L, rest)
	case '_':
		return lua.LNil, rest
	case '#':
		return lua.LBool(len(line) > 0 && line[0] == 't'), rest
	case ',':
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(parseDouble(line)))
		return t, rest
	case '(':
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(line))
		return t, rest
	}
	return lua.LNil, rest
}

func parseDouble(b []byte) float64 {
	switch string(b) {
	case "inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	case "nan", "-nan":
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(string(b), 64)
	return f
}

// writeReply converts a script's return value into a reply, by Redis's
// rules: string → bulk, number → integer (truncated), boolean → 1 or null
// (RESP2 scripts) or a boolean (after redis.setresp(3)), table → error
// ({err=}), status ({ok=}), double, big number, verbatim string, map, set,
// or an array up to the first nil; anything else → null. proto is the
// protocol the script set with redis.setresp.
func writeReply(w *resp.Writer, v lua.LValue, proto int, depth int) {
	switch v := v.(type) {
	case lua.LString:
		w.BulkString(string(v))
	case lua.LBool:
		if proto == 2 {
			if v {
				w.Int(1)
			} else {
				w.Null()
			}
			return
		}
		w.Bool(bool(v))
	case lua.LNumber:
		w.Int(truncate(float64(v)))
	case *lua.LTable:
		if depth > 1000 {
			w.Error("ERR reached lua stack limit")
			return
		}
		writeTable(w, v, proto, depth)
	default:
		w.Null()
	}
}

// truncate converts as C's (long long) cast does on x86-64: out of range
// and NaN give the minimum integer.
func truncate(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

func writeTable(w *resp.Writer, t *lua.LTable, proto, depth int) {
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		w.Error(strings.Trim(string(e), "\r\n"))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.Simple(mapCRLF(string(s)))
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.Double(float64(d))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		s := mapCRLF(string(s))
		if w.Proto == 3 {
			w.Raw([]byte("(" + s + "\r\n"))
		} else {
			w.BulkString(s)
		}
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		if f, ok := vt.RawGetString("format").(lua.LString); ok {
			if s, ok := vt.RawGetString("string").(lua.LString); ok {
				w.Verbatim(string(f), []byte(s))
				return
			}
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		n := 0
		m.ForEach(func(lua.LValue, lua.LValue) { n++ })
		w.Map(n)
		m.ForEach(func(k, v lua.LValue) {
			writeReply(w, k, proto, depth+1)
			writeReply(w, v, proto, depth+1)
		})
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		n := 0
		s.ForEach(func(lua.LValue, lua.LValue) { n++ })
		w.Set(n)
		s.ForEach(func(k, _ lua.LValue) { writeReply(w, k, proto, depth+1) })
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		writeReply(w, t.RawGetInt(i), proto, depth+1)
	}
}

// mapCRLF replaces CR and LF by spaces (status and big number replies).
func mapCRLF(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] == '\r' || b[j] == '\n' {
					b[j] = ' '
				}
			}
			return string(b)
		}
	}
	return s
}
