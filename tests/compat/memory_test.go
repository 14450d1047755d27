package compat

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// memResetPolicy restores the memory directives the tests change on the
// shared servers.
func memResetPolicy(p *Pair) {
	p.Both("CONFIG", "SET", "maxmemory", "0")
	p.Both("CONFIG", "SET", "maxmemory-policy", "noeviction")
	p.Both("CONFIG", "SET", "maxmemory-samples", "5")
	p.Both("CONFIG", "SET", "maxmemory-eviction-tenacity", "10")
	p.Both("CONFIG", "SET", "lfu-log-factor", "10")
	p.Both("CONFIG", "SET", "lfu-decay-time", "1")
}

// TestMemoryOOM drives both servers over a 1-byte maxmemory: denyoom
// commands fail with the same error, reads and deletes work, and inside
// MULTI everything but EXEC and DISCARD is refused.
func TestMemoryOOM(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { memResetPolicy(p) })
	p.CheckAll(Script(`
		SET a 1
		RPUSH l x y
		CONFIG SET maxmemory 1
		SET b 2
		INCR a
		APPEND a x
		LPUSH l z
		HSET h f v
		SADD s m
		ZADD z 1 m
		XADD st * f v
		PFADD hll a
		SETBIT bits 1 1
		GET a
		LRANGE l 0 -1
		EXISTS a b
		DEL a
		LPOP l
		PING
		ECHO hi
		EXPIRE l 100
		PERSIST l
		MULTI
		PING
		GET l
		SET x 1
		EXEC
		MULTI
		DISCARD
		CONFIG SET maxmemory-policy volatile-lru
		SET c 3
		CONFIG SET maxmemory-policy volatile-ttl
		SET c 3
		CONFIG SET maxmemory-policy volatile-random
		SET c 3
		CONFIG SET maxmemory 0
		SET b 2
		GET b
		MULTI
		SET c 3
		EXEC
	`))
}

// TestMemoryConfig round-trips every maxmemory directive through CONFIG
// SET and GET, units and errors included.
func TestMemoryConfig(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { memResetPolicy(p) })
	p.CheckAll(Script(`
		CONFIG GET maxmemory
		CONFIG SET maxmemory 10mb
		CONFIG GET maxmemory
		CONFIG SET maxmemory 1gb
		CONFIG GET maxmemory
		CONFIG SET maxmemory 100KB
		CONFIG GET maxmemory
		CONFIG SET maxmemory 12345
		CONFIG GET maxmemory
		CONFIG SET maxmemory -1
		CONFIG SET maxmemory abc
		CONFIG SET maxmemory 10xb
		CONFIG SET maxmemory 0
		CONFIG GET maxmemory-policy
		CONFIG SET maxmemory-policy allkeys-lru
		CONFIG SET maxmemory-policy ALLKEYS-LFU
		CONFIG GET maxmemory-policy
		CONFIG SET maxmemory-policy volatile-lfu
		CONFIG SET maxmemory-policy volatile-random
		CONFIG SET maxmemory-policy allkeys-random
		CONFIG SET maxmemory-policy volatile-ttl
		CONFIG SET maxmemory-policy volatile-lru
		CONFIG GET maxmemory-policy
		CONFIG SET maxmemory-policy lru
		CONFIG SET maxmemory-policy noeviction
		CONFIG SET maxmemory-samples 10
		CONFIG GET maxmemory-samples
		CONFIG SET maxmemory-samples 0
		CONFIG SET maxmemory-samples x
		CONFIG SET maxmemory-eviction-tenacity 100
		CONFIG GET maxmemory-eviction-tenacity
		CONFIG SET maxmemory-eviction-tenacity 101
		CONFIG SET maxmemory-eviction-tenacity -1
		CONFIG SET lfu-log-factor 5
		CONFIG SET lfu-decay-time 0
		CONFIG GET lfu-log-factor
		CONFIG GET lfu-decay-time
		CONFIG SET lfu-log-factor -1
		CONFIG SET maxmemory 5mb maxmemory-policy allkeys-lru
		CONFIG GET maxmemory
		CONFIG GET maxmemory-policy
		CONFIG SET maxmemory 6mb maxmemory-policy bogus
		CONFIG GET maxmemory
	`))
}

