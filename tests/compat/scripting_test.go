package compat

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// evalAll runs each Lua body as EVAL body 0 on both servers and compares.
func evalAll(p *Pair, bodies ...string) {
	p.T.Helper()
	for _, b := range bodies {
		p.Check("EVAL", b, "0")
	}
}

// luaToRESP are scripts whose return values exercise every Lua → reply
// rule (strings, numbers truncated, booleans, nil, tables cut at the
// first nil, status, error, nested arrays, the RESP3-only shapes).
var luaToRESP = []string{
	`return 1`, `return -1`, `return 0`, `return 3.99`, `return -3.99`, `return 1e10`, `return 2^53`,
	`return math.huge`, `return -math.huge`, `return 0/0`,
	`return 'x'`, `return ''`, `return 'a\0b'`, `return "\r\n"`,
	`return true`, `return false`, `return nil`, `return`,
	`return {}`, `return {1,2,3}`, `return {1,2,nil,4}`, `return {nil,2}`, `return {1,{2,{3,{'x'}}}}`,
	`return {1,'a',true,false,3.5}`, `return {a=1}`, `return {1,2,a=3}`,
	`return {ok='fine'}`, `return {ok='line\r\nbreak'}`, `return {ok=1}`, `return {err='ERR x'}`,
	`return {err='MYCODE custom message'}`, `return {err='nocode'}`, `return {err=''}`, `return {err='x\r\n'}`,
	`return {err=5}`, `return {{err='inner'}, {ok='st'}}`,
	`return redis.status_reply('STATUS')`, `return redis.error_reply('My Error')`,
	`return redis.error_reply('-My Error')`, `return redis.error_reply('-NOCODE')`, `return redis.error_reply('')`,
	`return redis.error_reply(1)`, `return redis.error_reply()`, `return redis.status_reply()`,
	`return {double=3.5}`, `return {double=1/3}`, `return {double='x'}`, `return {big_number='12345678901234567890'}`,
	`return {big_number='1\r\n2'}`, `return {verbatim_string={format='txt', string='hello'}}`,
	`return {verbatim_string={format='txt'}}`, `return {map={a=1}}`, `return {map={}}`, `return {set={a=true}}`,
	`return {set={}}`, `return {map={x={1,2}}}`, `return {set={[5]=true}}`,
	`return function() end`, `return {function() end, 1}`, `return coroutine.create(function() end)`,
	`return {true, false, 1}`,
}

