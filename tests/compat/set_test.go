package compat

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the set commands. Keys carry a per-test prefix
// ("st<n>:"). Where Redis's reply order is a hash table's, the replies are
// compared sorted; where it is an intset's (ascending integers), exactly.

// setsUnordered reports whether a command's reply lists members in an
// order that the test must not compare.
func setsUnordered(args []string) bool {
	switch strings.ToUpper(args[0]) {
	case "SMEMBERS", "SINTER", "SUNION", "SDIFF", "SRANDMEMBER", "SPOP":
		return true
	}
	return false
}

// setsSort is a Normalize function sorting the members of the set
// commands' multi-member replies, and of SSCAN's member list.
func setsSort(args []string, reply []byte) []byte {
	if strings.EqualFold(args[0], "SSCAN") {
		t, err := parseReplyTree(reply)
		if err != nil || t.kind != '*' || len(t.elems) != 2 {
			return reply
		}
		t.elems[1].sortElems()
		return t.encode()
	}
	if setsUnordered(args) {
		return SortedArray(reply)
	}
	return reply
}

// setsCheckCount runs a transcript and returns how many commands it compared.
func setsCheckCount(p *Pair, script [][]string) int {
	p.T.Helper()
	p.CheckAll(script)
	return len(script)
}

func TestSetBasic(t *testing.T) {
	p := pair(t)
	n := setsCheckCount(p, Script(`
		SADD st1:s 3 1 2
		SADD st1:s 2 3 4 4 4
		SMEMBERS st1:s
		SCARD st1:s
		SISMEMBER st1:s 1
		SISMEMBER st1:s 5
		SISMEMBER st1:s 01
		SISMEMBER st1:s +1
		SISMEMBER st1:s " 1"
		SISMEMBER st1:s x
		SMISMEMBER st1:s 1 5 2 x 4 4
		SREM st1:s 1 1 9 x
		SMEMBERS st1:s
		SREM st1:s 2 3 4 5
		EXISTS st1:s
		SMEMBERS st1:s
		SCARD st1:s
		SISMEMBER st1:s 1
		SMISMEMBER st1:s 1 2
		SREM st1:s 1
		TYPE st1:s
		SADD st1:s 7
		TYPE st1:s
		OBJECT ENCODING st1:s
		sadd st1:s 8
		SaDd st1:s -3
		smembers st1:s

		# arity
		SADD
		SADD st1:s
		SREM st1:s
		SMEMBERS
		SMEMBERS a b
		SISMEMBER st1:s
		SISMEMBER st1:s a b
		SMISMEMBER st1:s
		SCARD
		SCARD a b
		SPOP
		SRANDMEMBER
		SMOVE a b
		SMOVE a b c d
		SINTER
		SINTERCARD 1
		SINTERSTORE d
		SUNION
		SUNIONSTORE d
		SDIFF
		SDIFFSTORE d
		SSCAN st1:s
		SPOP st1:s 1 2
		SRANDMEMBER st1:s 1 2
		SPOP st1:nosuch 1 2
		SRANDMEMBER st1:nosuch x y

		# binary members make a hash table
		SADD st1:b "a\x00b" "" "\r\n" x
		SCARD st1:b
		SISMEMBER st1:b "a\x00b"
		SISMEMBER st1:b ""
		SISMEMBER st1:b a
		SMISMEMBER st1:b "" "\r\n" "a"
		OBJECT ENCODING st1:b
		SREM st1:b "" "a\x00b" "\r\n" x
		EXISTS st1:b
	`))
	t.Logf("%d commands compared", n)
}

func TestSetWrongType(t *testing.T) {
	p := pair(t)
	n := setsCheckCount(p, Script(`
		SET st2:str hello
		SADD st2:s 1 2
		SADD st2:str a
		SREM st2:str a
		SMEMBERS st2:str
		SISMEMBER st2:str a
		SMISMEMBER st2:str a
		SCARD st2:str
		SPOP st2:str
		SPOP st2:str 2
		SPOP st2:str 0
		SPOP st2:str -1
		SRANDMEMBER st2:str
		SRANDMEMBER st2:str 3
		SRANDMEMBER st2:str -3
		SRANDMEMBER st2:str 0
		SRANDMEMBER st2:str x
		SMOVE st2:str st2:s a
		SMOVE st2:s st2:str 1
		SMOVE st2:s st2:str 9
		SMOVE st2:nosuch st2:str 1
		SMOVE st2:str st2:nosuch 1
		SINTER st2:s st2:str
		SINTER st2:nosuch st2:str
		SINTER st2:str st2:nosuch
		SINTERCARD 2 st2:s st2:str
		SINTERCARD 2 st2:nosuch st2:str
		SINTERSTORE st2:d st2:s st2:str
		SINTERSTORE st2:d st2:nosuch st2:str
		SUNION st2:s st2:str
		SUNIONSTORE st2:d st2:str
		SDIFF st2:s st2:str
		SDIFF st2:str st2:s
		SDIFF st2:nosuch st2:str
		SDIFFSTORE st2:d st2:s st2:str
		SSCAN st2:str 0
		SSCAN st2:str 0 COUNT 0
		SSCAN st2:str x
		EXISTS st2:d
		GET st2:str
		SMEMBERS st2:s

		# a string destination is overwritten by the STORE commands
		SINTERSTORE st2:str st2:s
		TYPE st2:str
		SET st2:str x
		SUNIONSTORE st2:str st2:s
		TYPE st2:str
		SET st2:str x
		SDIFFSTORE st2:str st2:s
		TYPE st2:str
		SET st2:str x
		SDIFFSTORE st2:str st2:nosuch
		EXISTS st2:str
	`))
	t.Logf("%d commands compared", n)
}