// TestMemoryUsageErrors compares MEMORY USAGE on missing keys and every
// option error, and the container's errors.
func TestMemoryUsageErrors(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		MEMORY USAGE nokey
		MEMORY USAGE nokey SAMPLES 5
		MEMORY USAGE nokey SAMPLES 0
		MEMORY USAGE nokey samples 100
		MEMORY USAGE nokey SAMPLES -1
		MEMORY USAGE nokey SAMPLES x
		MEMORY USAGE nokey SAMPLES
		MEMORY USAGE nokey foo
		MEMORY USAGE nokey SAMPLES 1 SAMPLES 2
		MEMORY USAGE nokey SAMPLES 1 foo
		MEMORY USAGE
		MEMORY
		MEMORY foo
		MEMORY HELP extra
		MEMORY STATS extra
		MEMORY DOCTOR extra
		MEMORY PURGE extra
		MEMORY MALLOC-STATS extra
		MEMORY PURGE
		SET k v
		MEMORY USAGE k SAMPLES -1
		MEMORY USAGE k foo
		COMMAND GETKEYS MEMORY USAGE k
		COMMAND GETKEYS MEMORY USAGE k SAMPLES 3
	`))
	// An existing key: an integer on both (the sizes differ).
	for _, c := range []*Conn{p.Redis, p.Ember} {
		for _, args := range [][]string{{"MEMORY", "USAGE", "k"}, {"MEMORY", "USAGE", "k", "SAMPLES", "0"}} {
			r, err := c.Do(args...)
			if err != nil || len(r) < 2 || r[0] != ':' {
				t.Errorf("%s: %q %v", Show(args), r, err)
			}
		}
	}
}

// TestMemoryCommandInfo compares COMMAND INFO of MEMORY and its
// subcommands.
func TestMemoryCommandInfo(t *testing.T) {
	p := pair(t)
	p.Normalize = genSortSubcommands
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		p.Check("COMMAND", "INFO", "memory")
		for _, sub := range []string{"doctor", "help", "malloc-stats", "purge", "stats", "usage"} {
			p.Check("COMMAND", "INFO", "memory|"+sub)
		}
	}
	p.Both("HELLO", "2")
}

// TestMemoryHelpDoctorShape checks the replies whose text is Ember's own
// (help, doctor, allocator statistics) for their type and, for HELP, for
// naming every subcommand; MEMORY DOCTOR on an empty server is a bulk
// string (verbatim in RESP3) on both.
func TestMemoryHelpDoctorShape(t *testing.T) {
	p := pair(t)
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		for _, c := range []*Conn{p.Redis, p.Ember} {
			help, err := c.Do("MEMORY", "HELP")
			if err != nil {
				t.Fatal(err)
			}
			tree, err := parseReplyTree(help)
			if err != nil || tree.kind != '*' {
				t.Fatalf("MEMORY HELP: %q %v", help, err)
			}
			var all strings.Builder
			for _, e := range tree.elems {
				if e.kind != '+' {
					t.Fatalf("MEMORY HELP line %q is not a status reply", e.head)
				}
				all.WriteString(e.text() + "\n")
			}
			for _, sub := range []string{"DOCTOR", "MALLOC-STATS", "PURGE", "STATS", "USAGE", "HELP"} {
				if !strings.Contains(all.String(), "\n"+sub) {
					t.Errorf("MEMORY HELP does not name %s:\n%s", sub, all.String())
				}
			}
		}
		rd, _ := p.Redis.Do("MEMORY", "DOCTOR")
		ed, _ := p.Ember.Do("MEMORY", "DOCTOR")
		if len(rd) == 0 || len(ed) == 0 || rd[0] != ed[0] {
			t.Errorf("RESP%s MEMORY DOCTOR: redis %q, ember %q", proto, rd, ed)
		}
		if proto == "3" && !bytes.Contains(ed, []byte("txt:")) {
			t.Errorf("RESP3 MEMORY DOCTOR is not a txt verbatim string: %q", ed)
		}
	}
	p.Both("HELLO", "2")
}

// memFieldNames reduces an INFO reply to its section headers and field
// names, in order.
func memFieldNames(_ []string, reply []byte) []byte {
	t, err := parseReplyTree(reply)
	if err != nil || (t.kind != '$' && t.kind != '=') {
		return reply
	}
	var names []string
	for _, line := range strings.Split(string(t.body), "\r\n") {
		name, _, _ := strings.Cut(line, ":")
		names = append(names, name)
	}
	return []byte(strings.Join(names, "\n"))
}

// TestMemoryInfoFields compares the field names and order of INFO memory
// and INFO stats (the values are each server's own).
func TestMemoryInfoFields(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { memResetPolicy(p) })
	p.Normalize = memFieldNames
	p.Check("INFO", "memory")
	p.Check("INFO", "stats")
	p.Both("CONFIG", "SET", "maxmemory", "100mb")
	p.Both("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
	p.Check("INFO", "memory")
	p.Normalize = nil
	// maxmemory, maxmemory_human and maxmemory_policy read the same.
	for _, field := range []string{"maxmemory:104857600\r\n", "maxmemory_human:100.00M\r\n", "maxmemory_policy:allkeys-lru\r\n"} {
		for name, c := range map[string]*Conn{"redis": p.Redis, "ember": p.Ember} {
			r, err := c.Do("INFO", "memory")
			if err != nil || !bytes.Contains(r, []byte(field)) {
				t.Errorf("%s INFO memory lacks %q", name, field)
			}
		}
	}
}

// memStatsShape keeps MEMORY STATS's keys and the type of each value.
func memStatsShape(_ []string, reply []byte) []byte {
	t, err := parseReplyTree(reply)
	if err != nil {
		return reply
	}
	var blank func(n *replyTree)
	blank = func(n *replyTree) {
		for i := 1; i < len(n.elems); i += 2 {
			v := n.elems[i]
			switch v.kind {
			case ':':
				v.head = []byte(":0\r\n")
			case '$', ',':
				v.kind, v.head, v.body = '$', []byte("$1\r\n"), []byte("d")
			case '*', '%':
				blank(v)
			}
		}
	}
	blank(t)
	return t.encode()
}

// TestMemoryStatsShape compares MEMORY STATS's keys, order and value
// types, with and without keys (a per-database entry appears).
func TestMemoryStatsShape(t *testing.T) {
	p := pair(t)
	p.Normalize = memStatsShape
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		p.Both("FLUSHALL")
		p.Check("MEMORY", "STATS")
		p.Both("SET", "k", "v")
		p.Both("SELECT", "3")
		p.Both("SET", "k", "v")
		p.Both("EXPIRE", "k", "100")
		p.Both("SELECT", "0")
		p.Check("MEMORY", "STATS")
	}
	p.Both("HELLO", "2")
	p.Both("FLUSHALL")
}

// TestMemoryEvictionDifferential fills both servers past the same
// maxmemory under allkeys-lru and volatile-lru: writes keep succeeding
// while keys can go, evicted_keys moves on both, and a volatile policy
// with no volatile keys refuses writes on both.
func TestMemoryEvictionDifferential(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { memResetPolicy(p); p.Both("FLUSHALL") })
	for _, c := range []*Conn{p.Redis, p.Ember} {
		used := memInfoInt(t, c, "used_memory")
		mustOK(t, c, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
		mustOK(t, c, "CONFIG", "SET", "maxmemory", itoa(used+512<<10))
	}
	val := strings.Repeat("x", 500)
	for i := 0; i < 4000; i++ {
		p.Check("SET", "key:"+itoa(int64(i)), val)
	}
	for name, c := range map[string]*Conn{"redis": p.Redis, "ember": p.Ember} {
		if memInfoInt(t, c, "evicted_keys") == 0 {
			t.Errorf("%s evicted nothing", name)
		}
		if used, max := memInfoInt(t, c, "used_memory"), memInfoInt(t, c, "maxmemory"); used > max+64<<10 {
			t.Errorf("%s used_memory %d over maxmemory %d", name, used, max)
		}
	}
	p.Both("CONFIG", "SET", "maxmemory-policy", "volatile-lru")
	for i := 4000; i < 6000; i++ {
		p.Both("SET", "key:"+itoa(int64(i)), val)
	}
	// Both are now full of keys without a TTL: writes fail alike.
	p.Check("SET", "one-more", val)
	p.Check("GET", "nokey")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// memInfoInt reads an integer field of INFO (memory and stats).
func memInfoInt(t *testing.T, c *Conn, field string) int64 {
	t.Helper()
	r, err := c.Do("INFO", "everything")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(r), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %q", field, v)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", field)
	return 0
}

func mustOK(t *testing.T, c *Conn, args ...string) {
	t.Helper()
	if r, err := c.Do(args...); err != nil || string(r) != "+OK\r\n" {
		t.Fatalf("%s: %q %v", Show(args), r, err)
	}
}