// respToLua are scripts that return what redis.call gave them, converted
// back: every reply type of the commands they call.
var respToLua = []string{
	`return redis.call('set', 'sc:s', 'v')`,
	`return redis.call('get', 'sc:s')`,
	`return redis.call('get', 'sc:missing')`,
	`return redis.call('get', 'sc:missing') == false`,
	`return type(redis.call('get', 'sc:missing'))`,
	`return redis.call('incr', 'sc:n')`,
	`return redis.call('incrbyfloat', 'sc:f', '1.5')`,
	`return redis.call('rpush', 'sc:l', 'a', 'b', 'c')`,
	`return redis.call('lrange', 'sc:l', 0, -1)`,
	`return redis.call('lrange', 'sc:nol', 0, -1)`,
	`return redis.call('hset', 'sc:h', 'f1', 'v1')`,
	`return redis.call('hgetall', 'sc:h')`,
	`return redis.call('hmget', 'sc:h', 'f1', 'nope', 'f1')`,
	`return redis.call('sadd', 'sc:set', 'm1')`,
	`return redis.call('smembers', 'sc:set')`,
	`return redis.call('zadd', 'sc:z', 1, 'a', 2.5, 'b')`,
	`return redis.call('zrange', 'sc:z', 0, -1, 'withscores')`,
	`return redis.call('zscore', 'sc:z', 'b')`,
	`return redis.call('ping')`,
	`return redis.call('ping').ok`,
	`return type(redis.call('ping'))`,
	`return redis.pcall('lpush', 'sc:s', 'x')`,
	`return redis.pcall('lpush', 'sc:s', 'x').err`,
	`return redis.call('exists', 'sc:s', 'sc:n', 'nope')`,
	`return redis.call('type', 'sc:l')`,
	`return redis.call('echo', 'hi')`,
	`return redis.call('set', 'sc:s', 'v', 'GET')`,
	`return redis.call('set', 'sc:s2', 'v', 'NX', 'GET')`,
	`return redis.call('del', 'sc:s2')`,
	`return redis.call('SET', 'sc:num', 12)`,
	`return redis.call('get', 'sc:num')`,
	`return redis.call('SET', 'sc:num', 1.5)`,
	`return redis.call('get', 'sc:num')`,
	`return redis.call('SET', 'sc:num', 0.1)`,
	`return redis.call('get', 'sc:num')`,
	`return redis.call('SET', 'sc:num', 1e20)`,
	`return redis.call('get', 'sc:num')`,
	`return redis.call('SET', 'sc:num', -0.0)`,
	`return redis.call('get', 'sc:num')`,
	`return redis.call('xadd', 'sc:x', '1-1', 'f', 'v')`,
	`return redis.call('xrange', 'sc:x', '-', '+')`,
	`return redis.call('object', 'encoding', 'sc:l')`,
	`return redis.call('select', 1)`,
	`return redis.call('dbsize')`,
	`return redis.call('blpop', 'sc:l', 0)`,
	`return redis.call('xread', 'block', 0, 'streams', 'sc:x', '$')`,
	`return redis.pcall('xread', 'block', 0, 'streams', 'sc:x', '$')`,
	`return redis.call('get', 'sc:s', 'extra')`,
	`return redis.call('set', 'sc:s')`,
	`return redis.call('nosuchcommand')`,
	`return redis.call('client', 'nosuch')`,
	`return redis.call('config')`,
	`return redis.call('multi')`,
	`return redis.call('exec')`,
	`return redis.call('subscribe', 'ch')`,
	`return redis.call('eval', 'return 1', 0)`,
	`return redis.call('script', 'load', 'return 1')`,
	`return redis.call('function', 'list')`,
	`return redis.call('config', 'get', 'maxmemory')`,
	`return redis.call()`,
	`return redis.call({})`,
	`return redis.call('get', {})`,
	`return redis.call('get', true)`,
	`return redis.call('get', nil)`,
	`return redis.pcall()`,
	`return redis.pcall('get', true)`,
	`return redis.pcall('nosuchcommand')`,
	`return redis.pcall('get', 'a', 'b')`,
	`return {pcall(function() redis.call('nosuch') end)}`,
	`return {pcall(function() redis.call('lpush', 'sc:s', 'x') end)}`,
	`return {pcall(error, {err='a'})}`,
	`return {pcall(error, 'plain')}`,
	`return redis.call('del', 'sc:s', 'sc:n', 'sc:f', 'sc:l', 'sc:h', 'sc:set', 'sc:z', 'sc:num', 'sc:x')`,
}