func TestSetEncodings(t *testing.T) {
	p := pair(t)
	defer p.Both("CONFIG", "SET", "set-max-intset-entries", "512")
	n := setsCheckCount(p, Script(`
		# integer forms Redis accepts in an intset
		SADD st3:i 0 -1 1 9223372036854775807 -9223372036854775808
		OBJECT ENCODING st3:i
		SMEMBERS st3:i
		SADD st3:i2 32767 -32768 32768 -32769 2147483647 -2147483648 2147483648 -2147483649 5
		OBJECT ENCODING st3:i2
		SMEMBERS st3:i2
		SISMEMBER st3:i2 32768
		SISMEMBER st3:i2 2147483648
		SISMEMBER st3:i2 4
		SREM st3:i2 -2147483649 9223372036854775807
		SMEMBERS st3:i2
		SADD st3:n1 9223372036854775808
		OBJECT ENCODING st3:n1
		SADD st3:n2 01
		OBJECT ENCODING st3:n2
		SADD st3:n3 -0
		OBJECT ENCODING st3:n3
		SADD st3:n4 +1
		OBJECT ENCODING st3:n4
		SADD st3:n5 " 1"
		OBJECT ENCODING st3:n5
		SADD st3:n6 1.0
		OBJECT ENCODING st3:n6
		SADD st3:n7 -9223372036854775809
		OBJECT ENCODING st3:n7
		SADD st3:n8 ""
		OBJECT ENCODING st3:n8

		# a non-integer member converts for good
		SADD st3:c 5 3 1
		OBJECT ENCODING st3:c
		SADD st3:c 1
		OBJECT ENCODING st3:c
		SADD st3:c x
		OBJECT ENCODING st3:c
		SREM st3:c x
		OBJECT ENCODING st3:c
		SCARD st3:c
		SADD st3:c2 a 1 2
		OBJECT ENCODING st3:c2
		SREM st3:c2 a
		OBJECT ENCODING st3:c2
		SUNION st3:c2
		SDIFF st3:c2 st3:nosuch
		SPOP st3:c2 5

		# COPY, RENAME and MOVE keep the encoding and the order
		SADD st3:cp 9 8 7
		COPY st3:cp st3:cp2
		OBJECT ENCODING st3:cp2
		SMEMBERS st3:cp2
		SADD st3:cp2 x
		SCARD st3:cp
		COPY st3:cp2 st3:cp3
		OBJECT ENCODING st3:cp3
		SCARD st3:cp3
		SISMEMBER st3:cp3 x
		RENAME st3:cp st3:rn
		SMEMBERS st3:rn
		OBJECT ENCODING st3:rn
		MOVE st3:rn 1
		SELECT 1
		SMEMBERS st3:rn
		OBJECT ENCODING st3:rn
		DEL st3:rn
		SELECT 0
		TYPE st3:cp3

		# a smaller limit
		CONFIG SET set-max-intset-entries 3
		SADD st3:l 1 2 3
		OBJECT ENCODING st3:l
		SADD st3:l 4
		OBJECT ENCODING st3:l
		SREM st3:l 4 3
		OBJECT ENCODING st3:l
		SADD st3:l2 1 2 3 4
		OBJECT ENCODING st3:l2
		SADD st3:l3 1 2
		SADD st3:l4 3 4
		SUNIONSTORE st3:u st3:l3 st3:l4
		OBJECT ENCODING st3:u
		SUNIONSTORE st3:u st3:l3
		OBJECT ENCODING st3:u
		SMOVE st3:l4 st3:l3 3
		OBJECT ENCODING st3:l3
		SMOVE st3:l4 st3:l3 4
		OBJECT ENCODING st3:l3
		CONFIG SET set-max-intset-entries 0
		SADD st3:z 1
		OBJECT ENCODING st3:z
		SMOVE st3:l3 st3:z2 1
		OBJECT ENCODING st3:z2
		CONFIG SET set-max-intset-entries 1
		SADD st3:o 1
		OBJECT ENCODING st3:o
		SADD st3:o 2
		OBJECT ENCODING st3:o
		CONFIG SET set-max-intset-entries 512
	`))

	// The 512/513 threshold, in one SADD and member by member.
	ints := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, strconv.Itoa(i*7-1000))
		}
		return out
	}
	p.Check(append([]string{"SADD", "st3:big"}, ints(1, 511)...)...)
	p.Check("OBJECT", "ENCODING", "st3:big")
	p.Check("SADD", "st3:big", ints(512, 512)[0])
	p.Check("OBJECT", "ENCODING", "st3:big")
	p.Check("SMEMBERS", "st3:big")
	p.Check("SSCAN", "st3:big", "0")
	p.Check("SADD", "st3:big", ints(512, 512)[0])
	p.Check("OBJECT", "ENCODING", "st3:big")
	p.Check("SADD", "st3:big", ints(513, 513)[0])
	p.Check("OBJECT", "ENCODING", "st3:big")
	p.Check("SREM", "st3:big", ints(513, 513)[0], ints(1, 1)[0])
	p.Check("OBJECT", "ENCODING", "st3:big")
	p.Check("SCARD", "st3:big")
	p.Check(append([]string{"SADD", "st3:big2"}, ints(1, 513)...)...)
	p.Check("OBJECT", "ENCODING", "st3:big2")
	p.Check(append([]string{"SADD", "st3:big3"}, ints(1, 512)...)...)
	p.Check("OBJECT", "ENCODING", "st3:big3")
	p.Check("SADD", "st3:big3", "notanint")
	p.Check("OBJECT", "ENCODING", "st3:big3")
	n += 16
	p.Normalize = genNormalize
	p.Check("SCAN", "0", "TYPE", "set", "MATCH", "st3:cp*", "COUNT", "1000")
	p.Check("SCAN", "0", "TYPE", "SET", "COUNT", "1000")
	n += 2
	p.Normalize = setsSort
	p.Check("SMEMBERS", "st3:big2")
	p.Check("SMEMBERS", "st3:big3")
	// Unions of intsets: an intset result up to 512 members (ordered),
	// a hash table beyond.
	p.Both(append([]string{"SADD", "st3:half1"}, ints(1, 256)...)...)
	p.Both(append([]string{"SADD", "st3:half2"}, ints(257, 513)...)...)
	p.Normalize = nil
	p.Check("SUNIONSTORE", "st3:hu", "st3:half1", "st3:half2")
	p.Check("OBJECT", "ENCODING", "st3:hu")
	p.Check("SREM", "st3:half2", ints(513, 513)[0])
	p.Check("SUNION", "st3:half1", "st3:half2")
	p.Check("SUNIONSTORE", "st3:hu", "st3:half1", "st3:half2")
	p.Check("OBJECT", "ENCODING", "st3:hu")
	// SDIFF that copies a big first set (algorithm 2) keeps a hash table
	// even for a small integer result; one that checks members (1) builds
	// an intset.
	p.Check(append([]string{"SADD", "st3:d1"}, ints(1, 600)...)...)
	p.Check(append([]string{"SADD", "st3:d2"}, ints(3, 600)...)...)
	p.Check("SDIFFSTORE", "st3:dr", "st3:d1", "st3:d2")
	p.Check("OBJECT", "ENCODING", "st3:dr")
	p.Check("SADD", "st3:d3", ints(5, 5)[0])
	p.Check("SDIFFSTORE", "st3:dr", "st3:d1", "st3:d3")
	p.Check("OBJECT", "ENCODING", "st3:dr")
	p.Check("SCARD", "st3:dr")
	p.Check(append([]string{"SADD", "st3:d4"}, ints(1, 40)...)...)
	p.Check("SDIFFSTORE", "st3:dr", "st3:d4", "st3:d1")
	p.Check("EXISTS", "st3:dr")
	p.Check(append([]string{"SADD", "st3:d5"}, ints(1, 20)...)...)
	p.Check("SDIFFSTORE", "st3:dr", "st3:d4", "st3:d5", "st3:nosuch")
	p.Check("OBJECT", "ENCODING", "st3:dr")
	p.Check("SMEMBERS", "st3:dr")
	p.Check("SDIFF", "st3:d4", "st3:d5")
	// Three sets with small subtrahends: algorithm 2.
	p.Check(append([]string{"SADD", "st3:d6"}, ints(1, 100)...)...)
	p.Check(append([]string{"SADD", "st3:d7"}, ints(101, 150)...)...)
	p.Check("SDIFFSTORE", "st3:dr", "st3:d1", "st3:d6", "st3:d7")
	p.Check("OBJECT", "ENCODING", "st3:dr")
	p.Check("SCARD", "st3:dr")
	p.Check("SDIFFSTORE", "st3:dr", "st3:d1", "st3:d6", "st3:nosuch", "st3:d7")
	p.Check("OBJECT", "ENCODING", "st3:dr")
	p.Check("SADD", "st3:d8", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
	p.Check("SADD", "st3:d9", "x")
	p.Check("SADD", "st3:d10", "1")
	p.Check("SDIFFSTORE", "st3:dr", "st3:d8", "st3:d9", "st3:d10")
	p.Check("OBJECT", "ENCODING", "st3:dr")
	p.Normalize = setsSort // algorithm 2 leaves a hash table
	p.Check("SDIFF", "st3:d8", "st3:d9", "st3:d10")
	p.Normalize = nil
	p.Check("SDIFFSTORE", "st3:dr", "st3:d8", "st3:d9")
	p.Check("OBJECT", "ENCODING", "st3:dr")
	p.Check("SMEMBERS", "st3:dr")
	p.Check("SDIFF", "st3:d8", "st3:d9")
	p.Check("SINTERSTORE", "st3:ir", "st3:d1", "st3:d2")
	p.Check("OBJECT", "ENCODING", "st3:ir")
	p.Check("SINTERSTORE", "st3:ir", "st3:d4", "st3:d1")
	p.Check("OBJECT", "ENCODING", "st3:ir")
	p.Check("SMEMBERS", "st3:ir")
	p.Check("SINTER", "st3:d1", "st3:d4")
	p.Check("SINTERCARD", "2", "st3:d1", "st3:d4")
	p.Check("SINTERCARD", "2", "st3:d1", "st3:d4", "LIMIT", "7")
	n += 35 + 17
	t.Logf("%d commands compared", n)
}

