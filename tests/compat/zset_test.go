package compat

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the sorted set commands. Keys carry a per-test
// prefix ("z1:", "z2:", ...). Sorted sets reply in their order (score, then
// member) in both encodings, so almost every reply compares byte for byte;
// only ZSCAN over a skiplist and ZRANDMEMBER are normalized or checked
// for shape.

// zsetChecked counts the commands the differential tests compared.
var zsetChecked int

// zsetScript runs a transcript on both servers and counts it.
func zsetScript(p *Pair, text string) {
	p.T.Helper()
	script := Script(text)
	zsetChecked += len(script)
	p.CheckAll(script)
}

// zsetBothProtocols runs a transcript in RESP2, then again (after a
// FLUSHALL) in RESP3.
func zsetBothProtocols(p *Pair, text string) {
	p.T.Helper()
	p.Both("FLUSHALL")
	zsetScript(p, text)
	p.Both("FLUSHALL")
	p.Both("HELLO", "3")
	defer p.Both("HELLO", "2")
	zsetScript(p, text)
}

// zsetSetConfig sets a directive on both servers and restores Redis's
// default when the test ends.
func zsetSetConfig(t *testing.T, p *Pair, name, val, def string) {
	t.Helper()
	p.Check("CONFIG", "SET", name, val)
	t.Cleanup(func() { p.Both("CONFIG", "SET", name, def) })
}

// zsetFill builds a ZADD command adding members prefix<from>.. with
// scores from on.
func zsetFill(key, prefix string, from, n int) []string {
	cmd := []string{"ZADD", key}
	for i := from; i < from+n; i++ {
		cmd = append(cmd, strconv.Itoa(i), prefix+strconv.Itoa(i))
	}
	return cmd
}

// zsetNormalize sorts the member/score pairs of a ZSCAN page, whose order
// a skiplist-encoded set leaves unspecified.
func zsetNormalize(args []string, reply []byte) []byte {
	if !strings.EqualFold(args[0], "ZSCAN") {
		return reply
	}
	t, err := parseReplyTree(reply)
	if err != nil || t.kind != '*' || len(t.elems) != 2 {
		return reply
	}
	t.elems[1].sortPairs()
	return t.encode()
}

func TestZSetAddAndRead(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z1:a 1 one
		ZADD z1:a 2 two 3 three
		ZADD z1:a 1 one
		ZADD z1:a 10 one
		ZCARD z1:a
		ZSCORE z1:a one
		ZSCORE z1:a nosuch
		ZSCORE z1:nokey one
		ZMSCORE z1:a one nosuch two
		ZMSCORE z1:nokey a b
		ZRANGE z1:a 0 -1 WITHSCORES

		# options
		ZADD z1:a NX 100 one 4 four
		ZADD z1:a XX 100 one 5 five
		ZADD z1:a XX CH 101 one 5 five
		ZADD z1:a CH 101 one 7 seven
		ZADD z1:a CH 3 three
		ZADD z1:a GT 50 one
		ZADD z1:a GT CH 500 one
		ZADD z1:a LT CH 600 one
		ZADD z1:a LT CH 0 one
		ZADD z1:a GT 1 newgt
		ZADD z1:a LT 1 newlt
		ZADD z1:a XX GT CH 10 one 20 two
		ZADD z1:a XX LT CH 10 one 1 two
		ZADD z1:a gt xx ch 11 one
		ZADD z1:a nx ch 11 one 12 twelve
		ZRANGE z1:a 0 -1 WITHSCORES
		ZADD z1:x XX 1 a
		EXISTS z1:x
		ZADD z1:x XX INCR 1 a
		EXISTS z1:x

		# INCR
		ZADD z1:i INCR 5 m
		ZADD z1:i INCR 2.5 m
		ZADD z1:i INCR -10 m
		ZADD z1:i NX INCR 1 m
		ZADD z1:i XX INCR 1 m
		ZADD z1:i XX INCR 1 other
		ZADD z1:i NX INCR 1 other
		ZADD z1:i GT INCR -1 m
		ZADD z1:i GT INCR 1 m
		ZADD z1:i LT INCR 1 m
		ZADD z1:i LT INCR -1 m
		ZADD z1:i INCR CH 1 m
		ZADD z1:i INCR 0 m
		ZINCRBY z1:i 1 m
		ZINCRBY z1:i -1.5 m
		ZINCRBY z1:i 3 brandnew
		ZINCRBY z1:i inf m
		ZINCRBY z1:i 1 m
		ZINCRBY z1:i -inf m
		ZSCORE z1:i m
		ZADD z1:i INCR -inf m
		ZINCRBY z1:i nan m
		ZINCRBY z1:i abc m
		ZINCRBY z1:i 1
		ZINCRBY z1:i nx 1
		ZINCRBY z1:i 1 nx
		ZINCRBY z1:i incr 1
		ZRANGE z1:i 0 -1 WITHSCORES
		ZINCRBY z1:new 1e308 m
		ZINCRBY z1:new 1e308 m

		# errors
		ZADD z1:e 1
		ZADD z1:e
		ZADD z1:e 1 a 2
		ZADD z1:e NX
		ZADD z1:e NX XX 1 a
		ZADD z1:e XX NX 1 a
		ZADD z1:e GT LT 1 a
		ZADD z1:e NX GT 1 a
		ZADD z1:e NX LT 1 a
		ZADD z1:e GT LT NX XX 1 a
		ZADD z1:e INCR 1 a 2 b
		ZADD z1:e INCR NX XX 1 a 2 b
		ZADD z1:e NX XX 1 a 2
		ZADD z1:e abc a
		ZADD z1:e 1 a abc b
		ZADD z1:e nan a
		ZADD z1:e NaN a
		ZADD z1:e 1e400 a
		ZADD z1:e -1e400 a
		ZADD z1:e 1e-400 a
		ZADD z1:e " 1" a
		ZADD z1:e "1 " a
		ZADD z1:e "" a
		ZADD z1:e "1\x00" a
		ZADD z1:e 0x a
		ZADD z1:e FOO 1 a
		ZADD z1:e 1 a FOO
		EXISTS z1:e
		ZADD z1:e CH
		ZADD z1:e CH 1

		# ZREM
		ZADD z1:r 1 a 2 b 3 c
		ZREM z1:r a nosuch
		ZREM z1:r a
		ZREM z1:nokey a
		ZREM z1:r b c a
		EXISTS z1:r
		ZADD z1:r 1 a 2 b
		ZREM z1:r a a b b
		EXISTS z1:r
		ZCARD z1:r

		# ZRANK
		ZADD z1:k 1 a 2 b 3 c 3 d
		ZRANK z1:k a
		ZRANK z1:k d
		ZREVRANK z1:k a
		ZREVRANK z1:k d
		ZRANK z1:k nosuch
		ZREVRANK z1:k nosuch
		ZRANK z1:nokey a
		ZREVRANK z1:nokey a
		ZRANK z1:k a WITHSCORE
		ZRANK z1:k
	`)
}

// TestZSetScores covers score parsing (strtod's syntax), formatting
// (%.17g, inf) and arithmetic edge cases.
func TestZSetScores(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z2:s 1.1 a 0.1 b 1e300 c -1e-300 d 3.0 e 1e17 f 123456789012345678 g
		ZADD z2:s +inf h -inf i +INF j Infinity k -infinity l 0x10 m 0x1p-3 n 0X1.8P1 o
		ZADD z2:s 5e-324 p 1e-310 q 4.9406564584124654e-324 r 1.7976931348623157e308 s
		ZADD z2:s .5 t 5. u +7 v 007 w 1E2 x 1e+2 y 2.5e-5 z
		ZADD z2:s 0.30000000000000004 aa 100000000000000000000 ab 1e21 ac 0.0001 ad 0.00001 ae
		ZADD z2:s 4611686018427387904 af 4611686018427387903 ag -4611686018427387904 ah 9007199254740993 ai
		ZRANGE z2:s 0 -1 WITHSCORES
		ZSCORE z2:s a
		ZSCORE z2:s h
		ZSCORE z2:s i
		ZSCORE z2:s q
		ZMSCORE z2:s a b c h i nosuch
		ZINCRBY z2:s 0.1 b
		ZINCRBY z2:s 1e300 c
		ZINCRBY z2:s -1e300 c
		ZINCRBY z2:s 1 h
		ZINCRBY z2:s -1 i

		# signed zero: the listpack stores -0 as 0, the reply keeps it
		ZADD z2:z -0 neg
		ZSCORE z2:z neg
		ZADD z2:z INCR -0 neg
		ZADD z2:z INCR -0 other
		ZSCORE z2:z other
		ZADD z2:z 0 neg
		ZRANGE z2:z 0 -1 WITHSCORES
		ZRANGEBYSCORE z2:z -0 0 WITHSCORES
		ZRANGEBYSCORE z2:z (-0 0 WITHSCORES
		ZCOUNT z2:z -0 (0
	`)
}