// scriptErrors are uncaught errors: compile errors, runtime errors,
// error() with each kind of value, global protection, the redis.* API's
// argument checks.
var scriptErrors = []string{
	`return 1+`, `x =`, `return 'unfinished`,
	`return nosuch_global`, `return print`, `return os`, `return io`, `return loadfile`, `return dofile`,
	`return newproxy`, `return require`, `return module`, `return _GOPHER_LUA_VERSION`,
	`x = 1`, `redis = nil`, `redis.call = nil`, `string.foo = 1`, `math.pi = 3`, `table.x = 1`,
	`cjson.x = 1`, `bit.x = 1`, `cmsgpack.x = 1`, `struct.x = 1`, `_G.x = 1`, `rawset(_G, 'x', 1)`,
	`function f() end`, `local t = {} t.x = 1 return t.x`, `KEYS[1] = 'x' return KEYS[1]`, `ARGV[1] = 'x' return ARGV[1]`,
	`error('boom')`, `error('boom', 0)`, `error('boom', 2)`, `error(123)`, `error(nil)`, `error(true)`,
	`error({err='X boom'})`, `error({err='ERR custom'})`, `error({err='lower case code'})`,
	`redis.call('nosuchcommand')`, `redis.call('get')`, `redis.call('lpush', 'sc:str', 'x')`,
	"\n\nredis.call('nosuchcommand')", "local a = 1\nlocal b = 2\nerror('line3')",
	`return redis.sha1hex()`, `return redis.sha1hex('')`, `return redis.sha1hex('abc')`, `return redis.sha1hex(1)`,
	`return redis.setresp()`, `return redis.setresp(4)`, `return redis.setresp(1)`, `return redis.setresp('2')`,
	`return redis.set_repl()`, `return redis.set_repl(99)`, `return redis.set_repl(-1)`, `return redis.set_repl(redis.REPL_ALL)`,
	`return redis.log()`, `return redis.log('a', 'b')`, `return redis.log(99, 'b')`, `return redis.log(-1, 'b')`,
	`return redis.log(redis.LOG_DEBUG, 'debug line')`, `return {redis.log(redis.LOG_WARNING, 'hello', 'world', 1)}`,
	`return redis.replicate_commands()`, `return redis.breakpoint()`, `return redis.debug('x')`,
	`return redis.REDIS_VERSION`, `return redis.REDIS_VERSION_NUM`,
	`return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}`,
	`return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}`,
	`return redis.acl_check_cmd('get', 'x')`, `return redis.acl_check_cmd('nosuch')`, `return redis.acl_check_cmd()`,
	`return type(redis.register_function)`, `return type(KEYS)`, `return #KEYS`, `return #ARGV`,
	`return _VERSION`, `return type(_G)`, `return _G.string.len('abc')`, `return rawget(_G, 'nope')`,
	`return type(getmetatable(_G))`, `return type(loadstring)`, `return loadstring('return 7')()`,
	`return type(coroutine)`, `return type(unpack)`, `return unpack({1,2,3})`, `return select('#', 1, 2, 3)`,
	`return gcinfo() > 0`, `return type(collectgarbage)`, `return tostring(12)`, `return tostring(1.5)`,
	`return tostring(nil)`, `return tonumber('0x10')`, `return tonumber('10', 2)`, `return string.format('%d-%s', 5, 'x')`,
	`return string.rep('ab', 3)`, `return string.byte('A')`, `return string.char(72, 105)`, `return string.upper('abc')`,
	`return ('x'):rep(3)`, `return string.find('hello', 'll')`, `return {string.find('hello', 'l+')}`,
	`return string.gsub('hello world', 'o', '0')`, `return string.sub('hello', 2, 4)`, `return #'hello'`,
	`return table.concat({1, 2, 3}, ',')`, `local t = {3, 1, 2} table.sort(t) return t`,
	`local t = {} table.insert(t, 'a') table.insert(t, 1, 'b') return t`, `return table.getn({1, 2})`,
	`return math.floor(3.7)`, `return math.max(1, 5, 3)`, `return math.abs(-4)`, `return math.fmod(7, 3)`,
	`return math.sqrt(16)`, `return math.pow(2, 10)`, `return math.min(2, -1)`,
	`return 7 % 3`, `return 2^10`, `return 10 / 4`, `return -7 % 3`,
	`math.randomseed(42) return {math.random(), math.random(10), math.random(5, 15), math.random(1000)}`,
	`math.randomseed(7) local t = {} for i = 1, 10 do t[i] = math.random(100) end return t`,
	`math.randomseed(1) return math.random(0)`, `math.randomseed(1) return math.random(3, 1)`,
	`local n = 0 for k, v in pairs({a=1, b=2, c=3}) do n = n + v end return n`,
	`local n = 0 for i, v in ipairs({1, 2, 3}) do n = n + v end return n`,
	`local co = coroutine.wrap(function() coroutine.yield(1) end) return co()`,
	`return {xpcall(function() error({err='E'}) end, function(e) return e.err end)}`,
	`return {pcall(function() return 1, 2 end)}`,
}

