package compat

import (
	"testing"
)

const fnLib = "#!lua name=mylib\n" +
	"local function echo(keys, args) return {keys, args} end\n" +
	"redis.register_function('echo', echo)\n" +
	"redis.register_function{function_name='getk', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}\n" +
	"redis.register_function{function_name='setk', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end}\n" +
	"redis.register_function{function_name='ro_setk', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end, flags={'no-writes'}}\n" +
	"redis.register_function{function_name='allflags', callback=function() return 1 end, flags={'allow-oom','allow-stale','no-cluster','ALLOW-CROSS-SLOT-KEYS'}}\n" +
	"redis.register_function('errs', function() return redis.call('nosuch') end)\n" +
	"redis.register_function('globals', function() return KEYS end)\n" +
	"redis.register_function('rt_error', function() error('boom') end)\n"

// TestFunctionBasics covers FUNCTION LOAD/LIST/DELETE/FLUSH/STATS and
// FCALL/FCALL_RO with their flags and errors.
func TestFunctionBasics(t *testing.T) {
	p := pair(t)
	p.Both("FUNCTION", "FLUSH")
	p.Check("FUNCTION", "LOAD", fnLib)
	p.Check("FUNCTION", "LOAD", fnLib)
	p.Check("FUNCTION", "LOAD", "REPLACE", fnLib)
	p.Check("FUNCTION", "LOAD", "replace", "replace", fnLib)
	p.Check("FUNCTION", "LOAD", "BOGUS", fnLib)
	p.Check("FUNCTION", "LOAD", "REPLACE")
	// The functions of a library come in Redis's hash order: compare the
	// libraries' names and codes, and each function alone below.
	p.Check("FUNCTION", "LIST", "LIBRARYNAME", "nomatch")
	p.Check("FUNCTION", "LOAD", "#!lua name=single\nredis.register_function{function_name='one', callback=function() return 1 end, flags={'no-writes', 'allow-oom'}, description='the one'}")
	p.Check("FUNCTION", "LIST", "LIBRARYNAME", "sing*")
	p.Check("FUNCTION", "LIST", "LIBRARYNAME", "SING*", "WITHCODE")
	p.Check("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "single")
	p.Check("FUNCTION", "DELETE", "single")
	p.Check("FUNCTION", "LIST", "LIBRARYNAME")
	p.Check("FUNCTION", "LIST", "WITHCODE", "WITHCODE")
	p.Check("FUNCTION", "LIST", "BOGUS")
	p.Check("FUNCTION", "STATS")
	p.CheckAll(Script(`
		FCALL echo 2 k1 k2 a1 a2
		FCALL ECHO 0
		FCALL echo 0 a1
		FCALL nosuch 0
		FCALL echo notanumber
		FCALL echo 3 a
		FCALL echo -1
		FCALL setk 1 fn:k v1
		FCALL getk 1 fn:k
		FCALL_RO getk 1 fn:k
		FCALL_RO setk 1 fn:k v2
		FCALL ro_setk 1 fn:k v3
		FCALL_RO ro_setk 1 fn:k v3
		FCALL allflags 0
		FCALL errs 0
		FCALL globals 0
		FCALL rt_error 0
		GET fn:k
		FUNCTION DELETE nosuch
		FUNCTION DELETE mylib
		FUNCTION DELETE mylib
		FCALL echo 0
		FUNCTION LIST
		FUNCTION STATS
		FUNCTION FLUSH
		FUNCTION FLUSH ASYNC
		FUNCTION FLUSH SYNC
		FUNCTION FLUSH BOGUS
		FUNCTION FLUSH SYNC extra
		FUNCTION DUMP extra
		FUNCTION NOSUCH
	`))
}

// TestFunctionLoadErrors covers the library metadata line, the load-time
// sandbox (only redis.register_function and redis.log) and
// register_function's argument checks.
func TestFunctionLoadErrors(t *testing.T) {
	p := pair(t)
	p.Both("FUNCTION", "FLUSH")
	for _, code := range []string{
		"return 1",
		"#!lua name=x",
		"#!lua\nreturn 1",
		"#!lua name=x name=y\nreturn 1",
		"#!lua name=x bogus=1\nreturn 1",
		"#!lua name=bad-name\nreturn 1",
		"#!lua name=\nreturn 1",
		"#!python name=x\nreturn 1",
		"#!LUA name=up\nredis.register_function('up1', function() return 1 end)",
		"#!lua NAME=casename\nredis.register_function('cn1', function() return 1 end)",
		"#!lua name=nofn\nlocal x = 1",
		"#!lua name=syn\nreturn 1+",
		"#!lua name=rt\nerror('load boom')",
		"#!lua name=rt2\nerror({err='MY load error'})",
		"#!lua name=g\nreturn string.len('x')",
		"#!lua name=g2\nreturn math",
		"#!lua name=g3\nredis.call('ping')",
		"#!lua name=g4\nx = 1",
		"#!lua name=g5\nredis.log(redis.LOG_NOTICE, 'loading') redis.register_function('g5', function() return redis.REDIS_VERSION end)",
		"#!lua name=r1\nredis.register_function()",
		"#!lua name=r2\nredis.register_function('a', function() end, 3)",
		"#!lua name=r3\nredis.register_function(1, function() end)",
		"#!lua name=r4\nredis.register_function({}, function() end)",
		"#!lua name=r5\nredis.register_function('a', 'notfn')",
		"#!lua name=r6\nredis.register_function('bad name', function() end)",
		"#!lua name=r7\nredis.register_function('', function() end)",
		"#!lua name=r8\nredis.register_function('d', function() end) redis.register_function('d', function() end)",
		"#!lua name=r9\nredis.register_function('notable')",
		"#!lua name=r10\nredis.register_function{callback=function() end}",
		"#!lua name=r11\nredis.register_function{function_name='x'}",
		"#!lua name=r12\nredis.register_function{function_name='x', callback='nope'}",
		"#!lua name=r13\nredis.register_function{function_name='x', callback=function() end, flags='no-writes'}",
		"#!lua name=r14\nredis.register_function{function_name='x', callback=function() end, flags={'bogus'}}",
		"#!lua name=r15\nredis.register_function{function_name='x', callback=function() end, bogus=1}",
		"#!lua name=r16\nredis.register_function{function_name=1, callback=function() end}",
		"#!lua name=r17\nredis.register_function{function_name='x', callback=function() end, description=1}",
		"#!lua name=r18\nredis.register_function{function_name='x', callback=function() end, description={}}",
		"#!lua name=r19\nredis.register_function{function_name={}, callback=function() end}",
		"#!lua name=dup1\nredis.register_function('shared', function() return 1 end)",
		"#!lua name=dup2\nredis.register_function('SHARED', function() return 2 end)",
		"#!lua name=dup1\nredis.register_function('shared', function() return 3 end)",
	} {
		p.Check("FUNCTION", "LOAD", code)
	}
	p.Check("FUNCTION", "LOAD", "REPLACE", "#!lua name=dup1\nredis.register_function('shared', function() return 3 end)")
	p.CheckAll(Script(`
		FCALL shared 0
		FCALL SHARED 0
		FCALL up1 0
		FCALL g5 0
		FUNCTION STATS
	`))
	p.Check("FUNCTION", "LIST", "LIBRARYNAME", "dup1")
	p.Check("FUNCTION", "LIST", "LIBRARYNAME", "dup2")
	p.Check("FUNCTION", "FLUSH")
}

// TestFunctionRuntime covers what functions see at run time: globals are
// read-only, KEYS/ARGV are not globals, the full library set is there.
func TestFunctionRuntime(t *testing.T) {
	p := pair(t)
	p.Both("FUNCTION", "FLUSH")
	p.Check("FUNCTION", "LOAD", "#!lua name=rt\n"+
		"redis.register_function('setglobal', function() x = 1 end)\n"+
		"redis.register_function('libs', function() return {type(string), type(math), type(cjson), type(redis.call), type(redis.register_function)} end)\n"+
		"redis.register_function('resp3', function(keys) redis.setresp(3) return redis.call('hgetall', keys[1]) end)\n"+
		"redis.register_function('numbers', function() return {1.5, 2, -3.7} end)\n"+
		"redis.register_function('status', function() return redis.status_reply('FINE') end)\n"+
		"redis.register_function('nested', function(keys, args) return redis.pcall('lpush', keys[1], args[1]) end)\n")
	p.Both("HSET", "rt:h", "f", "v")
	p.Both("SET", "rt:s", "x")
	p.CheckAll(Script(`
		FCALL setglobal 0
		FCALL libs 0
		FCALL resp3 1 rt:h
		FCALL numbers 0
		FCALL status 0
		FCALL nested 1 rt:s v
	`))
	p.Both("HELLO", "3")
	p.CheckAll(Script(`
		FCALL resp3 1 rt:h
		FUNCTION STATS
	`))
	p.Both("FUNCTION", "FLUSH")
}

// TestFunctionDumpRestore: DUMP payloads are byte-identical to Redis's, and
// a payload taken from either server restores into the other.
func TestFunctionDumpRestore(t *testing.T) {
	p := pair(t)
	p.Both("FUNCTION", "FLUSH")
	libs := []string{
		"#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)",
		"#!lua name=short\nredis.register_function('s', function() return 1 end)",
		"#!lua name=long\n" + repeatLua(60),
		"#!lua name=lib_a\nredis.register_function('fn_a', function() return 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' end)",
	}
	for _, l := range libs {
		p.Both("FUNCTION", "FLUSH")
		p.Check("FUNCTION", "LOAD", l)
		dump := p.Check("FUNCTION", "DUMP")
		payload := bulkBody(t, dump)
		// Restore Redis's payload into both.
		p.Check("FUNCTION", "RESTORE", payload)
		p.Check("FUNCTION", "RESTORE", payload, "REPLACE")
		p.Check("FUNCTION", "RESTORE", payload, "FLUSH")
		p.Check("FUNCTION", "RESTORE", payload, "APPEND")
		p.Check("FUNCTION", "RESTORE", payload, "BOGUS")
		p.Check("FUNCTION", "RESTORE", payload, "FLUSH", "extra")
		p.Check("FUNCTION", "STATS")
		p.Both("FUNCTION", "FLUSH")
		p.Check("FUNCTION", "RESTORE", payload)
		p.Check("FUNCTION", "DUMP")
		p.Check("FUNCTION", "STATS")
	}
	p.Both("FUNCTION", "FLUSH")
	p.Check("FUNCTION", "DUMP")
	p.CheckAll(Script(`
		FUNCTION RESTORE bogus
		FUNCTION RESTORE ""
		FUNCTION RESTORE "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		FUNCTION RESTORE "\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	`))
}

// repeatLua makes a library whose code compresses well.
func repeatLua(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		s += "redis.register_function('f" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "', function(keys, args) return redis.call('get', keys[1]) end)\n"
	}
	return s
}

// bulkBody extracts a bulk string reply's body.
func bulkBody(t *testing.T, reply []byte) string {
	t.Helper()
	i := 0
	for i < len(reply) && reply[i] != '\n' {
		i++
	}
	if len(reply) < i+3 || reply[0] != '$' {
		t.Fatalf("not a bulk reply: %q", reply)
	}
	return string(reply[i+1 : len(reply)-2])
}
