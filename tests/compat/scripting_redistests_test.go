package compat

import (
	"strings"
	"testing"
)

// Regressions found by running Redis 7.0's own unit/scripting and
// unit/functions suites against Ember.

// luaRuntimeErrors raise Lua runtime errors whose wording scripts and
// clients see: Lua 5.1's, with the variable's kind and name.
var luaRuntimeErrors = []string{
	`local x = nil; x()`,
	`return nil + 1`,
	`local t = nil; return t.x`,
	`return #nil`,
	`return ('a')..{}`,
	`return {} < {}`,
	`return 1 < 'x'`,
	`return string.rep()`,
	`return math.floor('x')`,
	`return tonumber()`,
	`return setmetatable(1,{})`,
	`return setmetatable({}, 1)`,
	`setmetatable(_G, {})`,
	`return loadstring(string.dump(function() return 1 end))()`,
	`return string.dump(1)`,
	`foo.bar()`,
	`local t = {} t.x.y = 1`,
	`local t = {} t.x()`,
	`local t = {} t:m()`,
	`local a = 'x' local b = {} return a .. b .. 'c'`,
	`local a = {} return 'x' .. a`,
	`return 'a' .. nil .. 'b'`,
	`local n; return n + 1`,
	`local n; return 1 - n`,
	`return -{}`,
	`local s = 'abc'; return s.x.y`,
	`local u = nil; local f = function() return u.x end; return f()`,
	`local u = nil; local f = function() return u() end; return f()`,
	`return {pcall(function() local q; q() end)}`,
	`return {pcall(string.rep)}`,
	`for k in nil do end`,
	`local t = {} return t.a.b.c`,
	`return {pcall(loadstring('local t = nil; return t.x'))}`,
	`return string.sub()`,
	`return ('x'):rep()`,
	`return ('x'):rep({})`,
	`return ('x').rep()`,
	`local s = 'x' return s:bad()`,
	`return table.concat({{}})`,
	`return math.max()`,
	`return math.max(1, 'x')`,
	`return math.min(3, '2', 5)`,
	`return math.max(1, 2.5, '7')`,
	`return select()`,
	`return 'x' + 1`,
	`return {} + 1`,
	`local t = {} for i = 1, 3 do t[i] = i end return t.z.q`,
	`local a, b = 1, nil if a then return b.c end`,
	// loadstring: Lua 5.1's chunk names, the sandbox, no binary chunks.
	`return loadstring('return 1 + ')`,
	`return {loadstring('x=')}`,
	`local a, b = loadstring(string.dump(function() return 1 end)) return {type(a), b}`,
	`local f = loadstring('error("boom")') f()`,
	`loadstring('xyz = 5')() return xyz`,
	`return loadstring('return 1 + 2')()`,
	`return type(string.dump(function() end))`,
	// A command's error table carries Redis's stats marker.
	`local t = redis.pcall('select', 99) return {t.err, tostring(t.ignore_error_stats_update)}`,
	`local t = redis.error_reply('X y') return {t.err, tostring(t.ignore_error_stats_update)}`,
}

func TestScriptingLua51Errors(t *testing.T) {
	p := pair(t)
	evalAll(p, luaRuntimeErrors...)
	// The same errors from a function.
	p.Both("FUNCTION", "FLUSH")
	p.Check("FUNCTION", "LOAD", "#!lua name=errs\n"+
		"redis.register_function('f1', function()\n"+
		"  redis.register_function('f2', function() return 2 end)\n"+
		"end)\n"+
		"redis.register_function('f3', function(keys) local t = nil return t[keys[1]] end)\n")
	p.CheckAll(Script(`
		FCALL f1 0
		FCALL f3 1 k
	`))
	p.Both("FUNCTION", "FLUSH")
}

// TestScriptingOOM: over maxmemory, scripts with flags are refused as a
// whole unless allow-oom or no-writes; EVAL without a shebang is refused
// command by command (deny-oom commands until it has written).
func TestScriptingOOM(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("CONFIG", "SET", "maxmemory", "0"); p.Both("FUNCTION", "FLUSH") })
	p.Both("FUNCTION", "FLUSH")
	p.Both("SCRIPT", "FLUSH")
	p.Check("FUNCTION", "LOAD", "#!lua name=oom\n"+
		"redis.register_function('w', function(keys) return redis.pcall('set', keys[1], 2) end)\n"+
		"redis.register_function('r', function(keys) return redis.pcall('get', keys[1]) end)\n"+
		"redis.register_function{function_name='ao', callback=function(keys) return redis.pcall('set', keys[1], 3) end, flags={'allow-oom'}}\n"+
		"redis.register_function{function_name='nw', callback=function(keys) return redis.pcall('get', keys[1]) end, flags={'no-writes'}}\n")
	p.CheckAll(Script(`
		SET x 123
		SCRIPT LOAD "#!lua\nreturn 1"
		CONFIG SET maxmemory 1
		EVAL "redis.call('set','x',1) return 1" 1 x
		EVAL "return redis.pcall('set','x',1)" 1 x
		EVAL "return redis.call('get','x')" 1 x
		EVAL "return redis.pcall('incr','x')" 1 x
		EVAL "#!lua\nreturn 1" 0
		EVAL "#!lua flags=\nreturn 1" 0
		EVAL "#!lua\nreturn 1" abc
		EVAL "#!lua flags=bad\nreturn 1" abc
		EVAL "return 1" abc
		EVAL "#!lua flags=allow-oom\nredis.call('set','x',1) return 1" 1 x
		EVAL "#!lua flags=no-writes\nreturn redis.call('get','x')" 1 x
		EVAL "#!lua flags=allow-oom,no-writes\nreturn redis.call('get','x')" 1 x
		EVAL_RO "#!lua\nreturn 1" 0
		EVAL_RO "return redis.call('get','x')" 1 x
		EVALSHA cb70127618f0b0be70c53cf6bfcfa54a29d9b0c0 0
		EVALSHA 0000000000000000000000000000000000000000 abc
		FCALL w 1 x
		FCALL w abc
		FCALL r 1 x
		FCALL ao 1 x
		FCALL nw 1 x
		FCALL_RO nw 1 x
		FCALL nosuch abc
		FUNCTION LOAD "#!lua name=other\nredis.register_function('o', function() return 1 end)"
		CONFIG SET maxmemory 0
		GET x
	`))
}