// TestScriptingConversions compares Lua → reply and reply → Lua
// conversions, in RESP2 and RESP3, with RESP2 and RESP3 scripts.
func TestScriptingConversions(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			p.Both("SET", "sc:str", "x")
			evalAll(p, luaToRESP...)
			evalAll(p, respToLua...)
			for _, b := range luaToRESP {
				p.Check("EVAL", "redis.setresp(3) "+b, "0")
			}
			for _, b := range respToLua {
				p.Check("EVAL", "redis.setresp(3) "+b, "0")
			}
		})
	}
}

// TestScriptingRESP3Replies covers redis.setresp(3): RESP3 replies of
// commands arrive as maps, sets, doubles, booleans and nulls, and go back
// out in the caller's protocol.
func TestScriptingRESP3Replies(t *testing.T) {
	bodies := []string{
		`redis.setresp(3) return redis.call('hgetall', 'r3:h')`,
		`redis.setresp(3) local r = redis.call('hgetall', 'r3:h') return r.map.f1`,
		`redis.setresp(3) return type(redis.call('hgetall', 'r3:h').map)`,
		`redis.setresp(3) return redis.call('smembers', 'r3:s')`,
		`redis.setresp(3) return redis.call('smembers', 'r3:s').set.m1`,
		`redis.setresp(3) return redis.call('zscore', 'r3:z', 'a')`,
		`redis.setresp(3) return redis.call('zscore', 'r3:z', 'a').double`,
		`redis.setresp(3) return redis.call('zrange', 'r3:z', 0, -1, 'withscores')`,
		`redis.setresp(3) return redis.call('get', 'r3:nokey')`,
		`redis.setresp(3) return redis.call('get', 'r3:nokey') == nil`,
		`redis.setresp(3) return {redis.call('get', 'r3:nokey')}`,
		`redis.setresp(3) return redis.call('hrandfield', 'r3:nokey', 2)`,
		`redis.setresp(3) return redis.call('config', 'get', 'maxmemory')`,
		`redis.setresp(3) return redis.call('zadd', 'r3:z', 'incr', 1, 'a')`,
		`redis.setresp(3) return redis.call('zincrby', 'r3:z', 1, 'a')`,
		`redis.setresp(3) return redis.call('zpopmin', 'r3:nokey')`,
		`redis.setresp(3) return redis.call('lpos', 'r3:nokey', 'x')`,
		`redis.setresp(2) return redis.call('hgetall', 'r3:h')`,
		`redis.setresp(3) redis.setresp(2) return redis.call('zscore', 'r3:z', 'a')`,
		`redis.setresp(3) return true`, `redis.setresp(3) return false`, `redis.setresp(3) return nil`,
		`redis.setresp(3) return {double=2.5}`, `redis.setresp(3) return {big_number='123'}`,
		`redis.setresp(3) return {verbatim_string={format='txt', string='v'}}`,
		`redis.setresp(3) return {map={k='v'}}`, `redis.setresp(3) return {set={m=true}}`,
	}
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			p.Both("HSET", "r3:h", "f1", "v1")
			p.Both("SADD", "r3:s", "m1")
			p.Both("ZADD", "r3:z", "1.5", "a")
			evalAll(p, bodies...)
		})
	}
}

// TestScriptingErrors compares compile and runtime errors, global
// protection and the redis.* API.
func TestScriptingErrors(t *testing.T) {
	p := pair(t)
	p.Both("SET", "sc:str", "x")
	evalAll(p, scriptErrors...)
	p.Both("HELLO", "3")
	evalAll(p, scriptErrors...)
}

