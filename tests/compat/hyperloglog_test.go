package compat

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the HyperLogLog commands. HLLs are strings, so
// besides the replies every test compares the stored bytes (GET): the
// sparse opcodes, the dense registers and the cached cardinality must be
// Redis's byte for byte.

var hllCommands = []string{"pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest"}

func TestCommandInfoHyperLogLog(t *testing.T) {
	p := pair(t)
	for _, name := range hllCommands {
		p.Check("COMMAND", "INFO", name)
	}
	p.Check(append([]string{"COMMAND", "INFO"}, hllCommands...)...)
	p.Check("COMMAND", "GETKEYS", "PFMERGE", "d", "s1", "s2")
	p.Check("COMMAND", "GETKEYS", "PFCOUNT", "a", "b", "c")
	p.Check("COMMAND", "GETKEYS", "PFADD", "a", "x", "y")
	p.Check("COMMAND", "GETKEYS", "PFDEBUG", "ENCODING", "k")
}

// hllBulk extracts the body of a bulk reply ("" for anything else).
func hllBulk(reply []byte) string {
	if len(reply) < 4 || reply[0] != '$' || reply[1] == '-' {
		return ""
	}
	i := bytes.IndexByte(reply, '\n')
	return string(reply[i+1 : len(reply)-2])
}

// hllCheckKey compares the stored bytes and encoding of a key.
func hllCheckKey(p *Pair, key string) {
	p.T.Helper()
	p.Check("GET", key)
	p.Check("OBJECT", "ENCODING", key)
}

func TestHyperLogLogTranscript(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		PFCOUNT h:a
		PFADD h:a
		GET h:a
		OBJECT ENCODING h:a
		PFCOUNT h:a
		GET h:a
		PFADD h:a
		GET h:a
		PFADD h:b a b c d e
		GET h:b
		PFADD h:b a b c
		GET h:b
		PFCOUNT h:b
		GET h:b
		PFCOUNT h:b
		PFADD h:b "" "\x00" "\xff\xfe"
		GET h:b
		PFCOUNT h:b h:a
		PFCOUNT h:b h:missing h:a
		PFCOUNT h:missing h:missing2
		GET h:b
		PFCOUNT h:b h:b
		PFMERGE h:m
		GET h:m
		PFMERGE h:m h:b h:a h:missing
		GET h:m
		PFCOUNT h:m
		PFMERGE h:b
		GET h:b
		PFCOUNT h:b
		PFDEBUG ENCODING h:b
		PFDEBUG DECODE h:b
		PFDEBUG decode h:m
		PFDEBUG GETREG h:missing
		PFDEBUG nosuch h:missing
		PFDEBUG nosuch h:b
		PFDEBUG "bad\x00x" h:b
		PFDEBUG "getreg\x00x" h:a
		PFDEBUG ENCODING h:a
		GET h:a
		PFDEBUG DECODE h:a
		PFDEBUG TODENSE h:m
		PFDEBUG TODENSE h:m
		GET h:m
		PFDEBUG ENCODING h:m
		PFCOUNT h:m
		PFADD h:m x y z
		GET h:m
		PFCOUNT h:m
		PFMERGE h:b h:m
		GET h:b
		PFDEBUG ENCODING h:b
		PFMERGE h:new h:b
		GET h:new
		PFCOUNT h:new
		PFDEBUG GETREG h:new

		# wrong types and values that are not HLLs
		LPUSH h:list a
		PFADD h:list a
		PFCOUNT h:list
		PFCOUNT h:b h:list
		PFCOUNT h:list h:missing
		PFMERGE h:b h:list
		PFMERGE h:list h:b
		PFDEBUG ENCODING h:list
		SET h:str hello
		PFADD h:str a
		PFCOUNT h:str
		PFCOUNT h:b h:str
		PFMERGE h:str h:b
		PFMERGE h:b h:str
		PFDEBUG ENCODING h:str
		SET h:int 12345678901234567
		PFADD h:int a
		PFCOUNT h:int
		SET h:neg -9223372036854775808
		PFCOUNT h:neg
		SET h:short HYLL
		PFCOUNT h:short
		SET h:hdr "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		PFCOUNT h:hdr
		SET h:enc "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
		PFADD h:enc a
		SET h:magic "HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
		PFCOUNT h:magic
		SET h:dense "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
		PFCOUNT h:dense
		PFMERGE h:dense h:b

		# arity
		PFADD
		PFCOUNT
		PFMERGE
		PFDEBUG ENCODING
		PFDEBUG ENCODING a b
		PFSELFTEST x
	`))
}

// TestHyperLogLogSetHeader checks an HLL SET by the user: the header's
// cached cardinality is trusted while valid, the encoding becomes "raw" on
// first use, and the unused header bytes are kept.
func TestHyperLogLogSetHeader(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET h:c "HYLL\x01\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
		OBJECT ENCODING h:c
		PFCOUNT h:c
		OBJECT ENCODING h:c
		GET h:c
		PFADD h:c a
		GET h:c
		PFCOUNT h:c
		SET h:u "HYLL\x01\x07\x08\x09\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
		PFADD h:u a b
		GET h:u
		PFDEBUG TODENSE h:u
		PFCOUNT h:u
		GET h:u
		SET h:x "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\x7f\xff"
		PFCOUNT h:x
		GET h:x
		SET h:e "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
		PFCOUNT h:e
		PFADD h:e a
		PFCOUNT h:e h:e
		PFMERGE h:d h:e
		EXISTS h:d
		PFDEBUG TODENSE h:e
		PFDEBUG GETREG h:e
		PFDEBUG DECODE h:e
		GET h:e
	`))
}