func TestSetAlgebra(t *testing.T) {
	p := pair(t)
	// Intsets: every order is Redis's ascending one, compared exactly.
	n := setsCheckCount(p, Script(`
		SADD st4:a 1 2 3 4 5 6
		SADD st4:b 4 5 6 7 8
		SADD st4:c 6 8 10 5
		SADD st4:e 100
		SET st4:str x
		SINTER st4:a
		SINTER st4:a st4:b
		SINTER st4:b st4:a
		SINTER st4:a st4:b st4:c
		SINTER st4:a st4:e
		SINTER st4:a st4:nosuch
		SINTER st4:nosuch st4:a
		SINTER st4:a st4:a
		SINTER st4:a st4:a st4:b st4:b
		SINTERCARD 1 st4:a
		SINTERCARD 2 st4:a st4:b
		SINTERCARD 3 st4:a st4:b st4:c
		SINTERCARD 2 st4:a st4:nosuch
		SINTERCARD 2 st4:a st4:b LIMIT 0
		SINTERCARD 2 st4:a st4:b LIMIT 1
		SINTERCARD 2 st4:a st4:b LIMIT 2
		SINTERCARD 2 st4:a st4:b LIMIT 3
		SINTERCARD 2 st4:a st4:b LIMIT 9223372036854775807
		SINTERCARD 2 st4:a st4:b limit 1 LIMIT 5
		SINTERCARD 1 st4:a LIMIT 2
		SINTERCARD 1 st4:a st4:b
		SINTERCARD 2 st4:a st4:b LIMIT
		SINTERCARD 2 st4:a st4:b LIMIT -1
		SINTERCARD 2 st4:a st4:b LIMIT 1.5
		SINTERCARD 2 st4:a st4:b LIMIT x
		SINTERCARD 2 st4:a st4:b LIMIT 9223372036854775808
		SINTERCARD 2 st4:a st4:b "LIMIT\x00x" 1
		SINTERCARD 2 st4:a st4:b LIMITS 1
		SINTERCARD 0 st4:a
		SINTERCARD -1 st4:a
		SINTERCARD x st4:a
		SINTERCARD 1.0 st4:a
		SINTERCARD 01 st4:a
		SINTERCARD 2 st4:a
		SINTERCARD 3 st4:a st4:b
		SINTERCARD 9223372036854775807 st4:a
		SINTERCARD 9223372036854775808 st4:a
		SINTERCARD 1 st4:str
		SINTERCARD 2 st4:str st4:nosuch
		SINTERCARD 2 st4:a st4:str LIMIT x
		SINTERCARD 0 st4:str
		SINTERSTORE st4:d st4:a st4:b
		SMEMBERS st4:d
		OBJECT ENCODING st4:d
		SINTERSTORE st4:d st4:a st4:e
		EXISTS st4:d
		SINTERSTORE st4:d st4:a st4:nosuch
		SINTERSTORE st4:d st4:a
		SINTERSTORE st4:d st4:d st4:b
		SMEMBERS st4:d
		SINTERSTORE st4:a2 st4:a st4:a

		SUNION st4:a st4:b
		SUNION st4:c st4:a st4:nosuch
		SUNION st4:nosuch
		SUNION st4:nosuch st4:nosuch2
		SUNION st4:e st4:e
		SUNIONSTORE st4:u st4:a st4:b st4:c
		SMEMBERS st4:u
		OBJECT ENCODING st4:u
		SUNIONSTORE st4:u st4:nosuch
		EXISTS st4:u
		SUNIONSTORE st4:u st4:e
		SUNIONSTORE st4:u st4:u st4:a
		SMEMBERS st4:u

		SDIFF st4:a st4:b
		SDIFF st4:b st4:a
		SDIFF st4:a st4:b st4:c
		SDIFF st4:a st4:nosuch
		SDIFF st4:nosuch st4:a
		SDIFF st4:a st4:a
		SDIFF st4:a st4:b st4:a
		SDIFF st4:a
		SDIFF st4:e st4:a st4:b st4:c
		SDIFFSTORE st4:f st4:a st4:b st4:c
		SMEMBERS st4:f
		OBJECT ENCODING st4:f
		SDIFFSTORE st4:f st4:a st4:a
		EXISTS st4:f
		SDIFFSTORE st4:f st4:nosuch st4:a
		SDIFFSTORE st4:f st4:a
		SDIFFSTORE st4:f st4:f st4:b
		SMEMBERS st4:f

		# destinations lose their time to live
		SADD st4:t 1
		EXPIRE st4:t 1000
		SINTERSTORE st4:t st4:a
		TTL st4:t
		EXPIRE st4:t 1000
		SUNIONSTORE st4:t st4:a
		TTL st4:t
		EXPIRE st4:t 1000
		SDIFFSTORE st4:t st4:a st4:b
		TTL st4:t
		SET st4:t2 v EX 1000
		SUNIONSTORE st4:t2 st4:b
		TTL st4:t2
		TYPE st4:t2
	`))

	// Hash tables: orders are the table's, compared sorted.
	p.Normalize = setsSort
	n += setsCheckCount(p, Script(`
		SADD st4:h1 a b c 1 2 3
		SADD st4:h2 b c d 2 x
		SADD st4:h3 c 2 y
		SINTER st4:h1 st4:h2
		SINTER st4:h1 st4:h2 st4:h3
		SINTER st4:h1 st4:a
		SINTER st4:a st4:h1
		SINTERCARD 2 st4:h1 st4:h2
		SINTERCARD 3 st4:h1 st4:h2 st4:h3 LIMIT 1
		SINTERSTORE st4:hd st4:h1 st4:h2
		OBJECT ENCODING st4:hd
		SMEMBERS st4:hd
		SINTERSTORE st4:hd st4:h1 st4:a
		OBJECT ENCODING st4:hd
		SMEMBERS st4:hd
		SUNION st4:h1 st4:h2 st4:a
		SUNIONSTORE st4:hu st4:h1 st4:h2
		OBJECT ENCODING st4:hu
		SMEMBERS st4:hu
		SDIFF st4:h1 st4:h2
		SDIFF st4:h1 st4:h2 st4:h3
		SDIFF st4:h1 st4:a
		SDIFF st4:a st4:h1
		SDIFFSTORE st4:hf st4:h1 st4:h2
		OBJECT ENCODING st4:hf
		SDIFFSTORE st4:hf st4:h1 st4:h3 st4:h2
		OBJECT ENCODING st4:hf
		SMEMBERS st4:hf
		SDIFFSTORE st4:hf st4:a st4:h1
		OBJECT ENCODING st4:hf
		SMEMBERS st4:hf
	`))
	// A hash table holding only integers: SUNION and SDIFF build an intset
	// (ascending order), SINTER walks the smallest set, first given first.
	p.Normalize = nil
	n += setsCheckCount(p, Script(`
		SADD st4:hi 30 10 20 x
		SREM st4:hi x
		SADD st4:ii 20 30 40
		SUNION st4:hi
		SUNION st4:hi st4:ii
		SDIFF st4:hi st4:ii
		SDIFF st4:hi st4:nosuch
		SINTER st4:ii st4:hi
		SINTERSTORE st4:hs st4:hi st4:ii
		OBJECT ENCODING st4:hs
		SUNIONSTORE st4:hs st4:hi
		OBJECT ENCODING st4:hs
		SMEMBERS st4:hs
		SPOP st4:hi 3
		EXISTS st4:hi
	`))
	t.Logf("%d commands compared", n)
}