// TestScriptingLibraries compares cjson, cmsgpack, bit and struct.
func TestScriptingLibraries(t *testing.T) {
	p := pair(t)
	evalAll(p,
		// cjson encode
		`return cjson.encode({1,2,3})`, `return cjson.encode({})`, `return cjson.encode({a='x/y\n"'})`,
		`return cjson.encode({1,nil,3})`, `return cjson.encode({[1]=1,[10]=2})`, `return cjson.encode({[1]=1,[20]=2})`,
		`return cjson.encode(1/3)`, `return cjson.encode(1e300)`, `return cjson.encode(0/0)`, `return cjson.encode(1/0)`,
		`return cjson.encode(cjson.null)`, `return cjson.encode(function() end)`, `return cjson.encode({[true]=1})`,
		`return cjson.encode('\1\127\128\255')`, `return cjson.encode({[1.5]=1})`, `return cjson.encode(12345678901234567)`,
		`return cjson.encode(true)`, `return cjson.encode(nil)`, `return cjson.encode('')`, `return cjson.encode({{},{{}}})`,
		`return cjson.encode({b={c={d='e'}}})`, `return cjson.encode(-0)`, `return cjson.encode(100)`,
		`return cjson.encode(0.1)`, `return cjson.encode('\t\b\f\r')`, `return cjson.encode()`,
		`local t = {} local c = t for i = 1, 1100 do c[1] = {} c = c[1] end return cjson.encode(t)`,
		// cjson decode
		`return cjson.decode('[1,2,{"a":null}]')[3].a == cjson.null`, `return cjson.decode('{bad')`,
		`return cjson.decode('[1,2')`, `return cjson.decode('"\\u00e9"')`, `return cjson.decode('"\\ud83d\\ude00"')`,
		`return cjson.decode('1e2')`, `return type(cjson.null)`, `return cjson.decode('[1,2,3]')`,
		`return cjson.decode('')`, `return cjson.decode('nul')`, `return cjson.decode('[1,]')`,
		`return cjson.decode('{"a":1,}')`, `return cjson.decode('"abc')`, `return cjson.decode('  [true, false] ')`,
		`return cjson.decode('0x10')`, `return cjson.decode('[-0]')[1]`, `return cjson.decode('{"a":{"b":[1,"x"]}}').a.b`,
		`return cjson.decode('"a\\nb\\t\\"q\\"\\/"')`, `return cjson.decode('[1] x')`, `return cjson.decode('"\\x"')`,
		`return cjson.decode('"\\u12"')`, `return cjson.decode('{"a" 1}')`, `return cjson.decode('{"a":1 "b":2}')`,
		`return cjson.decode('-')`, `return cjson.decode('1.5e3')`, `return cjson.decode('3.25')`, `return cjson.decode()`,
		`return cjson.decode(cjson.encode({x={1,2,{y='z'}}})).x[3].y`,
		`return string.rep('[', 1100)`, `return pcall(cjson.decode, string.rep('[', 1100))`,
		`return cjson.decode(string.rep('[', 1100))`,
		// cmsgpack
		`return cmsgpack.pack(1)`, `return cmsgpack.pack(-1)`, `return cmsgpack.pack(200)`, `return cmsgpack.pack(70000)`,
		`return cmsgpack.pack(5000000000)`, `return cmsgpack.pack(-200)`, `return cmsgpack.pack(-40000)`,
		`return cmsgpack.pack(-5000000000)`, `return cmsgpack.pack(1.5)`, `return cmsgpack.pack(0.1)`,
		`return cmsgpack.pack('abc')`, `return cmsgpack.pack(string.rep('x', 40))`, `return cmsgpack.pack(string.rep('x', 300))`,
		`return cmsgpack.pack(true, false, nil)`, `return cmsgpack.pack({1, 2, 3})`, `return cmsgpack.pack({})`,
		`return cmsgpack.pack({a=1})`, `return cmsgpack.pack({1, nil, 3})`, `return cmsgpack.pack({{{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}}})`,
		`return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}, 5.5, true))}`, `return cmsgpack.unpack(cmsgpack.pack({a='b'})).a`,
		`return cmsgpack.unpack('\199')`, `return cmsgpack.unpack('\205\1')`, `return cmsgpack.unpack(cmsgpack.pack(-5000000000))`,
		`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}`, `return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}`,
		`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}`, `return cmsgpack.pack()`,
		`return cmsgpack.pack(string.rep('x', 70000)):len()`, `return cmsgpack.pack(function() end)`,
		// bit
		`return bit.band(0xff, 0x0f)`, `return bit.bor(1, 2, 4)`, `return bit.bxor(5, 3)`, `return bit.bnot(0)`,
		`return bit.lshift(1, 31)`, `return bit.rshift(-1, 28)`, `return bit.arshift(-256, 4)`, `return bit.rol(0x12345678, 8)`,
		`return bit.ror(0x12345678, 8)`, `return bit.bswap(0x12345678)`, `return bit.tohex(255)`, `return bit.tohex(-1, -4)`,
		`return bit.tohex(0x1234, 2)`, `return bit.tobit(2^32 + 5)`, `return bit.tobit(1.5)`, `return bit.tobit(2.5)`,
		`return bit.band()`, `return bit.band('x')`, `return bit.lshift(1, 33)`,
		// struct
		`return struct.pack('>I2', 513)`, `return struct.pack('<i4', -2)`, `return struct.pack('b', -1)`,
		`return {struct.unpack('>I2', struct.pack('>I2', 513))}`, `return {struct.unpack('<i4', struct.pack('<i4', -2))}`,
		`return struct.pack('s', 'hi')`, `return {struct.unpack('s', 'hi\0rest')}`, `return struct.pack('c3', 'abcdef')`,
		`return struct.size('>I2i4')`, `return struct.pack('>d', 1.5)`, `return {struct.unpack('>d', struct.pack('>d', 1.5))}`,
		`return struct.pack('>hH', -2, 65535)`, `return {struct.unpack('>hH', struct.pack('>hH', -2, 65535))}`,
	)
}