func TestZSetRange(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z3:a 1 a 2 b 3 c 4 d 5 e 5 f 5 g 6 h
		ZRANGE z3:a 0 -1
		ZRANGE z3:a 0 -1 WITHSCORES
		ZRANGE z3:a 0 -1 withscores withscores
		ZRANGE z3:a 2 4
		ZRANGE z3:a -3 -1
		ZRANGE z3:a -100 100
		ZRANGE z3:a 5 2
		ZRANGE z3:a 8 10
		ZRANGE z3:a -1 -3
		ZRANGE z3:a 0 0 WITHSCORES
		ZRANGE z3:a 0 -1 REV
		ZRANGE z3:a 0 2 REV WITHSCORES
		ZRANGE z3:a -2 -1 REV
		ZRANGE z3:a 0 -1 LIMIT 0 -1
		ZRANGE z3:a 0 -1 LIMIT 0 1
		ZRANGE z3:a 0 -1 LIMIT 1 -1
		ZRANGE z3:a a b
		ZRANGE z3:a 0 b
		ZRANGE z3:a 0 1 FOO
		ZRANGE z3:a 0 1 REV REV
		ZRANGE z3:a 0 1 BYSCORE BYSCORE
		ZRANGE z3:a 0 1 BYSCORE BYLEX
		ZRANGE z3:a 0 1 LIMIT 0
		ZRANGE z3:a 0 1 LIMIT
		ZRANGE z3:a 0 1 LIMIT a 1
		ZRANGE z3:a 0 1 LIMIT 0 a
		ZRANGE z3:a [a [b BYLEX WITHSCORES
		ZRANGE z3:a [a [b BYLEX LIMIT x 1 WITHSCORES
		ZRANGE z3:nokey 0 -1
		ZRANGE z3:nokey 0 -1 WITHSCORES
		ZRANGE z3:nokey a b
		ZRANGE z3:nokey (1 2 BYSCORE
		ZRANGE z3:nokey x y BYSCORE
		ZREVRANGE z3:a 0 -1
		ZREVRANGE z3:a 0 -1 WITHSCORES
		ZREVRANGE z3:a 1 2
		ZREVRANGE z3:a -2 -1 WITHSCORES
		ZREVRANGE z3:a 0 -1 REV
		ZREVRANGE z3:a 0 -1 BYSCORE
		ZREVRANGE z3:a 0 -1 LIMIT 0 1

		# BYSCORE
		ZRANGE z3:a 2 5 BYSCORE
		ZRANGE z3:a (2 5 BYSCORE WITHSCORES
		ZRANGE z3:a 2 (5 BYSCORE
		ZRANGE z3:a (2 (5 BYSCORE
		ZRANGE z3:a -inf +inf BYSCORE
		ZRANGE z3:a -inf inf BYSCORE LIMIT 2 3
		ZRANGE z3:a -inf inf BYSCORE LIMIT 2 -1
		ZRANGE z3:a -inf inf BYSCORE LIMIT 2 0
		ZRANGE z3:a -inf inf BYSCORE LIMIT -1 2
		ZRANGE z3:a -inf inf BYSCORE LIMIT 8 2
		ZRANGE z3:a -inf inf BYSCORE LIMIT 7 2
		ZRANGE z3:a 5 2 BYSCORE REV
		ZRANGE z3:a (5 2 BYSCORE REV WITHSCORES
		ZRANGE z3:a +inf -inf BYSCORE REV LIMIT 1 3
		ZRANGE z3:a 2 5 BYSCORE REV
		ZRANGE z3:a 5 5 BYSCORE
		ZRANGE z3:a (5 5 BYSCORE
		ZRANGE z3:a 5 (5 BYSCORE
		ZRANGE z3:a 7 10 BYSCORE
		ZRANGE z3:a -10 0 BYSCORE
		ZRANGE z3:a "" "" BYSCORE
		ZRANGE z3:a ( 10 BYSCORE
		ZRANGE z3:a " 2" "5" BYSCORE
		ZRANGE z3:a "2\x00xyz" 5 BYSCORE
		ZRANGE z3:a 1e400 -1e400 BYSCORE REV
		ZRANGE z3:a 0x2 0x5 BYSCORE
		ZRANGE z3:a a 5 BYSCORE
		ZRANGE z3:a 2 b BYSCORE
		ZRANGE z3:a ((2 5 BYSCORE
		ZRANGE z3:a [2 5 BYSCORE
		ZRANGE z3:a nan 5 BYSCORE
		ZRANGE z3:a "2 " 5 BYSCORE
		ZRANGEBYSCORE z3:a 2 5
		ZRANGEBYSCORE z3:a 2 5 WITHSCORES
		ZRANGEBYSCORE z3:a -inf +inf LIMIT 1 2 WITHSCORES
		ZRANGEBYSCORE z3:a -inf +inf WITHSCORES LIMIT 1 2
		ZRANGEBYSCORE z3:a -inf +inf LIMIT 1 2 LIMIT 0 1
		ZRANGEBYSCORE z3:a -inf +inf REV
		ZRANGEBYSCORE z3:a -inf +inf BYSCORE
		ZRANGEBYSCORE z3:a -inf +inf LIMIT 1
		ZRANGEBYSCORE z3:a x 1
		ZREVRANGEBYSCORE z3:a 5 2
		ZREVRANGEBYSCORE z3:a +inf -inf WITHSCORES
		ZREVRANGEBYSCORE z3:a (5 (2
		ZREVRANGEBYSCORE z3:a +inf -inf LIMIT 2 2
		ZREVRANGEBYSCORE z3:a 2 5
		ZCOUNT z3:a 2 5
		ZCOUNT z3:a (2 (5
		ZCOUNT z3:a -inf +inf
		ZCOUNT z3:a 5 2
		ZCOUNT z3:a 5 5
		ZCOUNT z3:a (5 5
		ZCOUNT z3:nokey 1 2
		ZCOUNT z3:a x 2
		ZCOUNT z3:a 1 (
		ZCOUNT z3:nokey x 2

		# BYLEX
		ZADD z3:l 0 a 0 b 0 c 0 d 0 e 0 f 0 g 0 "" 0 aa 0 "b\x00" 0 ba
		ZRANGE z3:l - + BYLEX
		ZRANGE z3:l [b [d BYLEX
		ZRANGE z3:l (b (d BYLEX
		ZRANGE z3:l [b (d BYLEX
		ZRANGE z3:l [ [b BYLEX
		ZRANGE z3:l ( [b BYLEX
		ZRANGE z3:l - [c BYLEX LIMIT 1 2
		ZRANGE z3:l - + BYLEX LIMIT 2 -1
		ZRANGE z3:l - + BYLEX LIMIT -1 2
		ZRANGE z3:l - + BYLEX LIMIT 100 2
		ZRANGE z3:l + - BYLEX REV
		ZRANGE z3:l [d [b BYLEX REV
		ZRANGE z3:l (d - BYLEX REV LIMIT 1 2
		ZRANGE z3:l [b [d BYLEX REV
		ZRANGE z3:l + + BYLEX
		ZRANGE z3:l - - BYLEX
		ZRANGE z3:l + - BYLEX
		ZRANGE z3:l [b [b BYLEX
		ZRANGE z3:l (b [b BYLEX
		ZRANGE z3:l "[b\x00" + BYLEX
		ZRANGE z3:l "+\x00x" - BYLEX REV
		ZRANGE z3:l b d BYLEX
		ZRANGE z3:l [b d BYLEX
		ZRANGE z3:l "" + BYLEX
		ZRANGE z3:l ++ - BYLEX
		ZRANGE z3:l -x + BYLEX
		ZRANGEBYLEX z3:l [a [c
		ZRANGEBYLEX z3:l - + LIMIT 0 3
		ZRANGEBYLEX z3:l - + WITHSCORES
		ZRANGEBYLEX z3:l - + REV
		ZREVRANGEBYLEX z3:l + -
		ZREVRANGEBYLEX z3:l [c [a
		ZREVRANGEBYLEX z3:l + - LIMIT 1 2
		ZREVRANGEBYLEX z3:l [a [c
		ZLEXCOUNT z3:l - +
		ZLEXCOUNT z3:l [b [d
		ZLEXCOUNT z3:l (b (d
		ZLEXCOUNT z3:l [d [b
		ZLEXCOUNT z3:l + -
		ZLEXCOUNT z3:l - -
		ZLEXCOUNT z3:nokey - +
		ZLEXCOUNT z3:l b d
		ZLEXCOUNT z3:nokey b d
		ZRANGE z3:nokey - + BYLEX

		# BYLEX over mixed scores (only the listpack's scan is defined)
		ZADD z3:m 1 b 2 a 3 d 4 c
		ZRANGEBYLEX z3:m [a [c
		ZRANGEBYLEX z3:m - [b
		ZREVRANGEBYLEX z3:m [c [a
		ZLEXCOUNT z3:m [a [c
		ZLEXCOUNT z3:m - +
		ZREMRANGEBYLEX z3:m [a [b
		ZRANGE z3:m 0 -1
	`)
}

func TestZSetRangeStore(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z4:src 1 a 2 b 3 c 4 d 5 e
		ZRANGESTORE z4:dst z4:src 0 -1
		ZRANGE z4:dst 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src 1 2
		ZRANGE z4:dst 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src 0 1 REV
		ZRANGE z4:dst 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src (1 4 BYSCORE LIMIT 1 2
		ZRANGE z4:dst 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src 4 (1 BYSCORE REV
		ZRANGE z4:dst 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src [b + BYLEX
		ZRANGE z4:dst 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src + [c BYLEX REV LIMIT 0 2
		ZRANGE z4:dst 0 -1 WITHSCORES
		OBJECT ENCODING z4:dst
		ZRANGESTORE z4:dst z4:src 10 20
		EXISTS z4:dst
		ZRANGESTORE z4:dst z4:src 0 -1
		ZRANGESTORE z4:dst z4:nokey 0 -1
		EXISTS z4:dst
		SET z4:str x
		ZRANGESTORE z4:str z4:src 0 0
		TYPE z4:str
		ZRANGESTORE z4:dst z4:str 0 -1
		ZRANGESTORE z4:src z4:src 1 -2
		ZRANGE z4:src 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src 0 -1 WITHSCORES
		ZRANGESTORE z4:dst z4:src 0 -1 LIMIT 0 1
		ZRANGESTORE z4:dst z4:src a b BYLEX
		ZRANGESTORE z4:dst z4:src a b BYSCORE
		ZRANGESTORE z4:dst z4:src a b
		ZRANGESTORE z4:dst z4:src 0
		SET z4:ttl v EX 100
		ZRANGESTORE z4:ttl z4:src 0 -1
		TTL z4:ttl
	`)
}

func TestZSetRemRange(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z5:a 1 a 2 b 3 c 4 d 5 e 6 f
		ZREMRANGEBYRANK z5:a 0 0
		ZREMRANGEBYRANK z5:a -1 -1
		ZREMRANGEBYRANK z5:a 10 20
		ZREMRANGEBYRANK z5:a 2 1
		ZRANGE z5:a 0 -1
		ZREMRANGEBYRANK z5:a -100 100
		EXISTS z5:a
		ZREMRANGEBYRANK z5:nokey 0 -1
		ZREMRANGEBYRANK z5:a a 1
		ZREMRANGEBYRANK z5:a 0 b
		ZADD z5:s 1 a 2 b 3 c 4 d 5 e 6 f
		ZREMRANGEBYSCORE z5:s 2 3
		ZREMRANGEBYSCORE z5:s (4 (6
		ZREMRANGEBYSCORE z5:s 10 20
		ZREMRANGEBYSCORE z5:s 6 1
		ZRANGE z5:s 0 -1
		ZREMRANGEBYSCORE z5:s -inf +inf
		EXISTS z5:s
		ZREMRANGEBYSCORE z5:nokey -inf +inf
		ZREMRANGEBYSCORE z5:s x 1
		ZREMRANGEBYSCORE z5:nokey x 1
		ZADD z5:l 0 a 0 b 0 c 0 d 0 e
		ZREMRANGEBYLEX z5:l [b (d
		ZREMRANGEBYLEX z5:l (x +
		ZREMRANGEBYLEX z5:l [d [a
		ZRANGE z5:l 0 -1
		ZREMRANGEBYLEX z5:l - +
		EXISTS z5:l
		ZREMRANGEBYLEX z5:nokey - +
		ZREMRANGEBYLEX z5:l a b
		ZREMRANGEBYLEX z5:nokey a b
	`)
}

func TestZSetPop(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z6:a 1 a 2 b 3 c 4 d 5 e 6 f
		ZPOPMIN z6:a
		ZPOPMAX z6:a
		ZPOPMIN z6:a 2
		ZPOPMAX z6:a 1
		ZPOPMIN z6:a 0
		ZPOPMAX z6:a 100
		EXISTS z6:a
		ZPOPMIN z6:nokey
		ZPOPMIN z6:nokey 3
		ZPOPMAX z6:nokey 0
		ZPOPMIN z6:a -1
		ZPOPMIN z6:a abc
		ZPOPMIN z6:a 1 2
		ZADD z6:a 1 a
		ZPOPMIN z6:a 0
		ZPOPMIN z6:a -1
		ZPOPMAX z6:a 1.5
		ZCARD z6:a

		ZADD z6:m1 1 a 2 b 3 c
		ZADD z6:m2 10 x 20 y
		ZMPOP 2 z6:nokey z6:m1 MIN
		ZMPOP 2 z6:nokey z6:m1 MAX COUNT 10
		EXISTS z6:m1
		ZMPOP 2 z6:m1 z6:m2 min count 1
		ZMPOP 1 z6:nokey MIN
		ZMPOP 1 z6:nokey MAX COUNT 2
		ZMPOP 0 z6:m2 MIN
		ZMPOP -1 z6:m2 MIN
		ZMPOP x z6:m2 MIN
		ZMPOP 3 z6:m2 MIN
		ZMPOP 2 z6:m2 MIN
		ZMPOP 1 z6:m2 MID
		ZMPOP 1 z6:m2 MIN COUNT
		ZMPOP 1 z6:m2 MIN COUNT 0
		ZMPOP 1 z6:m2 MIN COUNT -1
		ZMPOP 1 z6:m2 MIN COUNT x
		ZMPOP 1 z6:m2 MIN COUNT 1 COUNT 1
		ZMPOP 1 z6:m2 MIN FOO
		SET z6:str v
		ZMPOP 2 z6:str z6:m2 MIN
		ZMPOP 2 z6:m2 z6:str MAX
		ZMPOP 2 z6:nokey z6:str MAX
		ZPOPMIN z6:str
		ZPOPMIN z6:str 0
	`)
}

func TestZSetSetOps(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z7:a 1 a 2 b 3 c
		ZADD z7:b 1 b 2 c 3 d
		ZADD z7:c 5 c 6 d 7 e
		SADD z7:set a b x
		SADD z7:iset 1 2 3
		ZADD z7:nums 10 1 20 2 30 4
		SET z7:str v
		ZUNION 2 z7:a z7:b
		ZUNION 2 z7:a z7:b WITHSCORES
		ZUNION 3 z7:a z7:b z7:c WITHSCORES
		ZUNION 2 z7:a z7:b WEIGHTS 2 3 WITHSCORES
		ZUNION 2 z7:a z7:b WEIGHTS 2 3 AGGREGATE MIN WITHSCORES
		ZUNION 2 z7:a z7:b AGGREGATE MAX WITHSCORES
		ZUNION 2 z7:a z7:b AGGREGATE sum WEIGHTS 1 -1 WITHSCORES
		ZUNION 2 z7:a z7:nokey WITHSCORES
		ZUNION 1 z7:nokey
		ZUNION 2 z7:a z7:set WITHSCORES
		ZUNION 2 z7:nums z7:iset WITHSCORES
		ZUNION 2 z7:a z7:a WITHSCORES
		ZUNION 2 z7:a z7:b WEIGHTS 0 0 WITHSCORES
		ZUNION 2 z7:a z7:b WITHSCORES WITHSCORES
		ZINTER 2 z7:a z7:b
		ZINTER 2 z7:a z7:b WITHSCORES
		ZINTER 3 z7:a z7:b z7:c WITHSCORES
		ZINTER 2 z7:b z7:c WEIGHTS 1 0.5 AGGREGATE MAX WITHSCORES
		ZINTER 2 z7:b z7:c AGGREGATE MIN WITHSCORES
		ZINTER 2 z7:a z7:set WITHSCORES
		ZINTER 2 z7:nums z7:iset WITHSCORES
		ZINTER 2 z7:a z7:a WEIGHTS 2 3 WITHSCORES
		ZINTER 2 z7:a z7:nokey WITHSCORES
		ZINTER 2 z7:set z7:set WITHSCORES
		ZDIFF 2 z7:a z7:b
		ZDIFF 2 z7:a z7:b WITHSCORES
		ZDIFF 3 z7:c z7:a z7:b WITHSCORES
		ZDIFF 1 z7:a WITHSCORES
		ZDIFF 2 z7:a z7:a
		ZDIFF 2 z7:nokey z7:a
		ZDIFF 2 z7:a z7:set WITHSCORES
		ZDIFF 2 z7:set z7:a WITHSCORES
		ZDIFF 2 z7:a z7:b WEIGHTS 1 2
		ZDIFF 2 z7:a z7:b AGGREGATE MIN
		ZINTERCARD 2 z7:a z7:b
		ZINTERCARD 3 z7:a z7:b z7:c
		ZINTERCARD 2 z7:a z7:set
		ZINTERCARD 2 z7:a z7:b LIMIT 1
		ZINTERCARD 2 z7:a z7:b LIMIT 0
		ZINTERCARD 2 z7:a z7:b LIMIT 100
		ZINTERCARD 2 z7:a z7:nokey
		ZINTERCARD 2 z7:a z7:b LIMIT -1
		ZINTERCARD 2 z7:a z7:b LIMIT x
		ZINTERCARD 2 z7:a z7:b WITHSCORES
		ZINTERCARD 2 z7:a z7:b WEIGHTS 1 2
		ZINTERCARD 2 z7:a z7:b LIMIT
		ZINTERCARD 0 z7:a
		ZINTERCARD x z7:a

		# errors
		ZUNION 0 z7:a
		ZUNION -1 z7:a
		ZUNION x z7:a
		ZUNION 3 z7:a z7:b
		ZUNION 2 z7:a z7:str
		ZUNION 2 z7:str z7:a WEIGHTS x
		ZUNION 2 z7:a z7:b WEIGHTS 1
		ZUNION 2 z7:a z7:b WEIGHTS 1 x
		ZUNION 2 z7:a z7:b WEIGHTS 1 nan
		ZUNION 2 z7:a z7:b WEIGHTS 1 " 1"
		ZUNION 2 z7:a z7:b AGGREGATE
		ZUNION 2 z7:a z7:b AGGREGATE AVG
		ZUNION 2 z7:a z7:b FOO
		ZINTER 0 z7:a
		ZDIFF 0 z7:a
		ZUNIONSTORE z7:d 0 z7:a
		ZINTERSTORE z7:d 0 z7:a
		ZDIFFSTORE z7:d 0 z7:a
		ZUNIONSTORE z7:d 2 z7:a z7:b WITHSCORES
		ZUNIONSTORE z7:d 2 z7:a z7:str
		ZUNIONSTORE z7:d 3 z7:a z7:b

		# store forms
		ZUNIONSTORE z7:d 2 z7:a z7:b
		ZRANGE z7:d 0 -1 WITHSCORES
		ZUNIONSTORE z7:d 2 z7:a z7:b WEIGHTS 2 -1 AGGREGATE MAX
		ZRANGE z7:d 0 -1 WITHSCORES
		ZINTERSTORE z7:d 2 z7:a z7:b
		ZRANGE z7:d 0 -1 WITHSCORES
		ZINTERSTORE z7:d 2 z7:a z7:set WEIGHTS 1 10
		ZRANGE z7:d 0 -1 WITHSCORES
		ZDIFFSTORE z7:d 2 z7:a z7:b
		ZRANGE z7:d 0 -1 WITHSCORES
		ZUNIONSTORE z7:d 2 z7:set z7:iset
		ZRANGE z7:d 0 -1 WITHSCORES
		OBJECT ENCODING z7:d
		ZINTERSTORE z7:d 2 z7:a z7:c
		EXISTS z7:d
		ZDIFFSTORE z7:d 2 z7:a z7:a
		EXISTS z7:d
		ZUNIONSTORE z7:str 1 z7:a
		TYPE z7:str
		ZUNIONSTORE z7:a 2 z7:a z7:b
		ZRANGE z7:a 0 -1 WITHSCORES
		SET z7:ttl v EX 100
		ZINTERSTORE z7:ttl 1 z7:b
		TTL z7:ttl

		# infinities and signed zeros
		ZADD z7:inf1 inf a -inf b 0 c 1 d
		ZADD z7:inf2 -inf a inf b 0 c -1 d
		ZUNION 2 z7:inf1 z7:inf2 WITHSCORES
		ZINTER 2 z7:inf1 z7:inf2 WITHSCORES
		ZUNION 2 z7:inf1 z7:inf2 WEIGHTS 0 1 WITHSCORES
		ZINTER 2 z7:inf1 z7:inf2 WEIGHTS 1 0 AGGREGATE MIN WITHSCORES
		ZINTER 2 z7:inf1 z7:inf2 WEIGHTS 1 0 AGGREGATE MAX WITHSCORES
		ZINTER 2 z7:inf1 z7:inf2 WEIGHTS 0 1 AGGREGATE MAX WITHSCORES
		ZUNION 1 z7:inf1 WEIGHTS -1 WITHSCORES
		ZUNION 1 z7:inf1 WEIGHTS -0 WITHSCORES
		ZUNIONSTORE z7:d 1 z7:inf1 WEIGHTS -1
		ZRANGE z7:d 0 -1 WITHSCORES
		ZSCORE z7:d c
	`)
}

func TestZSetRandMember(t *testing.T) {
	p := pair(t)
	for _, resp3 := range []bool{false, true} {
		p.Both("FLUSHALL")
		if resp3 {
			p.Both("HELLO", "3")
		}
		zsetScript(p, `
			ZRANDMEMBER z8:nokey
			ZRANDMEMBER z8:nokey 5
			ZRANDMEMBER z8:nokey -5 WITHSCORES
			ZRANDMEMBER z8:nokey 0
			SET z8:str v
			ZRANDMEMBER z8:str
			ZRANDMEMBER z8:str 1
			ZRANDMEMBER z8:str x
			ZRANDMEMBER z8:a x
			ZRANDMEMBER z8:a 1 FOO
			ZRANDMEMBER z8:a 1 WITHSCORES FOO
			ZRANDMEMBER z8:a -9223372036854775808
			ZRANDMEMBER z8:a 9223372036854775807 WITHSCORES
			ZRANDMEMBER z8:a -4611686018427387904 WITHSCORES
			ZRANDMEMBER z8:a 1.5
			ZADD z8:one 7 only
			ZRANDMEMBER z8:one
			ZRANDMEMBER z8:one 1 WITHSCORES
			ZRANDMEMBER z8:one -3 WITHSCORES
			ZRANDMEMBER z8:one 0 WITHSCORES
		`)
		for _, big := range []bool{false, true} {
			key := "z8:small"
			n := 20
			if big {
				key, n = "z8:big", 300
			}
			p.Both(zsetFill(key, "m", 0, n)...)
			members := map[string]string{}
			for i := 0; i < n; i++ {
				members["m"+strconv.Itoa(i)] = strconv.Itoa(i)
			}
			for _, args := range [][]string{
				{key}, {key, "1"}, {key, "5"}, {key, "-5"}, {key, "-50", "WITHSCORES"},
				{key, "5", "WITHSCORES"}, {key, strconv.Itoa(n - 1)}, {key, strconv.Itoa(n)},
				{key, strconv.Itoa(n + 5), "WITHSCORES"}, {key, strconv.Itoa(n / 2), "withscores"},
				{key, strconv.Itoa(n / 4)}, {key, "-1"}, {key, "-700", "WITHSCORES"},
			} {
				zsetCheckRand(t, p, resp3, members, append([]string{"ZRANDMEMBER"}, args...)...)
			}
		}
		if resp3 {
			p.Both("HELLO", "2")
		}
	}
}

// zsetCheckRand runs a ZRANDMEMBER on both servers and checks Ember's
// reply against Redis's in shape (header, nesting), count, distinctness
// and membership; the whole set (count >= size) must come exactly as
// Redis sends it, highest score first.
func zsetCheckRand(t *testing.T, p *Pair, resp3 bool, members map[string]string, args ...string) {
	t.Helper()
	zsetChecked++
	want, err := p.Redis.Do(args...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Ember.Do(args...)
	if err != nil {
		t.Fatal(err)
	}
	fail := func(format string, a ...any) {
		t.Helper()
		t.Errorf("%s: %s\n redis: %q\n ember: %q", Show(args), fmt.Sprintf(format, a...), want, got)
	}
	if len(args) == 2 {
		tree, err := parseReplyTree(got)
		if err != nil || tree.kind != '$' {
			fail("not a bulk string")
		} else if _, ok := members[tree.text()]; !ok {
			fail("%q is not a member", tree.text())
		}
		return
	}
	count, _ := strconv.Atoi(args[2])
	if count >= len(members) {
		if !bytes.Equal(want, got) {
			fail("the whole set must come in order")
		}
		return
	}
	wt, err1 := parseReplyTree(want)
	gt, err2 := parseReplyTree(got)
	if err1 != nil || err2 != nil {
		fail("unparsable")
		return
	}
	if !bytes.Equal(wt.head, gt.head) {
		fail("headers differ")
		return
	}
	withScores := len(args) == 4
	type ms struct{ m, s string }
	var got2 []ms
	switch {
	case withScores && resp3:
		for _, e := range gt.elems {
			if e.kind != '*' || len(e.elems) != 2 || e.elems[1].kind != ',' {
				fail("RESP3 WITHSCORES element is not a [member, double] pair")
				return
			}
			got2 = append(got2, ms{e.elems[0].text(), e.elems[1].text()})
		}
	case withScores:
		for i := 0; i+1 < len(gt.elems); i += 2 {
			got2 = append(got2, ms{gt.elems[i].text(), gt.elems[i+1].text()})
		}
	default:
		for _, e := range gt.elems {
			got2 = append(got2, ms{m: e.text()})
		}
	}
	seen := map[string]bool{}
	for _, x := range got2 {
		s, ok := members[x.m]
		if !ok {
			fail("%q is not a member", x.m)
			return
		}
		if withScores && x.s != s {
			fail("%q comes with score %q, has %q", x.m, x.s, s)
			return
		}
		if count > 0 && seen[x.m] {
			fail("%q twice for a positive count", x.m)
			return
		}
		seen[x.m] = true
	}
}

func TestZSetScan(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z9:a 1 a 2.5 b 3 c -inf d 0.1 e 4e18 f 1e20 g 100 123 -5 -7
		ZSCAN z9:a 0
		ZSCAN z9:a 0 COUNT 1
		ZSCAN z9:a 0 MATCH *
		ZSCAN z9:a 0 MATCH [a-c]
		ZSCAN z9:a 0 MATCH 1*
		ZSCAN z9:a 0 MATCH nothing
		ZSCAN z9:a 12345
		ZSCAN z9:a 0 COUNT 0
		ZSCAN z9:a 0 COUNT -1
		ZSCAN z9:a 0 COUNT x
		ZSCAN z9:a 0 TYPE zset
		ZSCAN z9:a 0 FOO bar
		ZSCAN z9:a 0 COUNT
		ZSCAN z9:a x
		ZSCAN z9:a -1
		ZSCAN z9:a " 0"
		ZSCAN z9:nokey 0
		ZSCAN z9:nokey 0 COUNT x
		ZSCAN z9:nokey x
		SET z9:str v
		ZSCAN z9:str 0
		ZSCAN z9:str 0 COUNT x
	`)
	// A skiplist set: every member once over a full iteration, scores
	// formatted as %.17g (4e+18 rather than a listpack's integer).
	p.Both("FLUSHALL")
	p.Both(zsetFill("z9:big", "m", 0, 300)...)
	p.Both("ZADD", "z9:big", "4e18", "f", "-0", "negzero", "0.1", "tenth")
	for _, opts := range [][]string{nil, {"COUNT", "7"}, {"MATCH", "m1*"}, {"COUNT", "1000"}} {
		want := zsetScanAll(t, p.Redis, "redis", "z9:big", opts...)
		got := zsetScanAll(t, p.Ember, "ember", "z9:big", opts...)
		zsetChecked++
		if len(want) != len(got) {
			t.Fatalf("ZSCAN %v: redis %d members, ember %d", opts, len(want), len(got))
		}
		for m, s := range want {
			if got[m] != s {
				t.Errorf("ZSCAN %v: %q scores %q in ember, %q in redis", opts, m, got[m], s)
			}
		}
	}
	p.Normalize = zsetNormalize
	zsetScript(p, `ZSCAN z9:big 0 COUNT 100000`)
	p.Normalize = nil
}

// zsetScanAll runs a full ZSCAN iteration and returns member → score.
func zsetScanAll(t *testing.T, c *Conn, who, key string, opts ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	cursor := "0"
	for i := 0; i < 100000; i++ {
		reply, err := c.Do(append([]string{"ZSCAN", key, cursor}, opts...)...)
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		tree, err := parseReplyTree(reply)
		if err != nil || len(tree.elems) != 2 {
			t.Fatalf("%s: bad ZSCAN reply %q", who, reply)
		}
		items := tree.elems[1].elems
		for j := 0; j+1 < len(items); j += 2 {
			out[items[j].text()] = items[j+1].text()
		}
		cursor = tree.elems[0].text()
		if cursor == "0" {
			return out
		}
	}
	t.Fatalf("%s: ZSCAN did not finish", who)
	return nil
}

// TestZSetEncodings checks OBJECT ENCODING at the listpack limits, the
// conversions of every command that builds a set, and that replies stay
// identical across the conversion.
func TestZSetEncodings(t *testing.T) {
	p := pair(t)
	long64 := strings.Repeat("x", 64)
	long65 := strings.Repeat("y", 65)
	for _, n := range []int{127, 128, 129} {
		key := "z10:n" + strconv.Itoa(n)
		p.Check(zsetFill(key, "m", 0, n)...)
		p.Check("OBJECT", "ENCODING", key)
		p.Check("ZRANGE", key, "0", "-1", "WITHSCORES")
		p.Check("ZRANGE", key, "(5", "100", "BYSCORE", "LIMIT", "3", "50")
		p.Check("ZREVRANGE", key, "3", "60")
		p.Check("ZRANK", key, "m77")
		p.Check("ZREVRANK", key, "m77")
		p.Check("ZCOUNT", key, "10", "(90")
		zsetChecked += 7
	}
	zsetScript(p, `
		ZADD z10:n128 128 m128
		OBJECT ENCODING z10:n128
		ZREM z10:n128 m0 m1 m2 m3 m4
		OBJECT ENCODING z10:n128
		ZADD z10:n127 -1 m127
		OBJECT ENCODING z10:n127
		ZADD z10:n127 XX 5 newmember
		OBJECT ENCODING z10:n127
		ZADD z10:v 1 `+long64+`
		OBJECT ENCODING z10:v
		ZADD z10:v 2 `+long65+`
		OBJECT ENCODING z10:v
		ZRANGE z10:v 0 -1 WITHSCORES
		ZADD z10:w 1 `+long65+`
		OBJECT ENCODING z10:w
		ZADD z10:x 1 short 2 `+long65+`
		OBJECT ENCODING z10:x
		ZINCRBY z10:y 1 `+long65+`
		OBJECT ENCODING z10:y
		ZADD z10:u 1 a
		ZADD z10:u 2 a
		OBJECT ENCODING z10:u

		# results of the STORE commands convert back to listpack when small
		ZUNIONSTORE z10:s1 1 z10:n129
		OBJECT ENCODING z10:s1
		ZUNIONSTORE z10:s2 1 z10:v
		OBJECT ENCODING z10:s2
		ZINTERSTORE z10:s3 2 z10:n129 z10:n128
		OBJECT ENCODING z10:s3
		ZDIFFSTORE z10:s4 2 z10:n129 z10:n127
		OBJECT ENCODING z10:s4
		ZRANGE z10:s4 0 -1 WITHSCORES
		ZRANGESTORE z10:s5 z10:n129 0 127
		OBJECT ENCODING z10:s5
		ZRANGESTORE z10:s6 z10:n129 0 128
		OBJECT ENCODING z10:s6
		ZRANGESTORE z10:s7 z10:n129 -inf +inf BYSCORE
		OBJECT ENCODING z10:s7
		ZRANGESTORE z10:s8 z10:n129 -inf +inf BYSCORE LIMIT 0 128
		OBJECT ENCODING z10:s8
		ZRANGESTORE z10:s9 z10:v 0 -1
		OBJECT ENCODING z10:s9
		ZRANGESTORE z10:s10 z10:v 0 0
		OBJECT ENCODING z10:s10

		# signed zero across encodings
		ZADD z10:nz -0 a
		ZADD z10:nzbig 1 `+long65+` -0 a
		ZSCORE z10:nz a
		ZSCORE z10:nzbig a
		ZUNION 1 z10:nzbig WITHSCORES
		ZUNIONSTORE z10:nzs 1 z10:nzbig
		ZSCORE z10:nzs a
		ZRANGESTORE z10:nzr z10:nzbig 0 -1
		ZSCORE z10:nzr a
		ZRANGESTORE z10:nzr2 z10:nzbig 0 0
		ZSCORE z10:nzr2 a
		OBJECT ENCODING z10:nzr2
		COPY z10:nzbig z10:nzcopy
		ZSCORE z10:nzcopy a
	`)
	// Thresholds from the configuration, read at the time of a change.
	zsetSetConfig(t, p, "zset-max-listpack-entries", "4", "128")
	zsetSetConfig(t, p, "zset-max-listpack-value", "8", "64")
	zsetScript(p, `
		ZADD z10:c 1 a 2 b 3 c 4 d
		OBJECT ENCODING z10:c
		ZADD z10:c 5 e
		OBJECT ENCODING z10:c
		ZADD z10:d 1 12345678
		OBJECT ENCODING z10:d
		ZADD z10:d 1 123456789
		OBJECT ENCODING z10:d
		ZUNIONSTORE z10:e 1 z10:c
		OBJECT ENCODING z10:e
		ZRANGESTORE z10:f z10:c 0 3
		OBJECT ENCODING z10:f
		CONFIG SET zset-max-listpack-entries 0
		ZADD z10:g 1 a
		OBJECT ENCODING z10:g
		ZRANGESTORE z10:h z10:c 0 0
		OBJECT ENCODING z10:h
		ZRANGESTORE z10:h z10:c -inf +inf BYSCORE LIMIT 0 1
		OBJECT ENCODING z10:h
		ZUNIONSTORE z10:i 1 z10:c
		OBJECT ENCODING z10:i
		CONFIG SET zset-max-listpack-entries 128
		ZADD z10:c 6 f
		OBJECT ENCODING z10:c
	`)
}

// TestZSetGeneric runs the keyspace commands over sorted sets.
func TestZSetGeneric(t *testing.T) {
	p := pair(t)
	p.Both(zsetFill("z11:big", "m", 0, 200)...)
	zsetScript(p, `
		ZADD z11:a 1 a 2 b 3 c
		TYPE z11:a
		TYPE z11:big
		OBJECT ENCODING z11:a
		OBJECT ENCODING z11:big
		COPY z11:a z11:a2
		ZRANGE z11:a2 0 -1 WITHSCORES
		OBJECT ENCODING z11:a2
		COPY z11:big z11:big2
		OBJECT ENCODING z11:big2
		ZRANGE z11:big2 0 10 WITHSCORES
		ZADD z11:a2 10 d
		ZCARD z11:a
		ZCARD z11:a2
		ZADD z11:big2 1000 extra
		ZCARD z11:big
		ZCARD z11:big2
		RENAME z11:a2 z11:a3
		ZRANGE z11:a3 0 -1
		MOVE z11:a3 9
		EXISTS z11:a3
		SELECT 9
		ZRANGE z11:a3 0 -1 WITHSCORES
		DEL z11:a3
		SELECT 0
		EXPIRE z11:a 100
		ZADD z11:a 4 d
		TTL z11:a
		ZPOPMIN z11:a 10
		TTL z11:a
		EXISTS z11:a
		DEL z11:big z11:big2
		EXISTS z11:big
	`)
	p.Normalize = func(args []string, reply []byte) []byte {
		t, err := parseReplyTree(reply)
		if err != nil || len(t.elems) != 2 {
			return reply
		}
		t.elems[1].sortElems()
		return t.encode()
	}
	zsetScript(p, `SCAN 0 TYPE zset COUNT 1000`)
	p.Normalize = nil
}

// TestZSetWrongType runs every sorted set command against a string key,
// and the commands that accept sets against sets.
func TestZSetWrongType(t *testing.T) {
	p := pair(t)
	zsetScript(p, `
		SET z12:s v
		HSET z12:h f v
		ZADD z12:s 1 a
		ZADD z12:s XX 1 a
		ZADD z12:s x a
		ZINCRBY z12:s 1 a
		ZREM z12:s a
		ZCARD z12:s
		ZCOUNT z12:s 0 1
		ZCOUNT z12:s x 1
		ZLEXCOUNT z12:s - +
		ZSCORE z12:s a
		ZMSCORE z12:s a b
		ZRANK z12:s a
		ZREVRANK z12:s a
		ZRANGE z12:s 0 -1
		ZRANGE z12:s 0 -1 FOO
		ZRANGESTORE z12:d z12:s 0 -1
		ZREVRANGE z12:s 0 -1
		ZRANGEBYSCORE z12:s 0 1
		ZREVRANGEBYSCORE z12:s 1 0
		ZRANGEBYLEX z12:s - +
		ZREVRANGEBYLEX z12:s + -
		ZREMRANGEBYRANK z12:s 0 -1
		ZREMRANGEBYSCORE z12:s 0 1
		ZREMRANGEBYLEX z12:s - +
		ZPOPMIN z12:s
		ZPOPMAX z12:s 2
		ZMPOP 1 z12:s MIN
		ZRANDMEMBER z12:s
		ZRANDMEMBER z12:s 2
		ZUNION 1 z12:s
		ZINTER 1 z12:s
		ZDIFF 1 z12:s
		ZUNIONSTORE z12:d 1 z12:s
		ZINTERSTORE z12:d 1 z12:h
		ZDIFFSTORE z12:d 1 z12:h
		ZINTERCARD 1 z12:s
		ZSCAN z12:s 0
		ZADD z12:z 1 a
		GET z12:z
		SADD z12:z x
		HSET z12:z f v
		SINTER z12:z
	`)
	zsetScript(p, `
		RPUSH z12:l x
		ZUNIONSTORE z12:d 2 z12:z z12:l
		ZRANGE z12:l 0 -1
		LPUSH z12:z x
	`)
}

// TestZSetRESP3 checks reply shapes that only RESP3 shows (doubles,
// [member, score] pairs, nulls) command by command.
func TestZSetRESP3(t *testing.T) {
	p := pair(t)
	p.Both("HELLO", "3")
	defer p.Both("HELLO", "2")
	p.Both(zsetFill("z13:big", "m", 0, 150)...)
	zsetScript(p, `
		ZADD z13:a 1 a 2.5 b inf c
		ZADD z13:a INCR 1 a
		ZADD z13:a XX INCR 1 zz
		ZINCRBY z13:a 0.5 b
		ZSCORE z13:a a
		ZSCORE z13:a c
		ZSCORE z13:a zz
		ZSCORE z13:none a
		ZMSCORE z13:a a zz c
		ZRANK z13:a zz
		ZRANK z13:none a
		ZRANGE z13:a 0 -1 WITHSCORES
		ZRANGE z13:big 0 5 WITHSCORES
		ZRANGE z13:big 140 200 REV WITHSCORES
		ZRANGEBYSCORE z13:a -inf +inf WITHSCORES
		ZREVRANGEBYSCORE z13:big 100 90 WITHSCORES LIMIT 2 3
		ZRANGEBYLEX z13:a - +
		ZREVRANGE z13:a 0 -1 WITHSCORES
		ZRANGE z13:none 0 -1 WITHSCORES
		ZUNION 2 z13:a z13:big WITHSCORES
		ZINTER 2 z13:a z13:big WITHSCORES
		ZDIFF 1 z13:a WITHSCORES
		ZPOPMIN z13:a
		ZPOPMIN z13:a 1
		ZPOPMAX z13:big 2
		ZPOPMAX z13:none
		ZPOPMAX z13:none 2
		ZMPOP 1 z13:big MIN COUNT 2
		ZMPOP 1 z13:none MIN
		ZRANDMEMBER z13:none
		ZRANDMEMBER z13:none 3
		ZSCAN z13:a 0
		ZSCAN z13:none 0
	`)
}

// TestZSetRandomStreams sends random command streams over a handful of
// keys (small and large sets, a string key for WRONGTYPE) to both servers
// and compares every reply. BYLEX commands go to keys whose members all
// score 0, where the lexicographic order is defined.
func TestZSetRandomStreams(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	for _, resp3 := range []bool{false, true} {
		p.Both("FLUSHALL")
		if resp3 {
			p.Both("HELLO", "3")
		}
		p.Both("SET", "z14:str", "v")
		p.Both("SADD", "z14:set", "m1", "m2", "x")
		n, errReplies := 0, 0
		for n < 3000 {
			if n%100 == 0 {
				// Keep the large keys large (skiplist-encoded).
				for _, k := range []string{"z14:big", "z14:biglex"} {
					card, _ := strconv.Atoi(strings.TrimSpace(string(p.Check("ZCARD", k)[1:])))
					if card < 150 {
						cmd := []string{"ZADD", k}
						for i := 0; i < 200; i++ {
							score := zsetRandScore(r)
							if k == "z14:biglex" {
								score = "0"
							}
							cmd = append(cmd, score, zsetRandMember(r, true))
						}
						p.Check(cmd...)
						n += 2
					}
				}
			}
			cmd := zsetRandomCommand(r)
			if reply := p.Check(cmd...); len(reply) > 0 && reply[0] == '-' {
				errReplies++
			}
			n++
			if t.Failed() {
				t.Fatalf("stopping after %d commands", n)
			}
		}
		zsetChecked += n
		var sizes []string
		for _, k := range zsetRandKeys {
			p.Check("ZRANGE", k, "0", "-1", "WITHSCORES")
			enc := p.Check("OBJECT", "ENCODING", k)
			card := p.Check("ZCARD", k)
			sizes = append(sizes, fmt.Sprintf("%s %q %q", k, bytes.TrimSpace(card), bytes.TrimSpace(enc)))
		}
		t.Logf("resp3=%v: %d commands, %d error replies; final sets: %s", resp3, n, errReplies, strings.Join(sizes, ", "))
		if resp3 {
			p.Both("HELLO", "2")
		}
	}
}

var zsetRandKeys = []string{"z14:a", "z14:b", "z14:c", "z14:big", "z14:lex", "z14:biglex"}

func zsetRandMember(r *rand.Rand, big bool) string {
	if big && r.IntN(3) != 0 {
		return "m" + strconv.Itoa(r.IntN(400))
	}
	return "m" + strconv.Itoa(r.IntN(12))
}

func zsetRandScore(r *rand.Rand) string {
	switch r.IntN(12) {
	case 0:
		return "inf"
	case 1:
		return "-inf"
	case 2:
		return strconv.FormatFloat(r.NormFloat64()*100, 'g', -1, 64)
	case 3:
		return "0.1"
	}
	return strconv.Itoa(r.IntN(21) - 10)
}

func zsetRandBound(r *rand.Rand) string {
	b := ""
	if r.IntN(3) == 0 {
		b = "("
	}
	switch r.IntN(8) {
	case 0:
		return b + "-inf"
	case 1:
		return b + "+inf"
	}
	return b + strconv.Itoa(r.IntN(25)-12)
}

func zsetRandLex(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return "-"
	case 1:
		return "+"
	}
	prefix := "["
	if r.IntN(2) == 0 {
		prefix = "("
	}
	return prefix + zsetRandMember(r, r.IntN(2) == 0)
}

func zsetRandLimit(r *rand.Rand) []string {
	if r.IntN(3) != 0 {
		return nil
	}
	return []string{"LIMIT", strconv.Itoa(r.IntN(8) - 1), strconv.Itoa(r.IntN(10) - 2)}
}

// zsetRandomCommand draws one command of the stream.
func zsetRandomCommand(r *rand.Rand) []string {
	keys := []string{"z14:a", "z14:b", "z14:c", "z14:big", "z14:none", "z14:a", "z14:big", "z14:c", "z14:str", "z14:set"}
	key := keys[r.IntN(len(keys)-2)]
	if r.IntN(10) == 0 {
		key = keys[len(keys)-2+r.IntN(2)] // WRONGTYPE, or a set where one is accepted
	}
	big := key == "z14:big"
	lexKey := "z14:lex"
	if r.IntN(2) == 0 {
		lexKey = "z14:biglex"
	}
	switch r.IntN(34) {
	case 0, 1, 2:
		cmd := []string{"ZADD", key}
		for _, o := range []string{"NX", "XX", "GT", "LT", "CH", "INCR"} {
			if r.IntN(12) == 0 {
				cmd = append(cmd, o)
			}
		}
		pairs := 1 + r.IntN(4)
		if big {
			pairs = 1 + r.IntN(60)
		}
		for i := 0; i < pairs; i++ {
			cmd = append(cmd, zsetRandScore(r), zsetRandMember(r, big))
		}
		return cmd
	case 3:
		cmd := []string{"ZADD", lexKey}
		for i := 0; i < 1+r.IntN(30); i++ {
			cmd = append(cmd, "0", zsetRandMember(r, lexKey == "z14:biglex"))
		}
		return cmd
	case 4:
		return []string{"ZINCRBY", key, zsetRandScore(r), zsetRandMember(r, big)}
	case 5:
		cmd := []string{"ZREM", key}
		for i := 0; i < 1+r.IntN(5); i++ {
			cmd = append(cmd, zsetRandMember(r, big))
		}
		return cmd
	case 6:
		return []string{"ZSCORE", key, zsetRandMember(r, big)}
	case 7:
		return []string{"ZMSCORE", key, zsetRandMember(r, big), zsetRandMember(r, big)}
	case 8:
		return []string{[]string{"ZRANK", "ZREVRANK"}[r.IntN(2)], key, zsetRandMember(r, big)}
	case 9:
		return []string{"ZCARD", key}
	case 10:
		return []string{"ZCOUNT", key, zsetRandBound(r), zsetRandBound(r)}
	case 11, 12:
		cmd := []string{"ZRANGE", key, strconv.Itoa(r.IntN(30) - 15), strconv.Itoa(r.IntN(30) - 10)}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "REV")
		}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "WITHSCORES")
		}
		return cmd
	case 13, 14:
		cmd := []string{"ZRANGE", key, zsetRandBound(r), zsetRandBound(r), "BYSCORE"}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "REV")
		}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "WITHSCORES")
		}
		return append(cmd, zsetRandLimit(r)...)
	case 15:
		cmd := []string{[]string{"ZRANGEBYSCORE", "ZREVRANGEBYSCORE"}[r.IntN(2)], key, zsetRandBound(r), zsetRandBound(r)}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "WITHSCORES")
		}
		return append(cmd, zsetRandLimit(r)...)
	case 16, 17:
		cmd := []string{"ZRANGE", lexKey, zsetRandLex(r), zsetRandLex(r), "BYLEX"}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "REV")
		}
		return append(cmd, zsetRandLimit(r)...)
	case 18:
		cmd := []string{[]string{"ZRANGEBYLEX", "ZREVRANGEBYLEX"}[r.IntN(2)], lexKey, zsetRandLex(r), zsetRandLex(r)}
		return append(cmd, zsetRandLimit(r)...)
	case 19:
		return []string{"ZLEXCOUNT", lexKey, zsetRandLex(r), zsetRandLex(r)}
	case 20:
		return []string{"ZREMRANGEBYLEX", lexKey, zsetRandLex(r), zsetRandLex(r)}
	case 21:
		return []string{"ZREMRANGEBYSCORE", key, zsetRandBound(r), zsetRandBound(r)}
	case 22:
		return []string{"ZREMRANGEBYRANK", key, strconv.Itoa(r.IntN(10) - 5), strconv.Itoa(r.IntN(10) - 5)}
	case 23:
		cmd := []string{[]string{"ZPOPMIN", "ZPOPMAX"}[r.IntN(2)], key}
		if r.IntN(2) == 0 {
			cmd = append(cmd, strconv.Itoa(r.IntN(5)))
		}
		return cmd
	case 24:
		cmd := []string{"ZMPOP", "2", key, keys[r.IntN(len(keys))], []string{"MIN", "MAX"}[r.IntN(2)]}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "COUNT", strconv.Itoa(1+r.IntN(4)))
		}
		return cmd
	case 25, 26:
		op := []string{"ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"}[r.IntN(4)]
		n := 1 + r.IntN(3)
		cmd := []string{op, strconv.Itoa(n)}
		for i := 0; i < n; i++ {
			cmd = append(cmd, keys[r.IntN(len(keys))])
		}
		if op != "ZDIFF" && op != "ZINTERCARD" && r.IntN(2) == 0 {
			cmd = append(cmd, "WEIGHTS")
			for i := 0; i < n; i++ {
				cmd = append(cmd, strconv.Itoa(r.IntN(5)-2))
			}
		}
		if op != "ZDIFF" && op != "ZINTERCARD" && r.IntN(2) == 0 {
			cmd = append(cmd, "AGGREGATE", []string{"SUM", "MIN", "MAX"}[r.IntN(3)])
		}
		if op == "ZINTERCARD" && r.IntN(2) == 0 {
			cmd = append(cmd, "LIMIT", strconv.Itoa(r.IntN(4)))
		}
		if op != "ZINTERCARD" && r.IntN(2) == 0 {
			cmd = append(cmd, "WITHSCORES")
		}
		return cmd
	case 27:
		op := []string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}[r.IntN(3)]
		dst := []string{"z14:c", "z14:d"}[r.IntN(2)]
		n := 1 + r.IntN(3)
		cmd := []string{op, dst, strconv.Itoa(n)}
		for i := 0; i < n; i++ {
			cmd = append(cmd, keys[r.IntN(len(keys))])
		}
		if op != "ZDIFFSTORE" && r.IntN(2) == 0 {
			cmd = append(cmd, "AGGREGATE", []string{"SUM", "MIN", "MAX"}[r.IntN(3)])
		}
		return cmd
	case 28:
		cmd := []string{"ZRANGESTORE", []string{"z14:c", "z14:d"}[r.IntN(2)], key, zsetRandBound(r), zsetRandBound(r), "BYSCORE"}
		return append(cmd, zsetRandLimit(r)...)
	case 29:
		return []string{"ZRANGESTORE", "z14:d", key, strconv.Itoa(r.IntN(10) - 5), strconv.Itoa(r.IntN(10) - 3)}
	case 30:
		return []string{"ZRANDMEMBER", key, strconv.Itoa(500 + r.IntN(5))}
	case 31:
		return []string{"OBJECT", "ENCODING", key}
	case 32:
		return []string{"ZRANGE", key, "0", "-1", "WITHSCORES"}
	default:
		// a and b stay small (listpack): a ZSCAN returns them whole.
		return []string{"ZSCAN", "z14:" + []string{"a", "b"}[r.IntN(2)], "0"}
	}
}

// zsetWaitBlocked polls CLIENT LIST on c's server until n clients show
// flag b.
func zsetWaitBlocked(t *testing.T, c *Conn, who string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		reply, err := c.Do("CLIENT", "LIST")
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		got := strings.Count(string(reply), "flags=b ")
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d clients blocked, want %d", who, got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// zsetBlocker is one client blocking on both servers.
type zsetBlocker struct {
	t              *testing.T
	redis, ember   *Conn
	args           []string
	redisR, emberR []byte
}

// zsetBlock connects a client to each server (in RESP3 when resp3),
// sends args on both without waiting for the reply, and waits until both
// servers show n blocked clients.
func zsetBlock(t *testing.T, p *Pair, resp3 bool, n int, args ...string) *zsetBlocker {
	t.Helper()
	b := &zsetBlocker{t: t, args: args}
	var err error
	if b.redis, err = Dial(redisSrv.Addr); err != nil {
		t.Fatal(err)
	}
	if b.ember, err = Dial(emberSrv.Addr()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.redis.Close(); b.ember.Close() })
	if resp3 {
		b.redis.Do("HELLO", "3")
		b.ember.Do("HELLO", "3")
	}
	if err := b.redis.Send(Encode(args...)); err != nil {
		t.Fatal(err)
	}
	if err := b.ember.Send(Encode(args...)); err != nil {
		t.Fatal(err)
	}
	zsetWaitBlocked(t, p.Redis, "redis", n)
	zsetWaitBlocked(t, p.Ember, "ember", n)
	return b
}

// check reads the blocked command's reply from both servers and compares.
func (b *zsetBlocker) check() {
	b.t.Helper()
	zsetChecked++
	want, err := b.redis.ReadTimeout(5 * time.Second)
	if err != nil {
		b.t.Fatalf("redis %s: %v", Show(b.args), err)
	}
	got, err := b.ember.ReadTimeout(5 * time.Second)
	if err != nil {
		b.t.Fatalf("ember %s: %v (redis replied %q)", Show(b.args), err, want)
	}
	if !bytes.Equal(want, got) {
		b.t.Errorf("%s (blocked)\n redis: %q\n ember: %q", Show(b.args), want, got)
	}
}

// TestZSetBlockingImmediate covers the blocking commands when they need
// not block, their errors, and their timeouts.
func TestZSetBlockingImmediate(t *testing.T) {
	p := pair(t)
	zsetBothProtocols(p, `
		ZADD z15:a 1 a 2 b 3 c
		ZADD z15:b 10 x
		SET z15:str v
		BZPOPMIN z15:a 0
		BZPOPMAX z15:a 0
		BZPOPMIN z15:nokey z15:b z15:a 0
		EXISTS z15:b
		BZMPOP 0 2 z15:nokey z15:a MIN
		ZADD z15:a 1 a 2 b 3 c
		BZMPOP 0 1 z15:a MAX COUNT 2
		BZMPOP 0 1 z15:a max count 10
		EXISTS z15:a
		BZPOPMIN z15:str 0
		BZPOPMIN z15:nokey z15:str 0
		BZMPOP 0 2 z15:nokey z15:str MIN
		BZPOPMIN z15:nokey 0.01
		BZPOPMAX z15:nokey z15:nokey2 0.001
		BZMPOP 0.01 1 z15:nokey MIN
		BZPOPMIN z15:a -1
		BZPOPMIN z15:a x
		BZPOPMIN z15:a inf
		BZPOPMIN z15:a nan
		BZPOPMIN z15:a ""
		BZPOPMIN z15:a
		BZMPOP -1 1 z15:a MIN
		BZMPOP x 1 z15:a MIN
		BZMPOP 0 0 z15:a MIN
		BZMPOP 0 x z15:a MIN
		BZMPOP 0 2 z15:a MIN
		BZMPOP 0 1 z15:a MID
		BZMPOP 0 1 z15:a MIN COUNT 0
		BZMPOP 0 1 z15:a MIN COUNT
		BZMPOP x 0 z15:a MIN
		BZMPOP 0 1 z15:a MIN COUNT 1 FOO
	`)
}

// TestZSetBlockingServed blocks clients on missing keys and serves them
// with writes of every kind, in RESP2 and RESP3.
func TestZSetBlockingServed(t *testing.T) {
	p := pair(t)
	for _, resp3 := range []bool{false, true} {
		p.Both("FLUSHALL")
		b := zsetBlock(t, p, resp3, 1, "BZPOPMIN", "z16:a", "z16:b", "0")
		zsetScript(p, `ZADD z16:b 2 y 1 x 3 z`)
		b.check()
		zsetScript(p, `ZRANGE z16:b 0 -1 WITHSCORES`)

		b = zsetBlock(t, p, resp3, 1, "BZPOPMAX", "z16:c", "z16:d", "0")
		zsetScript(p, `ZINCRBY z16:d 5 m`)
		b.check()
		zsetScript(p, `EXISTS z16:d`)

		b = zsetBlock(t, p, resp3, 1, "BZMPOP", "0", "2", "z16:e", "z16:f", "MAX", "COUNT", "2")
		zsetScript(p, `ZADD z16:f 1 a 2 b 3 c`)
		b.check()
		zsetScript(p, `ZRANGE z16:f 0 -1 WITHSCORES`)

		b = zsetBlock(t, p, resp3, 1, "BZMPOP", "0", "1", "z16:g", "MIN", "COUNT", "10")
		zsetScript(p, `ZADD z16:g 1 a 2 b`)
		b.check()
		zsetScript(p, `EXISTS z16:g`)

		// Stores wake the destination's waiters.
		zsetScript(p, `ZADD z16:src 1 a 2 b 3 c`)
		b = zsetBlock(t, p, resp3, 1, "BZPOPMIN", "z16:dst", "0")
		zsetScript(p, `ZUNIONSTORE z16:dst 1 z16:src`)
		b.check()
		b = zsetBlock(t, p, resp3, 1, "BZPOPMAX", "z16:dst2", "0")
		zsetScript(p, `ZRANGESTORE z16:dst2 z16:src 0 1`)
		b.check()

		// Another type at the key: the client stays blocked.
		b = zsetBlock(t, p, resp3, 1, "BZPOPMIN", "z16:t", "0")
		zsetScript(p, `SET z16:t v`)
		zsetWaitBlocked(t, p.Redis, "redis", 1)
		zsetWaitBlocked(t, p.Ember, "ember", 1)
		zsetScript(p, `
			DEL z16:t
			ZADD z16:t 7 seven
		`)
		b.check()

		// First come, first served; one member serves one client.
		b1 := zsetBlock(t, p, resp3, 1, "BZPOPMIN", "z16:q", "0")
		b2 := zsetBlock(t, p, resp3, 2, "BZMPOP", "0", "1", "z16:q", "MIN", "COUNT", "5")
		zsetScript(p, `ZADD z16:q 1 first`)
		b1.check()
		zsetWaitBlocked(t, p.Redis, "redis", 1)
		zsetWaitBlocked(t, p.Ember, "ember", 1)
		zsetScript(p, `ZADD z16:q 2 second 3 third`)
		b2.check()
		zsetScript(p, `EXISTS z16:q`)

		// A timeout while blocked.
		b = zsetBlock(t, p, resp3, 1, "BZPOPMIN", "z16:never", "0.05")
		b.check()
		b = zsetBlock(t, p, resp3, 1, "BZMPOP", "0.05", "1", "z16:never", "MIN")
		b.check()
	}
}