// statLine is the counters of INFO commandstats's line for cmd, without
// the timings.
func statLine(reply []byte, cmd string) string {
	for _, line := range strings.Split(string(reply), "\r\n") {
		rest, ok := strings.CutPrefix(line, "cmdstat_"+cmd+":")
		if !ok {
			continue
		}
		var keep []string
		for _, f := range strings.Split(rest, ",") {
			if !strings.HasPrefix(f, "usec") {
				keep = append(keep, f)
			}
		}
		return strings.Join(keep, ",")
	}
	return ""
}

// infoField is one field of an INFO reply.
func infoField(reply []byte, name string) string {
	for _, line := range strings.Split(string(reply), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// checkScriptStats compares the error stats and the commandstats counters
// of cmds on both servers.
func checkScriptStats(t *testing.T, p *Pair, what string, cmds ...string) {
	t.Helper()
	p.Check("INFO", "errorstats")
	rs, err := p.Redis.Do("INFO", "stats")
	if err != nil {
		t.Fatal(err)
	}
	es, err := p.Ember.Do("INFO", "stats")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := infoField(rs, "total_error_replies"), infoField(es, "total_error_replies"); a != b {
		t.Errorf("%s: total_error_replies redis %s ember %s", what, a, b)
	}
	rc, err := p.Redis.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	ec, err := p.Ember.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if a, b := statLine(rc, c), statLine(ec, c); a != b {
			t.Errorf("%s: cmdstat_%s redis %q ember %q", what, c, a, b)
		}
	}
}

// TestScriptingErrorStats: an error a command inside a script returned
// (or a rejected call) counts once, when it happens, whether the script
// catches it, propagates it or returns it.
func TestScriptingErrorStats(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("CONFIG", "SET", "maxmemory", "0") })
	cases := []struct {
		setup string
		cmd   []string
	}{
		{"1", []string{"EVAL", "return redis.call('set','x','y')", "1", "x"}},
		{"1", []string{"EVAL", "local t = redis.pcall('set','x','y') return t['err']", "1", "x"}},
		{"1", []string{"EVAL", "return redis.pcall('set','x','y')", "1", "x"}},
		{"0", []string{"EVAL", "return redis.call('select',99)", "0"}},
		{"0", []string{"EVAL", "local t = redis.pcall('select',99) return t['err']", "0"}},
		{"0", []string{"EVAL", "return redis.pcall('select',99)", "0"}},
		{"0", []string{"EVAL_RO", "return redis.call('set','x','y')", "1", "x"}},
		{"0", []string{"EVAL_RO", "local t = redis.pcall('set','x','y') return t['err']", "1", "x"}},
		{"0", []string{"EVAL", "return redis.call('nosuchcmd')", "0"}},
		{"0", []string{"EVAL", "return redis.pcall('get','a','b')", "0"}},
		{"0", []string{"EVAL", "return redis.error_reply('MY_ERR custom')", "0"}},
		{"0", []string{"EVAL", "return redis.error_reply('')", "0"}},
		{"0", []string{"EVAL", "error('boom')", "0"}},
		{"0", []string{"EVAL", "redis.pcall('select',99) redis.pcall('get','a','b') return redis.pcall('select', 98)", "0"}},
		{"0", []string{"EVAL", "return redis.call('geoadd', 'Sicily', '13.361389', '38.115556', 'Palermo')", "1", "Sicily"}},
	}
	p.Both("SET", "Sicily", "1")
	for _, c := range cases {
		p.Both("CONFIG", "SET", "maxmemory", c.setup)
		p.Both("CONFIG", "RESETSTAT")
		p.Check(c.cmd...)
		p.Both("CONFIG", "SET", "maxmemory", "0")
		checkScriptStats(t, p, Show(c.cmd), "eval", "eval_ro", "set", "select", "get", "geoadd")
	}
}

// TestScriptingSortByConstant: SORT BY a constant on a set from a script
// sorts the output (ALPHA), so that it does not depend on the set's order.
func TestScriptingSortByConstant(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SADD ss a b c d e f g h i l m n o p q r s t u v z aa aaa azz
		EVAL "return redis.call('sort',KEYS[1],'by','_')" 1 ss
		EVAL "return redis.call('sort',KEYS[1],'by','_','get','#','get','_:*')" 1 ss
		EVAL "return redis.call('sort',KEYS[1],'by','_','desc')" 1 ss
		EVAL "return redis.call('sort',KEYS[1],'by','_','limit','2','3')" 1 ss
		RPUSH sl c a b
		EVAL "return redis.call('sort',KEYS[1],'by','_')" 1 sl
	`))
}