func TestSetMove(t *testing.T) {
	p := pair(t)
	n := setsCheckCount(p, Script(`
		SADD st5:a 1 2 3
		SADD st5:b 3 4
		SMOVE st5:a st5:b 1
		SMEMBERS st5:a
		SMEMBERS st5:b
		SMOVE st5:a st5:b 3
		SMEMBERS st5:a
		SMEMBERS st5:b
		SMOVE st5:a st5:b 9
		SMOVE st5:a st5:b x
		SMOVE st5:a st5:a 2
		SMOVE st5:a st5:a 9
		SMOVE st5:a st5:c 2
		EXISTS st5:a
		SMEMBERS st5:c
		OBJECT ENCODING st5:c
		SMOVE st5:nosuch st5:c 2
		SMOVE st5:nosuch st5:nosuch 2
		SADD st5:h x y
		SMOVE st5:h st5:n x
		OBJECT ENCODING st5:n
		SMOVE st5:h st5:c y
		OBJECT ENCODING st5:c
		SMEMBERS st5:n
		EXISTS st5:h
		SMOVE st5:c st5:n 2
		OBJECT ENCODING st5:n
		SCARD st5:n
		SADD st5:e 5
		EXPIRE st5:e 1000
		SMOVE st5:e st5:f 5
		TTL st5:f
		EXISTS st5:e
		SADD st5:g 6
		EXPIRE st5:g 1000
		SMOVE st5:b st5:g 4
		TTL st5:g
		SMEMBERS st5:g
	`))
	t.Logf("%d commands compared", n)
}

// setsMembers returns the members of a set key as Redis holds it.
func setsMembers(t *testing.T, c *Conn, key string) []string {
	t.Helper()
	b, err := c.Do("SMEMBERS", key)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := parseReplyTree(b)
	if err != nil || (tr.kind != '*' && tr.kind != '~') {
		t.Fatalf("SMEMBERS %s = %q", key, b)
	}
	var out []string
	for _, e := range tr.elems {
		out = append(out, e.text())
	}
	return out
}

// setsShape checks a reply of random members: its type, that it has n
// elements (n < 0: a single bulk), that they are in pool and, when
// distinct, that none repeats. It returns the members.
func setsShape(t *testing.T, who string, args []string, reply []byte, kind byte, n int, pool []string, distinct bool) []string {
	t.Helper()
	tr, err := parseReplyTree(reply)
	if err != nil {
		t.Fatalf("%s %s: %v (%q)", who, Show(args), err, reply)
	}
	var got []string
	if n < 0 {
		if tr.kind != '$' || tr.body == nil {
			t.Errorf("%s %s = %q, want one bulk", who, Show(args), reply)
			return nil
		}
		got = []string{tr.text()}
	} else {
		if tr.kind != kind || len(tr.elems) != n {
			t.Errorf("%s %s = %q, want %c with %d elements", who, Show(args), reply, kind, n)
			return nil
		}
		for _, e := range tr.elems {
			got = append(got, e.text())
		}
	}
	seen := map[string]bool{}
	for _, m := range got {
		if !slices.Contains(pool, m) {
			t.Errorf("%s %s: %q is not a member", who, Show(args), m)
		}
		if distinct && seen[m] {
			t.Errorf("%s %s: %q repeats", who, Show(args), m)
		}
		seen[m] = true
	}
	return got
}