// hllRandElem draws an element: mostly from a pool of a few thousand, so
// that streams repeat elements, sometimes random binary.
func hllRandElem(r *rand.Rand, pool int) string {
	if r.IntN(10) == 0 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return string(b)
	}
	return "e" + strconv.Itoa(r.IntN(pool))
}

// TestHyperLogLogRandomStreams adds random elements to a few keys,
// comparing each reply and the stored bytes after every step, across the
// sparse-to-dense conversion and with several hll-sparse-max-bytes.
func TestHyperLogLogRandomStreams(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	defer p.Both("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
	keys := []string{"h:r0", "h:r1", "h:r2", "h:r3"}
	for _, limit := range []string{"3000", "100", "0", "12000"} {
		p.Both("CONFIG", "SET", "hll-sparse-max-bytes", limit)
		p.Both("DEL", keys[0], keys[1], keys[2], keys[3])
		pool := 50 + r.IntN(5000)
		for step := 0; step < 500; step++ {
			key := keys[r.IntN(len(keys))]
			switch op := r.IntN(20); {
			case op < 14:
				args := []string{"PFADD", key}
				for n := r.IntN(8); n > 0; n-- {
					args = append(args, hllRandElem(r, pool))
				}
				if r.IntN(10) == 0 { // a burst, to get dense quickly
					for n := r.IntN(400); n > 0; n-- {
						args = append(args, hllRandElem(r, pool))
					}
				}
				p.Check(args...)
				p.Check("GET", key)
				p.Check("PFCOUNT", key)
			case op < 16:
				args := []string{"PFCOUNT"}
				for n := 2 + r.IntN(3); n > 0; n-- {
					args = append(args, keys[r.IntN(len(keys))])
				}
				p.Check(args...)
			case op < 19:
				args := []string{"PFMERGE", key}
				for n := r.IntN(4); n > 0; n-- {
					args = append(args, keys[r.IntN(len(keys))])
				}
				p.Check(args...)
				p.Check("GET", key)
				p.Check("PFCOUNT", key)
			default:
				p.Check("PFDEBUG", "ENCODING", key)
			}
			if step%50 == 0 {
				for _, k := range keys {
					hllCheckKey(p, k)
				}
			}
		}
		for _, k := range keys {
			hllCheckKey(p, k)
		}
	}
}

// TestHyperLogLogMergeMany merges many sparse and dense HLLs into sparse
// and dense destinations.
func TestHyperLogLogMergeMany(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	var srcs []string
	for i := 0; i < 20; i++ {
		key := "h:src" + strconv.Itoa(i)
		srcs = append(srcs, key)
		args := []string{"PFADD", key}
		n := r.IntN(40)
		if i%5 == 0 {
			n = 2000 + r.IntN(3000) // dense
		}
		for j := 0; j < n; j++ {
			args = append(args, hllRandElem(r, 1<<20))
		}
		p.Check(args...)
		p.Check("GET", key)
	}
	sparse := []string{}
	for i, k := range srcs {
		if i%5 != 0 {
			sparse = append(sparse, k)
		}
	}
	p.Check(append([]string{"PFMERGE", "h:ms"}, sparse...)...)
	hllCheckKey(p, "h:ms")
	p.Check("PFCOUNT", "h:ms")
	p.Check(append([]string{"PFCOUNT"}, sparse...)...)
	p.Check(append([]string{"PFMERGE", "h:md"}, srcs...)...)
	hllCheckKey(p, "h:md")
	p.Check("PFCOUNT", "h:md")
	p.Check(append([]string{"PFCOUNT"}, srcs...)...)
	p.Check(append([]string{"PFMERGE", srcs[1]}, srcs[2:7]...)...)
	hllCheckKey(p, srcs[1])
	p.Check(append([]string{"PFMERGE", srcs[0]}, srcs...)...)
	hllCheckKey(p, srcs[0])
	// A small limit makes the merge convert the destination midway.
	p.Both("CONFIG", "SET", "hll-sparse-max-bytes", "200")
	defer p.Both("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
	p.Check(append([]string{"PFMERGE", "h:small"}, sparse...)...)
	hllCheckKey(p, "h:small")
	p.Check("PFDEBUG", "ENCODING", "h:small")
}

// TestHyperLogLogFromRedis stores HLLs built by Redis into Ember with SET
// (and the other way round) and checks both count and grow them alike.
func TestHyperLogLogFromRedis(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	for round := 0; round < 30; round++ {
		key := "h:f" + strconv.Itoa(round)
		args := []string{"PFADD", key}
		for n := r.IntN(3000); n > 0; n-- {
			args = append(args, hllRandElem(r, 1<<20))
		}
		if _, err := p.Redis.Do(args...); err != nil {
			t.Fatal(err)
		}
		if round%2 == 0 { // sometimes with a valid cache
			if _, err := p.Redis.Do("PFCOUNT", key); err != nil {
				t.Fatal(err)
			}
		}
		reply, err := p.Redis.Do("GET", key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Ember.Do("SET", key, hllBulk(reply)); err != nil {
			t.Fatal(err)
		}
		p.Check("GET", key)
		p.Check("PFCOUNT", key)
		p.Check("PFCOUNT", key, "h:none")
		p.Check("PFADD", key, hllRandElem(r, 1<<20), hllRandElem(r, 1<<20))
		hllCheckKey(p, key)
		p.Check("PFCOUNT", key)
		// And back: Ember's bytes into Redis.
		reply, err = p.Ember.Do("GET", key)
		if err != nil {
			t.Fatal(err)
		}
		p.Both("SET", key+":back", hllBulk(reply))
		p.Check("PFADD", key+":back", "zz"+strconv.Itoa(round))
		p.Check("GET", key+":back")
	}
}

// TestHyperLogLogCorrupted mutates valid HLLs at random (header cache,
// opcodes, registers) and runs every command over them: corrupted sparse
// encodings must be reported, or used, exactly as Redis does.
func TestHyperLogLogCorrupted(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	for round := 0; round < 600; round++ {
		key := "h:c" + strconv.Itoa(round%7)
		args := []string{"PFADD", "h:base"}
		for n := r.IntN(60); n > 0; n-- {
			args = append(args, hllRandElem(r, 1<<20))
		}
		if round%10 == 0 {
			for n := 3000; n > 0; n-- {
				args = append(args, hllRandElem(r, 1<<20))
			}
		}
		p.Both("DEL", "h:base")
		p.Check(args...)
		reply, err := p.Redis.Do("GET", "h:base")
		if err != nil {
			t.Fatal(err)
		}
		b := []byte(hllBulk(reply))
		b[15] |= 0x80 // stale cache, so counts look at the registers
		switch r.IntN(4) {
		case 0: // change a few bytes
			for n := 1 + r.IntN(3); n > 0; n-- {
				b[16+r.IntN(len(b)-16)] = byte(r.Uint32())
			}
		case 1: // cut the end
			b = b[:16+r.IntN(len(b)-16)]
		case 2: // append opcodes
			for n := 1 + r.IntN(3); n > 0; n-- {
				b = append(b, byte(r.Uint32()))
			}
		default: // drop a byte in the middle
			i := 16 + r.IntN(len(b)-16)
			b = append(b[:i], b[i+1:]...)
		}
		p.Both("SET", key, string(b))
		op := r.IntN(5)
		if os.Getenv("HLLDEBUG") != "" {
			t.Logf("round %d op %d value %q", round, op, b)
		}
		switch op {
		case 0:
			p.Check("PFCOUNT", key)
		case 1:
			p.Check("PFCOUNT", key, "h:base")
		case 2:
			p.Check("PFMERGE", "h:dst", key)
			p.Check("GET", "h:dst")
		case 3:
			p.Check("PFDEBUG", "DECODE", key)
			p.Check("PFDEBUG", "TODENSE", key)
		default:
			a := []string{"PFADD", key}
			for n := 1 + r.IntN(10); n > 0; n-- {
				a = append(a, hllRandElem(r, 1<<20))
			}
			p.Check(a...)
		}
		hllCheckKey(p, key)
		p.Check("PFCOUNT", key)
		p.Check("PFADD", key, "one-more", "x")
		p.Check("GET", key)
	}
}

// TestHyperLogLogDenseByHand stores dense HLLs written by hand, with
// register values the hash never produces (up to 63), and counts them.
func TestHyperLogLogDenseByHand(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	hdr := "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
	p.Check("SET", "h:ff", hdr+strings.Repeat("\xff", 12288))
	p.Check("PFCOUNT", "h:ff")
	p.Check("GET", "h:ff")
	p.Check("PFCOUNT", "h:ff", "h:none")
	p.Check("PFMERGE", "h:ffm", "h:ff")
	p.Check("GET", "h:ffm")
	for round := 0; round < 20; round++ {
		b := make([]byte, 12288)
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.Uint32())
			}
		}
		p.Check("SET", "h:rd", hdr+string(b))
		p.Check("PFCOUNT", "h:rd", "h:ff")
		p.Check("PFCOUNT", "h:rd")
		p.Check("PFADD", "h:rd", "a", "b", "c", strconv.Itoa(round))
		p.Check("GET", "h:rd")
		p.Check("PFMERGE", "h:rdm", "h:rd")
		p.Check("GET", "h:rdm")
	}
}

// TestPFSelfTest runs PFSELFTEST, ten million additions, on both servers;
// under the race detector that takes Ember far longer than a normal reply,
// hence the long read timeout.
func TestPFSelfTest(t *testing.T) {
	p := pair(t)
	for _, c := range []*Conn{p.Redis, p.Ember} {
		if err := c.Send(Encode("PFSELFTEST")); err != nil {
			t.Fatal(err)
		}
		reply, err := c.ReadTimeout(5 * time.Minute)
		if err != nil || string(reply) != "+OK\r\n" {
			t.Fatalf("PFSELFTEST: %q %v", reply, err)
		}
	}
}
