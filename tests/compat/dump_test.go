package compat

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/ember-kv/ember/internal/rdb"
)

// dumpBulk returns the payload of a raw bulk reply, or fails.
func dumpBulk(t *testing.T, raw []byte) string {
	t.Helper()
	s := string(raw)
	i := strings.Index(s, "\r\n")
	if !strings.HasPrefix(s, "$") || i < 0 {
		t.Fatalf("not a bulk reply: %q", raw)
	}
	n, err := strconv.Atoi(s[1:i])
	if err != nil || n < 0 || len(s) < i+2+n+2 {
		t.Fatalf("bad bulk reply: %q", raw)
	}
	return s[i+2 : i+2+n]
}

// dumpSeal appends the RDB version and checksum to an object's bytes.
func dumpSeal(obj []byte, version uint16) string {
	b := binary.LittleEndian.AppendUint16(obj, version)
	return string(binary.LittleEndian.AppendUint64(b, rdb.CRC64(0, b)))
}

// dumpCompare checks that key holds the same value on both servers.
func dumpCompare(p *Pair, key string) {
	p.T.Helper()
	p.Check("TYPE", key)
	p.Check("OBJECT", "ENCODING", key)
	p.Normalize = nil
	switch typ := strings.TrimSpace(strings.TrimPrefix(string(p.Check("TYPE", key)), "+")); typ {
	case "string":
		p.Check("GET", key)
	case "list":
		p.Check("LRANGE", key, "0", "-1")
	case "set":
		p.Normalize = func(_ []string, r []byte) []byte { return SortedArray(r) }
		p.Check("SMEMBERS", key)
	case "hash":
		p.Normalize = func(_ []string, r []byte) []byte { return SortedArray(r) }
		p.Check("HGETALL", key)
	case "zset":
		p.Check("ZRANGE", key, "0", "-1", "WITHSCORES")
	}
	p.Normalize = nil
}