// setsDo sends a command to both servers and returns both replies.
func setsDo(t *testing.T, p *Pair, args ...string) (redis, ember []byte) {
	t.Helper()
	r, err := p.Redis.Do(args...)
	if err != nil {
		t.Fatalf("redis %s: %v", Show(args), err)
	}
	e, err := p.Ember.Do(args...)
	if err != nil {
		t.Fatalf("ember %s: %v", Show(args), err)
	}
	return r, e
}

// setsResync makes key hold Redis's members on both servers, rebuilt the
// same way, after a command whose effect was random.
func setsResync(t *testing.T, p *Pair, key string) {
	t.Helper()
	members := setsMembers(t, p.Redis, key)
	p.Both("DEL", key)
	if len(members) > 0 {
		slices.Sort(members)
		p.Both(append([]string{"SADD", key}, members...)...)
	}
}

// setsRandomChecks runs the random-member commands on key, a set of the
// given members, comparing shapes, and returns how many it compared.
func setsRandomChecks(t *testing.T, p *Pair, key string, proto int) int {
	t.Helper()
	pool := setsMembers(t, p.Redis, key)
	size := len(pool)
	setKind := byte('*')
	if proto == 3 {
		setKind = '~'
	}
	checks := 0
	// SRANDMEMBER: read-only, every count form.
	for _, cnt := range []int{1, 2, size - 1, size, size + 1, size * 2, -1, -2, -size, -size - 3, 3*size/4 + 1, size/3 + 1} {
		args := []string{"SRANDMEMBER", key, strconv.Itoa(cnt)}
		r, e := setsDo(t, p, args...)
		want := min(cnt, size)
		distinct := true
		if cnt < 0 {
			want, distinct = -cnt, false
		}
		if want == 0 {
			if !bytes.Equal(r, e) {
				t.Errorf("%s: redis %q, ember %q", Show(args), r, e)
			}
		} else {
			setsShape(t, "redis", args, r, '*', want, pool, distinct)
			setsShape(t, "ember", args, e, '*', want, pool, distinct)
		}
		checks++
	}
	r, e := setsDo(t, p, "SRANDMEMBER", key)
	setsShape(t, "redis", []string{"SRANDMEMBER", key}, r, 0, -1, pool, true)
	setsShape(t, "ember", []string{"SRANDMEMBER", key}, e, 0, -1, pool, true)
	checks++
	// Every SRANDMEMBER draw over a few hundred tries covers the set.
	if size > 0 && size <= 20 {
		seen := map[string]bool{}
		for i := 0; i < 400 && len(seen) < size; i++ {
			b, _ := p.Ember.Do("SRANDMEMBER", key)
			tr, _ := parseReplyTree(b)
			seen[tr.text()] = true
		}
		if len(seen) != size {
			t.Errorf("SRANDMEMBER %s drew only %d of %d members", key, len(seen), size)
		}
	}
	// SPOP: one member, then counts taking few, most and all members,
	// resynchronizing the set after each.
	r, e = setsDo(t, p, "SPOP", key)
	setsShape(t, "redis", []string{"SPOP", key}, r, 0, -1, pool, true)
	setsShape(t, "ember", []string{"SPOP", key}, e, 0, -1, pool, true)
	p.Check("SCARD", key)
	setsResync(t, p, key)
	checks += 2
	for _, cnt := range []int{1, 2, size / 2, size - 2} {
		cur := setsMembers(t, p.Redis, key)
		if cnt <= 0 || cnt >= len(cur) {
			continue
		}
		args := []string{"SPOP", key, strconv.Itoa(cnt)}
		r, e := setsDo(t, p, args...)
		popped := setsShape(t, "redis", args, r, setKind, cnt, cur, true)
		setsShape(t, "ember", args, e, setKind, cnt, cur, true)
		p.Check("SCARD", key)
		// What is left is what was not popped.
		left := setsMembers(t, p.Redis, key)
		if len(left)+len(popped) != len(cur) {
			t.Errorf("redis %s: %d left of %d after popping %d", Show(args), len(left), len(cur), len(popped))
		}
		eleft := setsMembers(t, p.Ember, key)
		for _, m := range setsShape(t, "ember", args, e, setKind, cnt, cur, true) {
			if slices.Contains(eleft, m) {
				t.Errorf("ember %s: popped %q is still a member", Show(args), m)
			}
		}
		setsResync(t, p, key)
		checks += 2
	}
	return checks
}

func TestSetPopRandMember(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", strconv.Itoa(proto))
			checks := setsCheckCount(p, Script(`
				SPOP st6:nosuch
				SPOP st6:nosuch 0
				SPOP st6:nosuch 5
				SPOP st6:nosuch -1
				SPOP st6:nosuch x
				SRANDMEMBER st6:nosuch
				SRANDMEMBER st6:nosuch 0
				SRANDMEMBER st6:nosuch 5
				SRANDMEMBER st6:nosuch -5
				SRANDMEMBER st6:nosuch x
				SRANDMEMBER st6:nosuch -9223372036854775808
				SADD st6:one 42
				SRANDMEMBER st6:one
				SRANDMEMBER st6:one 1
				SRANDMEMBER st6:one 5
				SRANDMEMBER st6:one -3
				SRANDMEMBER st6:one 0
				SPOP st6:one 0
				SPOP st6:one
				EXISTS st6:one
				SADD st6:s 5 1 3 2 4
				SRANDMEMBER st6:s 5
				SRANDMEMBER st6:s 50
				SRANDMEMBER st6:s 9223372036854775807
				SRANDMEMBER st6:s -9223372036854775808
				SRANDMEMBER st6:s 1.5
				SRANDMEMBER st6:s ""
				SPOP st6:s -1
				SPOP st6:s 1.5
				SPOP st6:s 9223372036854775808
				SPOP st6:s ""
				SPOP st6:s 0
				SPOP st6:s 5
				EXISTS st6:s
				SADD st6:s 5 1 3 2 4
				SPOP st6:s 9223372036854775807
				EXISTS st6:s
			`))
			// Whole-set pops and reads of hash tables: compared sorted.
			p.Normalize = setsSort
			checks += setsCheckCount(p, Script(`
				SADD st6:h a b c 1 2
				SRANDMEMBER st6:h 5
				SRANDMEMBER st6:h 10
				SPOP st6:h 5
				EXISTS st6:h
				SADD st6:h a b c 1 2
				SPOP st6:h 6
				EXISTS st6:h
			`))
			p.Normalize = nil
			// SPOP taking most members builds a new set (an intset again
			// when the members kept are integers), keeping the TTL.
			p.Both("SADD", "st6:re", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
			p.Both("SREM", "st6:re", "x")
			p.Both("EXPIRE", "st6:re", "1000")
			pool := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}
			kind := byte('*')
			if proto == 3 {
				kind = '~'
			}
			p.Check("OBJECT", "ENCODING", "st6:re")
			r, e := setsDo(t, p, "SPOP", "st6:re", "11")
			setsShape(t, "redis", []string{"SPOP", "st6:re", "11"}, r, kind, 11, pool, true)
			setsShape(t, "ember", []string{"SPOP", "st6:re", "11"}, e, kind, 11, pool, true)
			checks += 2 + setsCheckCount(p, Script(`
				OBJECT ENCODING st6:re
				SCARD st6:re
				TTL st6:re
			`))
			// A few returned: the set keeps its encoding.
			p.Both("SADD", "st6:re2", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
			p.Both("SREM", "st6:re2", "x")
			r, e = setsDo(t, p, "SPOP", "st6:re2", "2")
			setsShape(t, "redis", []string{"SPOP", "st6:re2", "2"}, r, kind, 2, pool, true)
			setsShape(t, "ember", []string{"SPOP", "st6:re2", "2"}, e, kind, 2, pool, true)
			p.Check("OBJECT", "ENCODING", "st6:re2")
			checks += 2

			// Shapes over intsets and hash tables of several sizes.
			sizes := []int{1, 2, 3, 7, 20, 100}
			for _, size := range sizes {
				for _, kindName := range []string{"int", "str"} {
					key := fmt.Sprintf("st6:%s%d", kindName, size)
					args := []string{"SADD", key}
					for i := 0; i < size; i++ {
						if kindName == "int" {
							args = append(args, strconv.Itoa(i*3-7))
						} else {
							args = append(args, fmt.Sprintf("m%d", i))
						}
					}
					p.Both(args...)
					checks += setsRandomChecks(t, p, key, proto)
				}
			}
			t.Logf("%d commands compared", checks)
		})
	}
}