// TestScriptingCommands covers SCRIPT LOAD/EXISTS/FLUSH/KILL/DEBUG,
// EVALSHA (NOSCRIPT, case-insensitive digests), numkeys errors, shebang
// flags and the _RO commands.
func TestScriptingCommands(t *testing.T) {
	p := pair(t)
	p.Both("SCRIPT", "FLUSH")
	p.CheckAll(Script(`
		SCRIPT LOAD "return 'loaded'"
		SCRIPT LOAD "return 1+"
		SCRIPT LOAD
		SCRIPT LOAD a b
		SCRIPT EXISTS 4e5a1ba2a3ddd3e0ffd9eb1e2a98c3b7c3bd7d25
		SCRIPT EXISTS 4E5A1BA2A3DDD3E0FFD9EB1E2A98C3B7C3BD7D25 nope 0000000000000000000000000000000000000000
		SCRIPT EXISTS
		EVALSHA 4e5a1ba2a3ddd3e0ffd9eb1e2a98c3b7c3bd7d25 0
		EVALSHA 4E5A1BA2A3DDD3E0FFD9EB1E2A98C3B7C3BD7D25 0
		EVALSHA_RO 4e5a1ba2a3ddd3e0ffd9eb1e2a98c3b7c3bd7d25 0
		EVALSHA 0000000000000000000000000000000000000000 0
		EVALSHA short 0
		EVALSHA short notanumber
		EVALSHA 0000000000000000000000000000000000000000 notanumber
		EVALSHA 0000000000000000000000000000000000000000 5
		EVAL "return 1" notanumber
		EVAL "return 1" 1
		EVAL "return 1" -1
		EVAL "return 1"
		EVAL "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}" 2 k1 k2 a1 a2
		EVAL "return {KEYS[1], ARGV[1], #KEYS, #ARGV}" 0 a1
		EVAL "return {#KEYS, #ARGV}" 3 k1 k2 k3
		EVAL "return KEYS" 0
		SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db
		SCRIPT FLUSH
		SCRIPT EXISTS 4e5a1ba2a3ddd3e0ffd9eb1e2a98c3b7c3bd7d25 e0e1f9fabfc9d4800c877a703b823ac0578ff8db
		EVALSHA 4e5a1ba2a3ddd3e0ffd9eb1e2a98c3b7c3bd7d25 0
		SCRIPT LOAD "return 'loaded'"
		SCRIPT FLUSH ASYNC
		SCRIPT FLUSH sync
		SCRIPT FLUSH bogus
		SCRIPT FLUSH sync extra
		SCRIPT KILL
		SCRIPT KILL extra
		SCRIPT DEBUG NO
		SCRIPT DEBUG bogus
		SCRIPT NOSUCH
		SCRIPT
		FUNCTION KILL
		EVAL_RO "return redis.call('get', 'ro:k')" 0
		EVAL_RO "return redis.call('set', 'ro:k', 'v')" 0
		EVAL_RO "return redis.pcall('set', 'ro:k', 'v')" 0
		EVAL_RO "return redis.call('del', 'ro:k')" 0
		EVAL_RO "return redis.call('publish', 'ch', 'm')" 0
		EVAL_RO "return redis.call('incr', 'ro:k')" 1 ro:k
		EVAL "#!lua\nreturn 1" 0
		EVAL "#!lua flags=no-writes\nreturn redis.call('set', 'ro:k', 'v')" 0
		EVAL "#!lua flags=no-writes\nreturn redis.call('get', 'ro:k')" 0
		EVAL_RO "#!lua flags=no-writes\nreturn 'ro ok'" 0
		EVAL_RO "#!lua\nreturn 'ro write flag'" 0
		EVAL "#!lua flags=allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2" 0
		EVAL "#!lua flags=bogus\nreturn 1" 0
		EVAL "#!lua flags=\nreturn 1" 0
		EVAL "#!lua bogus=1\nreturn 1" 0
		EVAL "#!python\nreturn 1" 0
		EVAL "#!lua" 0
		EVAL "#! \nreturn 1" 0
		EVAL "#!lua\nreturn 1+" 0
		EVAL "#!lua\n\nerror('third line')" 0
		EVAL "return redis.call('get', KEYS[1])" 1 ro:k
		EVAL "return redis.call('set', KEYS[1], ARGV[1])" 1 ro:k v1
		EVAL "return redis.call('get', 'ro:k')" 0
		EVAL "redis.call('select', 3) redis.call('set', 'db3', 'x') return redis.call('dbsize')" 0
		EXISTS db3
		SELECT 3
		GET db3
		EVAL "return redis.call('get', 'db3')" 0
		DEL db3
		SELECT 0
	`))
	p.Check("EVAL", "return 'loaded'", "0")
	p.Check("SCRIPT", "EXISTS", "4e5a1ba2a3ddd3e0ffd9eb1e2a98c3b7c3bd7d25")
}