// TestDumpRestore restores Redis's DUMP payloads of every encoding into
// both servers, and Ember's payloads into both (Redis must accept what
// Ember writes), then compares the values; and compares RESTORE's
// options, errors and TTL handling.
func TestDumpRestore(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET d:int 12
		SET d:neg -200
		SET d:big 1234567890123
		SET d:long "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		SET d:bin "a\x00b\r\n\xff"
		RPUSH d:list a 1 -5 300 70000 -9000000 9223372036854775807 -9223372036854775808 ""
		SADD d:iset 1 2 -70000 5000000000
		SADD d:set a b 1
		HSET d:hash a 1 b xxxxxxxxxx c -4096 d ""
		ZADD d:zset 1 a 2.5 b -inf c inf d 1e300 e 0.1 f
	`))
	r := Rand(t)
	var bigList, bigSet, bigHash, bigZset []string
	for i := range 700 {
		bigList = append(bigList, strings.Repeat(strconv.Itoa(i), r.IntN(8)))
		bigSet = append(bigSet, strconv.Itoa(r.IntN(100000)))
		bigHash = append(bigHash, fmt.Sprintf("f%d", i), strconv.Itoa(r.IntN(1000)))
		bigZset = append(bigZset, strconv.FormatFloat(r.Float64()*100, 'f', -1, 64), fmt.Sprintf("m%d", i))
	}
	p.Check(append([]string{"RPUSH", "d:blist"}, bigList...)...)
	p.Check(append([]string{"SADD", "d:bset"}, bigSet...)...)
	p.Check(append([]string{"SADD", "d:bset2"}, append(bigSet, "x")...)...)
	p.Check(append([]string{"HSET", "d:bhash"}, bigHash...)...)
	p.Check(append([]string{"ZADD", "d:bzset"}, bigZset...)...)
	p.Check("RPUSH", "d:hugeitem", strings.Repeat("y", 20000), "z")
	keys := []string{"d:int", "d:neg", "d:big", "d:long", "d:bin", "d:list", "d:iset", "d:set", "d:hash",
		"d:zset", "d:blist", "d:bset", "d:bset2", "d:bhash", "d:bzset", "d:hugeitem"}
	// Payloads whose layout does not depend on hash table order are
	// byte-identical (multi-node quicklists included).
	for _, k := range []string{"d:int", "d:neg", "d:big", "d:long", "d:bin", "d:list", "d:iset", "d:hash",
		"d:zset", "d:blist", "d:bzset", "d:hugeitem"} {
		p.Check("DUMP", k)
	}
	checked := 0
	for _, k := range keys {
		fromRedis, err := p.Redis.Do("DUMP", k)
		if err != nil {
			t.Fatal(err)
		}
		fromEmber, err := p.Ember.Do("DUMP", k)
		if err != nil {
			t.Fatal(err)
		}
		for _, payload := range []string{dumpBulk(t, fromRedis), dumpBulk(t, fromEmber)} {
			p.Check("RESTORE", "r:"+k, "0", payload, "REPLACE")
			dumpCompare(p, "r:"+k)
			checked++
		}
	}
	// Options and errors.
	good := dumpBulk(t, p.Check("DUMP", "d:int"))
	p.Check("DUMP", "d:nosuch")
	p.Check("RESTORE", "d:int", "0", good)
	p.Check("RESTORE", "d:new", "abc", good)
	p.Check("RESTORE", "d:new", "-1", good)
	p.Check("RESTORE", "d:new", "0", good, "FOO")
	p.Check("RESTORE", "d:new", "0", good, "IDLETIME")
	p.Check("RESTORE", "d:new", "0", good, "IDLETIME", "-1")
	p.Check("RESTORE", "d:new", "0", good, "IDLETIME", "x")
	p.Check("RESTORE", "d:new", "0", good, "FREQ", "256")
	p.Check("RESTORE", "d:new", "0", good, "FREQ", "-1")
	p.Check("RESTORE", "d:new", "0", good, "IDLETIME", "5", "FREQ", "5")
	p.Check("RESTORE", "d:new", "0", good, "FREQ", "5", "IDLETIME", "5")
	p.Check("RESTORE", "d:new", "0", "short")
	p.Check("RESTORE", "d:new", "0", good[:len(good)-1]+"x")
	p.Check("RESTORE", "d:new", "0", dumpSeal([]byte{0}, 11))
	for _, obj := range [][]byte{
		{99},                   // unknown type
		{2, 0},                 // empty set
		{0, 5, 'a'},            // truncated string
		{2, 2, 1, 'a', 1, 'a'}, // duplicate set member
		{0, 0xc3, 3, 5, 0x04, 'a', 'b', 'c', 'd', 'e'}, // LZF length mismatch
		{16, 3, 1, 2, 3}, // broken listpack
		{0, 0xc3, 0xc6, 0xc5, 4, 'a', 'b', 'c', 'd', 'e'}, // LZF lengths in encoded form
		{0, 0xc3, 0, 0},                  // empty LZF string
		{0, 0xc3, 2, 0, 0, 'a'},          // LZF data for an empty string
		{0, 0xc3, 0, 1},                  // no LZF data for 1 byte
		{0, 0xc3, 3, 1, 1, 'a', 'b'},     // LZF literal longer than the string
		{0, 0xc3, 4, 3, 0, 'a', 0x20, 5}, // LZF reference before the start
		{0, 0xc4, 1, 'a'},                // unknown string encoding
		{0, 0x82, 0, 0, 0, 1, 'a'},       // unknown length encoding
		{2, 0xc1, 1, 'a'},                // set length in encoded form
		{18, 1, 0xc2, 3, 2, 'a', 'b'},    // quicklist container in encoded form
	} {
		p.Check("RESTORE", "d:bad", "0", dumpSeal(obj, 10), "REPLACE")
		p.Check("GET", "d:bad")
	}
	p.Check("RESTORE", "d:new", "0", dumpSeal([]byte{0, 3, 'a', 'b', 'c'}, 9), "REPLACE")
	p.Check("GET", "d:new")
	p.Check("RESTORE", "d:new", "0", good, "IDLETIME", "1000", "REPLACE", "ABSTTL")
	p.Check("OBJECT", "IDLETIME", "d:new")
	p.Check("RESTORE", "d:ttl", "100000", good)
	p.Check("TTL", "d:ttl")
	p.Check("RESTORE", "d:abs", "1", good, "ABSTTL")
	p.Check("EXISTS", "d:abs")
	p.Check("RESTORE", "d:int", "1", good, "ABSTTL", "REPLACE")
	p.Check("EXISTS", "d:int")
	p.Check("RESTORE", "d:abs2", "99999999999999", good, "ABSTTL")
	p.Check("PEXPIRETIME", "d:abs2")
	p.Check("SET", "d:str", "v")
	p.Check("RESTORE", "d:str", "0", dumpBulk(t, p.Check("DUMP", "d:list")), "REPLACE")
	p.Check("LRANGE", "d:str", "0", "-1")
	t.Logf("%d payloads cross-restored", checked)
}

// TestDumpPayloadBytes compares DUMP payloads byte for byte: for every
// encoding whose layout does not depend on hash table order, Ember must
// write exactly what Redis writes, LZF-compressed strings, listpacks,
// quicklist nodes and intsets included. Each payload is then restored
// into both servers.
func TestDumpPayloadBytes(t *testing.T) {
	p := pair(t)
	long := func(unit string, n int) string { return strings.Repeat(unit, n/len(unit)+1)[:n] }
	p.Check("SET", "db:s21", long("a", 21))
	p.Check("SET", "db:s20", long("a", 20))
	p.Check("SET", "db:text", long("hello world, ", 500))
	p.Check("SET", "db:big", long("0123456789abcdef", 100000))
	p.Check("SET", "db:noise", "q8Zr1xV0pL3mN7bT5yK2wE9sU4hJ6gF")
	p.Check("SET", "db:int", "123456789")
	p.Check("SET", "db:bigint", "12345678901234567")
	p.Check("SETRANGE", "db:raw", "30", long("xyz", 40))
	p.Check("APPEND", "db:app", long("ab", 60))
	p.Check("HSET", "db:hlp", "greeting", long("hello ", 60), "n", "1", "long", long("na", 64))
	p.Check("HSET", "db:hht", "only", long("value ", 200))
	p.Check("RPUSH", "db:list", long("abc", 30), long("abc", 30), "7", "-70000", long("zz", 300))
	p.Check("RPUSH", "db:plain", long("y", 9000))
	p.Check(append([]string{"SADD", "db:iset"}, strings.Fields("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 -5 70000 5000000000")...)...)
	p.Check("SADD", "db:sht", long("member ", 100))
	p.Check("ZADD", "db:zlp", "1", long("member-", 27), "2.5", long("member-", 28), "-inf", "x", "1e300", "y")
	p.Check("ZADD", "db:zsl", "1", long("m", 70), "2", long("n", 80), "2", long("mm", 90), "0.1", "short", "inf", "z")
	keys := []string{"db:s21", "db:s20", "db:text", "db:big", "db:noise", "db:int", "db:bigint", "db:raw", "db:app",
		"db:hlp", "db:hht", "db:list", "db:plain", "db:iset", "db:sht", "db:zlp", "db:zsl"}
	// Randomized values of every byte-comparable encoding.
	r := Rand(t)
	word := func() string {
		units := []string{"a", "ab", "abc", "hello ", "0123456789", "x\x00y", "redis-", "~"}
		n := r.IntN(120)
		if r.IntN(5) == 0 {
			n = r.IntN(3000)
		}
		var b strings.Builder
		for b.Len() < n {
			if r.IntN(4) == 0 {
				b.WriteByte(byte('A' + r.IntN(26)))
			} else {
				b.WriteString(units[r.IntN(len(units))])
			}
		}
		return b.String()
	}
	cut := func(s string, n int) string { return s[:min(len(s), n)] }
	for i := range 200 {
		k := fmt.Sprintf("db:r%d", i)
		n := 1 + r.IntN(12)
		switch i % 6 {
		case 0:
			p.Check("SET", k, word())
		case 1:
			args := []string{"HSET", k}
			for j := range n {
				args = append(args, fmt.Sprintf("f%d", j), cut(word(), r.IntN(65))) // listpack
			}
			p.Check(args...)
		case 2:
			args := []string{"RPUSH", k}
			for range n {
				args = append(args, cut(word(), r.IntN(600)))
			}
			p.Check(args...)
		case 3:
			args := []string{"SADD", k}
			for range n * 5 {
				args = append(args, strconv.Itoa(r.IntN(1<<20)-1<<19))
			}
			p.Check(args...)
		case 4, 5:
			args := []string{"ZADD", k}
			for j := range n {
				m := fmt.Sprintf("%d-%s", j, word())
				if i%6 == 4 {
					m = cut(m, 60) // listpack
				}
				args = append(args, strconv.Itoa(r.IntN(100)), m)
			}
			p.Check(args...)
		}
		keys = append(keys, k)
	}
	for _, k := range keys {
		payload := dumpBulk(t, p.Check("DUMP", k))
		p.Check("RESTORE", "dbr:"+k, "0", payload, "REPLACE")
		dumpCompare(p, "dbr:"+k)
	}
	t.Logf("%d payloads identical", len(keys))
}

// TestMigrate runs the same MIGRATEs on both servers, each moving keys to
// the other one, and compares the replies, what is left at the source and
// what arrived at the target (database 5).
func TestMigrate(t *testing.T) {
	p := pair(t)
	rHost, rPort, _ := net.SplitHostPort(redisSrv.Addr)
	eHost, ePort, _ := net.SplitHostPort(emberSrv.Addr())
	// mig sends MIGRATE to both, each towards the other server.
	mig := func(rest ...string) {
		t.Helper()
		rr, err := p.Redis.Do(append([]string{"MIGRATE", eHost, ePort}, rest...)...)
		if err != nil {
			t.Fatal(err)
		}
		er, err := p.Ember.Do(append([]string{"MIGRATE", rHost, rPort}, rest...)...)
		if err != nil {
			t.Fatal(err)
		}
		if string(rr) != string(er) {
			t.Errorf("MIGRATE %q\n redis: %q\n ember: %q", rest, rr, er)
		}
	}
	// both runs a read on both servers' database 5 and compares.
	target := func(args ...string) {
		t.Helper()
		p.Both("SELECT", "5")
		p.Check(args...)
		p.Both("SELECT", "0")
	}
	p.Both("SELECT", "5")
	p.Both("FLUSHDB")
	p.Both("SELECT", "0")
	p.CheckAll(Script(`
		SET m:s hello
		RPUSH m:l a b c
		SET m:t x PX 500000
		HSET m:h f v
	`))
	mig("m:s", "5", "1000")
	p.Check("EXISTS", "m:s")
	target("GET", "m:s")
	mig("", "5", "1000", "KEYS", "m:l", "m:t", "m:nosuch")
	p.Check("EXISTS", "m:l", "m:t")
	target("LRANGE", "m:l", "0", "-1")
	target("TTL", "m:t")
	p.Check("SET", "m:s", "again")
	mig("m:s", "5", "1000") // BUSYKEY at the target
	p.Check("GET", "m:s")
	mig("m:s", "5", "1000", "COPY", "REPLACE")
	p.Check("GET", "m:s")
	target("GET", "m:s")
	mig("m:nosuch", "5", "1000")
	mig("", "5", "1000", "KEYS", "m:nosuch")
	mig("m:s", "5", "1000", "AUTH", "pw")
	mig("m:s", "5", "1000", "AUTH2", "user", "pw")
	mig("m:s", "5", "1000", "KEYS", "a")
	mig("m:s", "x", "1000")
	mig("m:s", "5", "x")
	mig("m:s", "5", "1000", "AUTH")
	mig("m:s", "5", "1000", "AUTH2", "u")
	mig("m:s", "5", "1000", "FOO")
	mig("m:s", "99", "1000") // SELECT fails at the target
	mig("m:h", "5", "0", "REPLACE")
	p.Check("EXISTS", "m:h")
	target("HGETALL", "m:h")
	p.Check("COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "5", "AUTH2", "KEYS", "x", "KEYS", "a", "b")
	p.Check("COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "5", "COPY")
}

// TestDumpRdbcompression: with rdbcompression off, DUMP and FUNCTION DUMP
// write strings uncompressed, as Redis does.
func TestDumpRdbcompression(t *testing.T) {
	p := pair(t)
	p.Both("FUNCTION", "FLUSH")
	t.Cleanup(func() {
		p.Both("CONFIG", "SET", "rdbcompression", "yes")
		p.Both("FUNCTION", "FLUSH")
	})
	p.CheckAll(Script(`
SET lz aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
HSET h f bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
FUNCTION LOAD "#!lua name=lzlib\n-- cccccccccccccccccccccccccccccccccccccccc\nredis.register_function('f', function() return 1 end)"
DUMP lz
DUMP h
FUNCTION DUMP
CONFIG SET rdbcompression no
DUMP lz
DUMP h
FUNCTION DUMP
`))
}