func TestSetScan(t *testing.T) {
	p := pair(t)
	n := setsCheckCount(p, Script(`
		SSCAN st7:nosuch 0
		SSCAN st7:nosuch 5 COUNT 10 MATCH *
		SSCAN st7:nosuch 0 COUNT 0
		SSCAN st7:nosuch 0 TYPE set
		SSCAN st7:nosuch x
		SADD st7:i 10 1 -5 100 15 11
		SSCAN st7:i 0
		SSCAN st7:i 7
		SSCAN st7:i 18446744073709551615
		SSCAN st7:i -1
		SSCAN st7:i 18446744073709551616
		SSCAN st7:i " 0"
		SSCAN st7:i ""
		SSCAN st7:i +0
		SSCAN st7:i 0x
		SSCAN st7:i 0 MATCH 1*
		SSCAN st7:i 0 MATCH -*
		SSCAN st7:i 0 match *1 COUNT 1
		SSCAN st7:i 0 MATCH *
		SSCAN st7:i 0 MATCH **
		SSCAN st7:i 0 MATCH 1? MATCH 1*
		SSCAN st7:i 0 COUNT 1
		SSCAN st7:i 0 COUNT 0
		SSCAN st7:i 0 COUNT -1
		SSCAN st7:i 0 COUNT x
		SSCAN st7:i 0 COUNT 9223372036854775807
		SSCAN st7:i 0 COUNT 9223372036854775808
		SSCAN st7:i 0 COUNT
		SSCAN st7:i 0 MATCH
		SSCAN st7:i 0 TYPE string
		SSCAN st7:i 0 NOVALUES
		SSCAN st7:i 0 "COUNT\x00" 5
		SSCAN st7:i 0 COUNT 5 bogus
		SADD st7:e ""
		SSCAN st7:e 0
		SSCAN st7:e 0 MATCH *
		SSCAN st7:e 0 MATCH **
	`))
	// A small hash table comes back whole in one call (Redis's table is
	// small enough); its order is the table's.
	p.Normalize = setsSort
	n += setsCheckCount(p, Script(`
		SADD st7:h a b c 1 ab
		SSCAN st7:h 0 COUNT 100
		SSCAN st7:h 0 COUNT 100 MATCH a*
		SSCAN st7:h 0 COUNT 100 MATCH [bc]
	`))
	p.Normalize = nil

	// A big hash table: a full iteration, cursor by cursor, returns every
	// member at least once on both servers.
	args := []string{"SADD", "st7:big"}
	for i := 0; i < 1500; i++ {
		args = append(args, fmt.Sprintf("m:%d", i))
	}
	p.Check(args...)
	n++
	for _, opts := range [][]string{nil, {"COUNT", "1"}, {"COUNT", "50"}, {"MATCH", "m:1*"}, {"MATCH", "m:1*", "COUNT", "1000"}} {
		want := setsScanAll(t, p.Redis, "st7:big", opts)
		got := setsScanAll(t, p.Ember, "st7:big", opts)
		if !slices.Equal(want, got) {
			t.Errorf("SSCAN st7:big %v: redis %d members, ember %d", opts, len(want), len(got))
		}
		n++
	}
	t.Logf("%d commands compared (full SSCAN iterations counted once)", n)
}