// TestScriptingUndeclaredKeys runs scripts that touch keys they did not
// declare in KEYS, as job-queue libraries do.
func TestScriptingUndeclaredKeys(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH q:waiting j1 j2 j3
		EVAL "local j = redis.call('rpoplpush', KEYS[1], 'q:active') redis.call('hset', 'q:job:' .. j, 'state', 'active') redis.call('incr', 'q:stats:moved') return j" 1 q:waiting
		EVAL "local j = redis.call('rpoplpush', KEYS[1], 'q:active') redis.call('hset', 'q:job:' .. j, 'state', 'active') redis.call('incr', 'q:stats:moved') return j" 1 q:waiting
		LRANGE q:active 0 -1
		HGETALL q:job:j3
		GET q:stats:moved
		EVAL "local n = 0 for i = 1, 50 do n = n + redis.call('incr', 'q:many:' .. i) end return n" 0
		EVAL "return redis.call('mget', 'q:many:1', 'q:many:25', 'q:many:50', 'q:nope')" 0
		EVAL "return #redis.call('keys', 'q:many:*')" 0
		EVAL "redis.call('flushdb') return redis.call('dbsize')" 0
		DBSIZE
	`))
}

// TestScriptingRandomized runs seeded random command sequences twice on
// each server: one command at a time, and wrapped one per script (with
// redis.pcall, the reply returned), comparing every reply.
func TestScriptingRandomized(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	keys := []string{"rk:a", "rk:b", "rk:c", "rk:d"}
	gen := func(r *rand.Rand) []string {
		k := keys[r.IntN(len(keys))]
		v := strconv.Itoa(r.IntN(20))
		switch r.IntN(16) {
		case 0:
			return []string{"set", k, v}
		case 1:
			return []string{"get", k}
		case 2:
			return []string{"incr", k}
		case 3:
			return []string{"lpush", k, v}
		case 4:
			return []string{"lrange", k, "0", "-1"}
		case 5:
			return []string{"hset", k, "f" + v, v}
		case 6:
			return []string{"hgetall", k}
		case 7:
			return []string{"sadd", k, v}
		case 8:
			return []string{"scard", k}
		case 9:
			return []string{"zadd", k, v, "m" + v}
		case 10:
			return []string{"zrange", k, "0", "-1", "withscores"}
		case 11:
			return []string{"del", k}
		case 12:
			return []string{"exists", k, keys[r.IntN(len(keys))]}
		case 13:
			return []string{"type", k}
		case 14:
			return []string{"append", k, v}
		default:
			return []string{"incrbyfloat", k, v + ".5"}
		}
	}
	quote := func(args []string) string {
		q := make([]string, len(args))
		for i, a := range args {
			q[i] = "'" + a + "'"
		}
		return strings.Join(q, ", ")
	}
	const n = 1500
	for i := 0; i < n; i++ {
		cmd := gen(r)
		if r.IntN(2) == 0 {
			p.Check(cmd...)
			continue
		}
		p.Check("EVAL", fmt.Sprintf("return redis.pcall(%s)", quote(cmd)), "0")
		if i%100 == 0 {
			// A batch of commands in one script, their replies in a table.
			var b strings.Builder
			b.WriteString("local r = {} ")
			for j := 0; j < 10; j++ {
				fmt.Fprintf(&b, "r[#r+1] = redis.pcall(%s) ", quote(gen(r)))
			}
			b.WriteString("return r")
			p.Check("EVAL", b.String(), "0")
		}
	}
	for _, k := range keys {
		p.Check("TYPE", k)
		p.Check("EVAL", "local t = redis.call('type', KEYS[1]).ok if t == 'string' then return redis.call('get', KEYS[1]) elseif t == 'list' then return redis.call('lrange', KEYS[1], 0, -1) elseif t == 'zset' then return redis.call('zrange', KEYS[1], 0, -1, 'withscores') end return t", "1", k)
	}
}

// TestScriptingInMulti runs scripts inside MULTI/EXEC and EVAL's effect on
// WATCH.
func TestScriptingInMulti(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		MULTI
		EVAL "return redis.call('incr', 'm:k')" 0
		EVAL "return redis.call('get', 'm:k')" 0
		EVAL "return redis.call('nosuch')" 0
		EXEC
		WATCH m:k
		EVAL "return redis.call('incr', 'm:k')" 0
		MULTI
		GET m:k
		EXEC
		WATCH m:k
		EVAL "return redis.call('get', 'm:k')" 0
		MULTI
		GET m:k
		EXEC
	`))
}