// setsScanAll iterates SSCAN to the end and returns the distinct members
// seen, sorted.
func setsScanAll(t *testing.T, c *Conn, key string, opts []string) []string {
	t.Helper()
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; i < 100000; i++ {
		b, err := c.Do(append([]string{"SSCAN", key, cursor}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := parseReplyTree(b)
		if err != nil || tr.kind != '*' || len(tr.elems) != 2 {
			t.Fatalf("SSCAN %s %s = %q", key, cursor, b)
		}
		for _, e := range tr.elems[1].elems {
			seen[e.text()] = true
		}
		cursor = tr.elems[0].text()
		if cursor == "0" {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

func TestSetRESP3(t *testing.T) {
	p := pair(t)
	p.Both("HELLO", "3")
	defer p.Both("HELLO", "2")
	n := setsCheckCount(p, Script(`
		SADD st8:a 3 1 2
		SADD st8:b 2 3 4
		SMEMBERS st8:a
		SMEMBERS st8:nosuch
		SISMEMBER st8:a 1
		SMISMEMBER st8:a 1 9
		SMISMEMBER st8:nosuch 1
		SCARD st8:a
		SINTER st8:a st8:b
		SINTER st8:a st8:nosuch
		SINTERCARD 2 st8:a st8:b
		SINTERSTORE st8:d st8:a st8:b
		SUNION st8:a st8:b
		SUNION st8:nosuch
		SUNIONSTORE st8:d st8:a st8:b
		SDIFF st8:a st8:b
		SDIFF st8:nosuch st8:a
		SDIFF st8:a st8:a
		SDIFFSTORE st8:d st8:a st8:b
		SSCAN st8:a 0
		SSCAN st8:nosuch 0
		SRANDMEMBER st8:nosuch
		SRANDMEMBER st8:nosuch 3
		SRANDMEMBER st8:a 0
		SRANDMEMBER st8:a 10
		SPOP st8:nosuch
		SPOP st8:nosuch 2
		SPOP st8:a 0
		SPOP st8:d 10
		SMOVE st8:a st8:b 1
		SREM st8:a 1 2
		SET st8:str x
		SMEMBERS st8:str
		SPOP st8:str 1
	`))
	t.Logf("%d commands compared", n)
}

// TestSetRandom sends random set commands over a handful of keys (and a
// string key, for WRONGTYPE crossings) to both servers and compares every
// reply: exactly, except for member orders that Redis leaves to a hash
// table, and for random picks, whose shape is checked and whose effect is
// then made the same on both servers.
func TestSetRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	defer p.Both("CONFIG", "SET", "set-max-intset-entries", "512")
	total := 0
	for _, limit := range []int{512, 6} {
		p.Both("FLUSHALL")
		p.Both("CONFIG", "SET", "set-max-intset-entries", strconv.Itoa(limit))
		total += setsRandomStream(t, p, r, limit, 3000)
	}
	t.Logf("%d random set commands compared", total)
}

var setsRandomMembers = []string{
	"", "a", "b", "x y", "01", "-0", "+1", "1.5", "\x00", "9223372036854775808",
	"9223372036854775807", "-9223372036854775808", "70000", "-5000000000",
}

func setsRandomMember(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return setsRandomMembers[r.IntN(len(setsRandomMembers))]
	}
	return strconv.Itoa(r.IntN(24) - 4)
}

func setsRandomStream(t *testing.T, p *Pair, r *rand.Rand, limit, total int) int {
	t.Helper()
	keys := []string{"st9:a", "st9:b", "st9:c", "st9:d", "st9:str"}
	p.Both("SET", "st9:str", "string")
	key := func() string {
		if r.IntN(12) == 0 {
			return "st9:str"
		}
		return keys[r.IntN(4)]
	}
	members := func(min int) []string {
		var out []string
		for n := min + r.IntN(4); n > 0; n-- {
			out = append(out, setsRandomMember(r))
		}
		return out
	}
	someKeys := func() []string {
		var out []string
		for n := 1 + r.IntN(3); n > 0; n-- {
			out = append(out, key())
		}
		return out
	}
	// unordered reports whether Redis would answer cmd in a hash table's
	// order: some key it reads is a hash table, or the result is too big
	// for an intset.
	unordered := func(readKeys []string) bool {
		for _, k := range readKeys {
			b, err := p.Redis.Do("OBJECT", "ENCODING", k)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("hashtable")) {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(60 * time.Second)
	n := 0
	for ; n < total && time.Now().Before(deadline) && !t.Failed(); n++ {
		var cmd, reads []string
		switch r.IntN(30) {
		case 0, 1, 2, 3:
			cmd = append([]string{"SADD", key()}, members(1)...)
		case 4, 5:
			if r.IntN(3) == 0 {
				// A run of integers, to cross the intset limit.
				cmd = []string{"SADD", key()}
				start := r.IntN(1000)
				for i := 0; i < limit/2+r.IntN(limit); i++ {
					cmd = append(cmd, strconv.Itoa(start+i))
				}
			} else {
				cmd = append([]string{"SREM", key()}, members(1)...)
			}
		case 6:
			cmd = []string{"SISMEMBER", key(), setsRandomMember(r)}
		case 7:
			cmd = append([]string{"SMISMEMBER", key()}, members(1)...)
		case 8:
			cmd = []string{"SCARD", key()}
		case 9, 10:
			cmd = []string{"SMEMBERS", key()}
			reads = cmd[1:]
		case 11:
			cmd = []string{"SMOVE", key(), key(), setsRandomMember(r)}
		case 12:
			cmd = append([]string{"SINTER"}, someKeys()...)
			reads = cmd[1:]
		case 13:
			ks := someKeys()
			cmd = append([]string{"SINTERCARD", strconv.Itoa(len(ks))}, ks...)
			switch r.IntN(6) {
			case 0:
				cmd = append(cmd, "LIMIT", strconv.Itoa(r.IntN(5)))
			case 1:
				cmd = append(cmd, []string{"LIMIT", "LIMIT -1", "BAD"}[r.IntN(3)])
			case 2:
				cmd[1] = []string{"0", "-1", "x", "9"}[r.IntN(4)]
			}
		case 14:
			cmd = append([]string{"SINTERSTORE", key()}, someKeys()...)
		case 15:
			cmd = append([]string{"SUNION"}, someKeys()...)
			reads = cmd[1:]
		case 16:
			cmd = append([]string{"SUNIONSTORE", key()}, someKeys()...)
		case 17:
			cmd = append([]string{"SDIFF"}, someKeys()...)
			reads = cmd[1:]
		case 18:
			cmd = append([]string{"SDIFFSTORE", key()}, someKeys()...)
		case 19, 20:
			cmd = []string{"OBJECT", "ENCODING", key()}
		case 21:
			cmd = []string{"SSCAN", key(), "0"}
			if r.IntN(2) == 0 {
				cmd = append(cmd, "MATCH", []string{"1*", "*", "-?", "[ab]*"}[r.IntN(4)])
			}
			if r.IntN(3) == 0 {
				cmd = append(cmd, "COUNT", []string{"1", "1000", "0"}[r.IntN(3)])
			}
			reads = cmd[1:2]
		case 22:
			k := key()
			cmd = []string{"SRANDMEMBER", k}
			if r.IntN(3) > 0 {
				cmd = append(cmd, strconv.Itoa(r.IntN(30)-10))
			}
		case 23:
			k := key()
			cmd = []string{"SPOP", k}
			if r.IntN(3) > 0 {
				cmd = append(cmd, strconv.Itoa(r.IntN(12)-1))
			}
		case 24:
			cmd = []string{"TYPE", key()}
		case 25:
			if r.IntN(4) == 0 {
				cmd = []string{"DEL", key()}
			} else {
				cmd = []string{"EXISTS", key()}
			}
		case 26:
			cmd = []string{"SREM", key(), setsRandomMember(r)}
		default:
			cmd = []string{"SADD", key(), setsRandomMember(r)}
		}
		verb := cmd[0]
		switch {
		case verb == "SRANDMEMBER" || verb == "SPOP":
			setsRandomStep(t, p, cmd, limit)
		case verb == "SSCAN":
			// Hash tables are walked to the end on both servers.
			if unordered(reads) {
				opts := cmd[3:]
				if len(opts) >= 2 && opts[len(opts)-1] == "0" {
					p.Check(cmd...) // COUNT 0: an error on both
					continue
				}
				want := setsScanAll(t, p.Redis, cmd[1], opts)
				got := setsScanAll(t, p.Ember, cmd[1], opts)
				if !slices.Equal(want, got) {
					t.Errorf("%s: redis %q, ember %q", Show(cmd), want, got)
				}
				continue
			}
			p.Check(cmd...)
		case reads != nil && unordered(reads):
			p.Normalize = setsSort
			p.Check(cmd...)
			p.Normalize = nil
		default:
			// Results bigger than the intset limit come out of a hash table.
			want, got := setsDo(t, p, cmd...)
			if !bytes.Equal(want, got) {
				tw, _ := parseReplyTree(want)
				if reads != nil && tw != nil && len(tw.elems) > limit {
					want, got = SortedArray(want), SortedArray(got)
				}
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s\n redis: %q\n ember: %q", Show(cmd), want, got)
			}
		}
	}
	return n
}

// setsRandomStep runs an SRANDMEMBER or SPOP from the random stream:
// errors and empty replies are compared exactly, random picks by shape;
// after a random SPOP the key is made the same on both servers.
func setsRandomStep(t *testing.T, p *Pair, cmd []string, limit int) {
	t.Helper()
	key := cmd[1]
	typ, _ := p.Redis.Do("TYPE", key)
	isSet := string(typ) == "+set\r\n"
	var pool []string
	intset := false
	if isSet {
		pool = setsMembers(t, p.Redis, key)
		enc, _ := p.Redis.Do("OBJECT", "ENCODING", key)
		intset = bytes.Contains(enc, []byte("intset"))
	}
	want, got := setsDo(t, p, cmd...)
	if bytes.Equal(want, got) {
		if cmd[0] == "SPOP" && isSet && want[0] != '-' {
			// Equal picks (or no pick): the sets are alike only if
			// what is left is.
			setsCompareMembers(t, p, key)
		}
		return
	}
	if !isSet || want[0] == '-' || got[0] == '-' {
		t.Errorf("%s\n redis: %q\n ember: %q", Show(cmd), want, got)
		return
	}
	n, distinct := -1, true
	kind := byte('*')
	if len(cmd) == 3 {
		c, err := strconv.Atoi(cmd[2])
		if err != nil {
			t.Fatalf("bad count in %s", Show(cmd))
		}
		n = min(c, len(pool))
		if c < 0 {
			n, distinct = -c, false
		}
	}
	setsShape(t, "redis", cmd, want, kind, n, pool, distinct)
	setsShape(t, "ember", cmd, got, kind, n, pool, distinct)
	// Whole sets come out in a deterministic order where Redis walks an
	// intset: SRANDMEMBER walks the set, SPOP builds a new one.
	if distinct && n == len(pool) && n > 1 {
		ordered := intset
		if cmd[0] == "SPOP" {
			ordered = len(pool) <= limit
			for _, m := range pool {
				if v, err := strconv.ParseInt(m, 10, 64); err != nil || strconv.FormatInt(v, 10) != m {
					ordered = false
				}
			}
		}
		if ordered {
			t.Errorf("%s: the order must be Redis's\n redis: %q\n ember: %q", Show(cmd), want, got)
		}
	}
	if cmd[0] == "SPOP" {
		if n == len(pool) {
			// The whole set: the same members, in a table's order.
			if !bytes.Equal(SortedArray(want), SortedArray(got)) {
				t.Errorf("%s\n redis: %q\n ember: %q", Show(cmd), want, got)
			}
		}
		p.Check("SCARD", key)
		setsResync(t, p, key)
	}
}

// setsCompareMembers fails unless key has the same members on both servers.
func setsCompareMembers(t *testing.T, p *Pair, key string) {
	t.Helper()
	a, b := setsMembers(t, p.Redis, key), setsMembers(t, p.Ember, key)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("%s differs: redis %q, ember %q", key, a, b)
	}
}

// TestSetKeyspaceStats checks that the set commands count keyspace hits
// and misses as Redis does: reads count, writes do not, and a whole-set
// SPOP reads its key once more.
func TestSetKeyspaceStats(t *testing.T) {
	p := pair(t)
	script := Script(`
		SADD st10:k 1 2 3
		SADD st10:j 3 x
		SPOP st10:k 10
		SPOP st10:nosuch 10
		SPOP st10:j 0
		SPOP st10:nosuch
		SINTER st10:j st10:nosuch st10:k
		SINTERCARD 2 st10:j st10:j
		SINTERSTORE st10:d st10:j st10:nosuch
		SUNION st10:j st10:nosuch
		SUNIONSTORE st10:d st10:j
		SDIFF st10:nosuch st10:j
		SDIFFSTORE st10:d st10:j st10:d
		SMEMBERS st10:j
		SISMEMBER st10:j 3
		SMISMEMBER st10:nosuch 3
		SCARD st10:j
		SRANDMEMBER st10:nosuch
		SRANDMEMBER st10:j 2
		SSCAN st10:j 0
		SSCAN st10:nosuch 0
		SMOVE st10:j st10:m 3
		SMOVE st10:nosuch st10:m 3
		SREM st10:m 3
		SADD st10:k 1
	`)
	p.Both("CONFIG", "RESETSTAT")
	p.Normalize = setsSort
	p.CheckAll(script)
	for _, f := range []string{"keyspace_hits", "keyspace_misses"} {
		if r, e := genInfoField(t, p.Redis, f), genInfoField(t, p.Ember, f); r != e {
			t.Errorf("%s: redis %d, ember %d", f, r, e)
		}
	}
	t.Logf("%d commands compared", len(script)+2)
}

// TestSetsSmoveWatch checks which SMOVEs a WATCH sees: one that moves a
// member the destination already holds leaves the destination alone (the
// transaction still runs), one that adds it, or a real move, does not.
func TestSetsSmoveWatch(t *testing.T) {
	p := pair(t)
	other := txnSide(t)
	for _, tc := range []struct{ member, watched string }{
		{"a", "sw:dst"}, // already in sw:dst: sw:dst unchanged
		{"b", "sw:dst"}, // added to sw:dst
		{"a", "sw:src"}, // removed from sw:src
		{"z", "sw:dst"}, // not in sw:src: nothing moves
	} {
		p.Both("DEL", "sw:src", "sw:dst")
		p.Check("SADD", "sw:src", "a", "b")
		p.Check("SADD", "sw:dst", "a")
		p.Check("WATCH", tc.watched)
		p.Check("MULTI")
		p.Check("SADD", "sw:dst", "c")
		other.Check("SMOVE", "sw:src", "sw:dst", tc.member)
		p.Check("EXEC")
		p.Check("SCARD", "sw:dst")
	}
	// The same key as source and destination changes nothing.
	p.Check("WATCH", "sw:src")
	p.Check("MULTI")
	p.Check("SCARD", "sw:src")
	other.Check("SMOVE", "sw:src", "sw:src", "b")
	p.Check("EXEC")
}
