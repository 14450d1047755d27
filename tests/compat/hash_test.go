package compat

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the hash commands. Keys carry a per-test prefix
// ("h1:", "h2:", ...). Listpack-encoded hashes reply in insertion order,
// so their replies are compared byte for byte; hashtable-encoded ones
// reply in an unspecified order, and those replies are normalized
// (hashNormalize) only where the test knows the hash is a hashtable.

// hashCheckScript runs a transcript and logs how many commands it compared.
func hashCheckScript(p *Pair, text string) int {
	p.T.Helper()
	script := Script(text)
	p.CheckAll(script)
	return len(script)
}

// hashNormalize sorts the parts of hash replies whose order Redis leaves
// unspecified for a hashtable: HKEYS and HVALS elements, HGETALL pairs,
// the pairs of an HSCAN page.
func hashNormalize(args []string, reply []byte) []byte {
	t, err := parseReplyTree(reply)
	if err != nil {
		return reply
	}
	switch strings.ToUpper(args[0]) {
	case "HKEYS", "HVALS":
		t.sortElems()
	case "HGETALL":
		t.sortPairs()
	case "HSCAN":
		if t.kind == '*' && len(t.elems) == 2 {
			t.elems[1].sortPairs()
		}
	default:
		return reply
	}
	return t.encode()
}

// hashUnordered runs commands on hashes known to be hashtable-encoded,
// normalizing their unordered replies.
func hashUnordered(p *Pair, text string) int {
	p.T.Helper()
	p.Normalize = hashNormalize
	defer func() { p.Normalize = nil }()
	return hashCheckScript(p, text)
}

// hashSetConfig sets a directive on both servers and restores Redis's
// default when the test ends.
func hashSetConfig(t *testing.T, p *Pair, name, val, def string) {
	t.Helper()
	p.Check("CONFIG", "SET", name, val)
	t.Cleanup(func() { p.Both("CONFIG", "SET", name, def) })
}

// hashFill builds an HSET command adding fields prefix0..prefix(n-1).
func hashFill(key, prefix string, from, n int) []string {
	cmd := []string{"HSET", key}
	for i := from; i < from+n; i++ {
		cmd = append(cmd, prefix+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	return cmd
}

func TestHashSetGet(t *testing.T) {
	p := pair(t)
	n := hashCheckScript(p, `
		HSET h1:a f1 v1
		HSET h1:a f1 v1
		HSET h1:a f2 v2 f3 v3
		HSET h1:a f1 new f4 v4
		HGET h1:a f1
		HGET h1:a f2
		HGET h1:a nosuch
		HGET h1:nosuch f1
		HGETALL h1:a
		HKEYS h1:a
		HVALS h1:a
		HLEN h1:a
		HLEN h1:nosuch
		hset h1:a F1 V1
		HsEt h1:a "" ""
		HGET h1:a ""
		HGET h1:a F1
		HGETALL h1:a
		TYPE h1:a
		OBJECT ENCODING h1:a

		# arity: HSET and HMSET check the pairs themselves
		HSET h1:a f5
		HSET h1:a f5 v5 f6
		HSET h1:a f5 v5 f6 v6 f7
		HSET h1:a
		HSET
		HMSET h1:a f5
		HMSET h1:a f5 v5 f6
		HMSET
		HSET h1:new f5 v5 f6
		EXISTS h1:new
		HGETALL h1:a

		# binary-safe fields and values
		HSET h1:b "bin\x00ary" "val\r\nue\x00"
		HGET h1:b "bin\x00ary"
		HGET h1:b "bin"
		HGETALL h1:b
		HSTRLEN h1:b "bin\x00ary"
		HSET h1:b "\xff\xfe" "\x80"
		HGETALL h1:b

		# one command setting a field several times
		HSET h1:dup f a f b f c
		HGET h1:dup f
		HGETALL h1:dup
		HLEN h1:dup

		# HMSET
		HMSET h1:m a 1 b 2
		HMSET h1:m a 3 c 4
		HGETALL h1:m

		# HSETNX
		HSETNX h1:m a x
		HSETNX h1:m z x
		HGET h1:m a
		HGETALL h1:m
		HSETNX h1:nx f v
		HGETALL h1:nx
		HSETNX h1:nx f w
		HGET h1:nx f
		HSETNX h1:m z
		HSETNX h1:m z 1 2
		HSETNX h1:nx "" ""
		HGETALL h1:nx

		# HGET / HMGET arity and shapes
		HGET h1:m
		HGET h1:m a b
		HMGET h1:m a nosuch c
		HMGET h1:nosuch a b
		HMGET h1:m
		HMGET h1:m a a a
		HMGET h1:m z

		# HEXISTS / HSTRLEN / HLEN
		HEXISTS h1:m a
		HEXISTS h1:m nosuch
		HEXISTS h1:nosuch a
		HEXISTS h1:m
		HEXISTS h1:m a b
		HSTRLEN h1:m a
		HSTRLEN h1:m nosuch
		HSTRLEN h1:nosuch a
		HSTRLEN h1:m
		HSTRLEN h1:m a b
		HSET h1:m empty ""
		HSTRLEN h1:m empty
		HEXISTS h1:m empty
		HLEN h1:m
		HLEN
		HLEN a b

		# empty and missing hashes
		HKEYS h1:nosuch
		HVALS h1:nosuch
		HGETALL h1:nosuch
		HKEYS
		HKEYS a b
		HVALS a b
		HGETALL
		HGETALL a b

		# integer-like values: Redis packs canonical integers, which must
		# read back exactly as written
		HSET h1:i n1 123 n2 -123 n3 0 n4 -0 n5 007 n6 9223372036854775807 n7 -9223372036854775808 n8 9223372036854775808 n9 " 1" n10 +1 n11 1.0 n12 12345678901234567890 n13 -9223372036854775809 n14 1e3 n15 0x10 n16 127 n17 128 n18 -4096 n19 65535 n20 4294967296
		HGETALL h1:i
		HVALS h1:i
		HSTRLEN h1:i n1
		HSTRLEN h1:i n2
		HSTRLEN h1:i n6
		HSTRLEN h1:i n7
		HSTRLEN h1:i n13
		HMGET h1:i n3 n4 n5 n16 n17 n18
		HSET h1:i 1 one 2 two -3 three
		HGET h1:i 1
		HGET h1:i -3
		HKEYS h1:i
		OBJECT ENCODING h1:i
	`)
	t.Logf("%d transcript commands compared", n)
}

func TestHashDel(t *testing.T) {
	p := pair(t)
	n := hashCheckScript(p, `
		HSET h2:a f1 1 f2 2 f3 3 f4 4
		HDEL h2:a f2
		HGETALL h2:a
		HDEL h2:a f2
		HDEL h2:a nosuch f1 f1 f3
		HGETALL h2:a
		HLEN h2:a
		HDEL h2:a f4
		EXISTS h2:a
		TYPE h2:a
		HGETALL h2:a
		HLEN h2:a
		HDEL h2:a f4
		HDEL h2:nosuch f
		HDEL h2:a
		HDEL

		# the key goes with its last field, later fields are ignored
		HSET h2:b a 1 b 2
		HDEL h2:b a b c
		EXISTS h2:b
		HSET h2:b a 1
		HDEL h2:b a a
		EXISTS h2:b

		# insertion order after deletes and re-adds
		HSET h2:c a 1 b 2 c 3
		HDEL h2:c b
		HSET h2:c b 4 d 5
		HGETALL h2:c
		HSET h2:c a 6
		HGETALL h2:c
		HDEL h2:c a
		HSETNX h2:c a 7
		HGETALL h2:c
		HKEYS h2:c
		HVALS h2:c

		# TTL: kept while the hash lives, gone with the key
		HSET h2:t a 1 b 2
		EXPIRE h2:t 1000
		HDEL h2:t a
		TTL h2:t
		HSET h2:t c 3
		TTL h2:t
		HINCRBY h2:t n 1
		HINCRBYFLOAT h2:t n 1.5
		HSETNX h2:t d 4
		TTL h2:t
		HDEL h2:t b c n d
		TTL h2:t
		HSET h2:t a 1
		TTL h2:t
	`)
	t.Logf("%d transcript commands compared", n)
}

func TestHashIncr(t *testing.T) {
	p := pair(t)
	n := hashCheckScript(p, `
		HINCRBY h3:a f 1
		HINCRBY h3:a f 10
		HINCRBY h3:a f -100
		HGET h3:a f
		HINCRBY h3:a f 0
		HINCRBY h3:a f abc
		HINCRBY h3:a f 1.5
		HINCRBY h3:a f ""
		HINCRBY h3:a f " 1"
		HINCRBY h3:a f +1
		HINCRBY h3:a f 9223372036854775808
		HINCRBY h3:a f -9223372036854775809
		HINCRBY h3:a f2 9223372036854775807
		HINCRBY h3:a f2 1
		HINCRBY h3:a f2 0
		HINCRBY h3:a f2 -9223372036854775807
		HINCRBY h3:a f2 -1
		HINCRBY h3:a f2 -9223372036854775808
		HINCRBY h3:a f2 -1
		HGET h3:a f2
		HSET h3:a m -9223372036854775808
		HINCRBY h3:a m -1
		HINCRBY h3:a m 1
		HINCRBY h3:a m 9223372036854775807
		HSET h3:a s hello
		HINCRBY h3:a s 1
		HSET h3:a s 1.5
		HINCRBY h3:a s 1
		HSET h3:a s " 5"
		HINCRBY h3:a s 1
		HSET h3:a s "5 "
		HINCRBY h3:a s 1
		HSET h3:a s 007
		HINCRBY h3:a s 1
		HSET h3:a s ""
		HINCRBY h3:a s 1
		HSET h3:a s 9223372036854775808
		HINCRBY h3:a s 1
		HSET h3:a s -0
		HINCRBY h3:a s 1
		HSET h3:a s +5
		HINCRBY h3:a s 1
		HSET h3:a s 0
		HINCRBY h3:a s 1
		HGET h3:a s
		HINCRBY h3:nosuch f abc
		EXISTS h3:nosuch
		HINCRBY h3:nosuch2 f -7
		HGETALL h3:nosuch2
		HINCRBY h3:a
		HINCRBY h3:a f
		HINCRBY h3:a f 1 2
		HGETALL h3:a
		OBJECT ENCODING h3:a

		HINCRBYFLOAT h3:f f 1.5
		HINCRBYFLOAT h3:f f 0.1
		HINCRBYFLOAT h3:f f -5
		HINCRBYFLOAT h3:f f 1e3
		HINCRBYFLOAT h3:f f 5.0e3
		HINCRBYFLOAT h3:f f 0x10
		HINCRBYFLOAT h3:f f 12345.678
		HINCRBYFLOAT h3:f f abc
		HINCRBYFLOAT h3:f f ""
		HINCRBYFLOAT h3:f f inf
		HINCRBYFLOAT h3:f f -inf
		HINCRBYFLOAT h3:f f +inf
		HINCRBYFLOAT h3:f f Infinity
		HINCRBYFLOAT h3:f f -INFINITY
		HINCRBYFLOAT h3:f f nan
		HINCRBYFLOAT h3:f f NaN
		HINCRBYFLOAT h3:f f " 1"
		HINCRBYFLOAT h3:f f "1 "
		HINCRBYFLOAT h3:f f 1e
		HINCRBYFLOAT h3:f f .
		HINCRBYFLOAT h3:f f 1e4933
		HINCRBYFLOAT h3:f f 1e-5000
		HGET h3:f f
		HINCRBYFLOAT h3:f big 1e4931
		HINCRBYFLOAT h3:f big 1.18e4932
		HGET h3:f big
		HSTRLEN h3:f big
		HINCRBYFLOAT h3:f neg -1e4931
		HINCRBYFLOAT h3:f neg -1.18e4932
		HSET h3:f s hello
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s inf
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s -inf
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s nan
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s " 1"
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s "1 "
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s ""
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s 1e400
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s 0x1p3
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s 10
		HINCRBYFLOAT h3:f s 0.5
		HINCRBYFLOAT h3:f s -0.5
		HINCRBYFLOAT h3:f s -10
		HINCRBYFLOAT h3:f s 1e-400
		HSET h3:f s 9223372036854775807
		HINCRBYFLOAT h3:f s 1
		HSET h3:f s -9223372036854775808
		HINCRBYFLOAT h3:f s -1
		HGET h3:f s
		HINCRBYFLOAT h3:nosuch f abc
		HINCRBYFLOAT h3:nosuch f inf
		HINCRBYFLOAT h3:nosuch f nan
		EXISTS h3:nosuch
		HINCRBYFLOAT h3:nosuch3 f -0.0
		HGETALL h3:nosuch3
		HINCRBYFLOAT h3:f
		HINCRBYFLOAT h3:f f
		HINCRBYFLOAT h3:f f 1 2
		OBJECT ENCODING h3:f

		# HINCRBY and HINCRBYFLOAT on each other's results
		HSET h3:x i 10
		HINCRBYFLOAT h3:x i 0.25
		HINCRBY h3:x i 1
		HINCRBYFLOAT h3:x i 0.75
		HINCRBY h3:x i 1
		HGETALL h3:x
	`)
	// Long increments: up to 5119 characters are accepted, 5120 are not.
	long := "1." + strings.Repeat("1", 5117)
	p.Check("HINCRBYFLOAT", "h3:l", "f", long)
	p.Check("HINCRBYFLOAT", "h3:l", "f", long+"1")
	p.Check("HINCRBYFLOAT", "h3:l", "g", "0."+strings.Repeat("0", 4000)+"1")
	p.Check("HINCRBYFLOAT", "h3:l", "h", strings.Repeat("9", 4000))
	p.Check("HSET", "h3:l", "s", long+"1")
	p.Check("HINCRBYFLOAT", "h3:l", "s", "1")
	p.Check("HSET", "h3:l", "s", long)
	p.Check("HINCRBYFLOAT", "h3:l", "s", "1")
	p.Normalize = hashNormalize
	p.Check("HGETALL", "h3:l")
	p.Normalize = nil
	p.Check("OBJECT", "ENCODING", "h3:l")
	n += hashUnordered(p, `
		HGETALL h3:f
		HKEYS h3:f
	`)
	t.Logf("%d transcript commands compared", n+10)
}

// TestHashIncrByFloatRandom compares thousands of HINCRBYFLOATs over a few
// fields: the long double arithmetic and its text must match to the last
// digit, and a result longer than hash-max-listpack-value converts the hash.
func TestHashIncrByFloatRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	deadline := time.Now().Add(20 * time.Second)
	n := 0
	for i := 0; i < 6000 && time.Now().Before(deadline) && !t.Failed(); i++ {
		key := "h4:k" + strconv.Itoa(r.IntN(3))
		field := "f" + strconv.Itoa(r.IntN(3))
		switch r.IntN(12) {
		case 0:
			p.Check("HSET", key, field, randFloatText(r))
		case 1:
			p.Check("HGET", key, field)
		case 2:
			p.Check("OBJECT", "ENCODING", key)
		case 3:
			p.Check("DEL", key)
		default:
			p.Check("HINCRBYFLOAT", key, field, randFloatText(r))
		}
		n++
	}
	t.Logf("%d random HINCRBYFLOAT-stream commands compared", n)
}

func TestHashEncodings(t *testing.T) {
	p := pair(t)
	n := 0
	v64, v65 := strings.Repeat("v", 64), strings.Repeat("v", 65)
	// Default limits: 512 entries, 64-byte strings.
	p.Check(hashFill("h5:e", "f", 0, 511)...)
	p.Check("OBJECT", "ENCODING", "h5:e")
	p.Check("HGETALL", "h5:e")
	p.Check("HSET", "h5:e", "f511", "x")
	p.Check("OBJECT", "ENCODING", "h5:e")
	p.Check("HSET", "h5:e", "f0", "updated")
	p.Check("OBJECT", "ENCODING", "h5:e")
	p.Check("HKEYS", "h5:e")
	p.Check("HSET", "h5:e", "f512", "x")
	p.Check("OBJECT", "ENCODING", "h5:e")
	p.Check("HLEN", "h5:e")
	n += 10
	// Back to few fields: still a hashtable.
	del := []string{"HDEL", "h5:e"}
	for i := 2; i <= 512; i++ {
		del = append(del, "f"+strconv.Itoa(i))
	}
	p.Check(del...)
	p.Check("OBJECT", "ENCODING", "h5:e")
	p.Check("HLEN", "h5:e")
	n += 3
	n += hashUnordered(p, `
		HGETALL h5:e
		HKEYS h5:e
		HVALS h5:e
		HSCAN h5:e 0 COUNT 100
	`)
	// One command crossing the limit.
	p.Check(hashFill("h5:one", "f", 0, 512)...)
	p.Check("OBJECT", "ENCODING", "h5:one")
	p.Check(hashFill("h5:two", "f", 0, 513)...)
	p.Check("OBJECT", "ENCODING", "h5:two")
	p.Check("HLEN", "h5:two")
	n += 5
	// String lengths: 64 bytes stay, 65 convert, field or value, in every
	// command that stores.
	n += hashCheckScript(p, `
		HSET h5:v f `+v64+`
		OBJECT ENCODING h5:v
		HSET h5:v `+v64+` x
		OBJECT ENCODING h5:v
		HGETALL h5:v
		HSET h5:v g `+v65+`
		OBJECT ENCODING h5:v
		HSET h5:k `+v65+` x
		OBJECT ENCODING h5:k
		HSET h5:u a 1 b 2
		HSET h5:u a `+v65+`
		OBJECT ENCODING h5:u
		HSET h5:u2 a 1 b 2
		HSET h5:u2 c 3 d `+v65+`
		OBJECT ENCODING h5:u2
		HSET h5:u3 a 1
		HSET h5:u3 a 1 `+v65+` x
		OBJECT ENCODING h5:u3
		HMSET h5:m a `+v65+`
		OBJECT ENCODING h5:m
		HSETNX h5:nx a `+v64+`
		OBJECT ENCODING h5:nx
		HSETNX h5:nx a `+v65+`
		OBJECT ENCODING h5:nx
		HSETNX h5:nx b `+v65+`
		OBJECT ENCODING h5:nx
		HSETNX h5:nx2 `+v65+` 1
		OBJECT ENCODING h5:nx2
		HINCRBY h5:i `+v64+` 1
		OBJECT ENCODING h5:i
		HINCRBY h5:i `+v65+` 1
		OBJECT ENCODING h5:i
		HINCRBYFLOAT h5:fl `+v65+` 1
		OBJECT ENCODING h5:fl
		HINCRBYFLOAT h5:f a 1e62
		HSTRLEN h5:f a
		OBJECT ENCODING h5:f
		HINCRBYFLOAT h5:f a 1e63
		HSTRLEN h5:f a
		OBJECT ENCODING h5:f
		HINCRBYFLOAT h5:f2 a 1e70
		HSTRLEN h5:f2 a
		OBJECT ENCODING h5:f2
		HINCRBYFLOAT h5:f3 a 1.2345678901234567890123456789012345678901234567890123456789
		HSTRLEN h5:f3 a
		OBJECT ENCODING h5:f3
		HINCRBYFLOAT h5:f4 a 0.000000000000000001
		HINCRBYFLOAT h5:f4 a 1e30
		HSTRLEN h5:f4 a
		OBJECT ENCODING h5:f4
		HINCRBY h5:n a 9223372036854775807
		OBJECT ENCODING h5:n
		HSET h5:q a 1
		HDEL h5:q a
		HSET h5:q `+v65+` 1
		OBJECT ENCODING h5:q
		HSET h5:err a 1
		HSET h5:err a `+v65+` b
		OBJECT ENCODING h5:err
		HINCRBY h5:err a x
		HINCRBY h5:err `+v65+` x
		OBJECT ENCODING h5:err
		HINCRBYFLOAT h5:err `+v65+` inf
		OBJECT ENCODING h5:err
	`)
	// Smaller limits, set at run time: 127/128/129 entries, 10/11 bytes.
	hashSetConfig(t, p, "hash-max-listpack-entries", "128", "512")
	hashSetConfig(t, p, "hash-max-listpack-value", "10", "64")
	p.Check(hashFill("h5:s", "f", 0, 127)...)
	p.Check("OBJECT", "ENCODING", "h5:s")
	p.Check("HSET", "h5:s", "f127", "x")
	p.Check("OBJECT", "ENCODING", "h5:s")
	p.Check("HGETALL", "h5:s")
	p.Check("HSETNX", "h5:s", "f128", "x")
	p.Check("OBJECT", "ENCODING", "h5:s")
	p.Check(hashFill("h5:s2", "f", 0, 128)...)
	p.Check("OBJECT", "ENCODING", "h5:s2")
	p.Check("HINCRBY", "h5:s2", "new", "1")
	p.Check("OBJECT", "ENCODING", "h5:s2")
	p.Check(hashFill("h5:s3", "f", 0, 128)...)
	p.Check("HINCRBYFLOAT", "h5:s3", "new", "1.5")
	p.Check("OBJECT", "ENCODING", "h5:s3")
	n += 13
	n += hashCheckScript(p, `
		HSET h5:t a 0123456789
		OBJECT ENCODING h5:t
		HSET h5:t 0123456789 a
		OBJECT ENCODING h5:t
		HSET h5:t b 0123456789a
		OBJECT ENCODING h5:t
		HINCRBYFLOAT h5:t2 a 1.5
		HINCRBYFLOAT h5:t2 a 0.00001
		OBJECT ENCODING h5:t2
		HINCRBYFLOAT h5:t2 a 0.000001
		HGET h5:t2 a
		OBJECT ENCODING h5:t2
		HINCRBY h5:t3 a 9999999999
		OBJECT ENCODING h5:t3
		HINCRBY h5:t3 a 1
		OBJECT ENCODING h5:t3
		CONFIG SET hash-max-listpack-entries 0
		HSET h5:z a 1
		OBJECT ENCODING h5:z
		CONFIG SET hash-max-listpack-entries 1
		HSET h5:z1 a 1
		OBJECT ENCODING h5:z1
		HSET h5:z1 a 2
		OBJECT ENCODING h5:z1
		HSET h5:z1 b 2
		OBJECT ENCODING h5:z1
		CONFIG SET hash-max-listpack-value 0
		HSET h5:z2 "" ""
		OBJECT ENCODING h5:z2
		HSET h5:z3 a ""
		OBJECT ENCODING h5:z3
		CONFIG SET hash-max-ziplist-entries 4
		CONFIG SET hash-max-ziplist-value 3
		HSET h5:z4 a 1 b 2 c 3 d 4
		OBJECT ENCODING h5:z4
		HSET h5:z4 e 5
		OBJECT ENCODING h5:z4
		HSET h5:z5 abc 1
		OBJECT ENCODING h5:z5
		HSET h5:z5 abcd 1
		OBJECT ENCODING h5:z5
	`)
	t.Logf("%d commands compared", n)
}

// TestHashGeneric runs the keyspace commands on hashes of both encodings.
func TestHashGeneric(t *testing.T) {
	p := pair(t)
	p.Normalize = func(args []string, reply []byte) []byte {
		if strings.EqualFold(args[0], "SCAN") {
			return genSortScan(reply)
		}
		return hashNormalize(args, reply)
	}
	long := strings.Repeat("x", 70)
	n := hashCheckScript(p, `
		HSET h6:a f1 v1 f2 v2 f3 3
		HSET h6:b f `+long+`
		TYPE h6:a
		TYPE h6:b
		OBJECT ENCODING h6:a
		OBJECT ENCODING h6:b
		EXISTS h6:a h6:b
		COPY h6:a h6:a2
		OBJECT ENCODING h6:a2
		HGETALL h6:a2
		HSET h6:a2 f4 v4
		HGETALL h6:a
		HGETALL h6:a2
		COPY h6:b h6:b2
		OBJECT ENCODING h6:b2
		HGETALL h6:b2
		HSET h6:b2 f changed
		HGET h6:b f
		HGET h6:b2 f
		COPY h6:a h6:b
		COPY h6:a h6:b REPLACE
		OBJECT ENCODING h6:b
		HGETALL h6:b
		RENAME h6:a h6:r
		HGETALL h6:r
		EXISTS h6:a
		RENAMENX h6:r h6:a2
		MOVE h6:r 1
		SELECT 1
		HGETALL h6:r
		OBJECT ENCODING h6:r
		SELECT 0
		EXISTS h6:r
		SCAN 0 TYPE hash COUNT 1000
		SCAN 0 TYPE HASH MATCH h6:b* COUNT 1000
		DEL h6:b2
		EXISTS h6:b2
		HSET h6:ttl a 1
		PEXPIRE h6:ttl 100000
		COPY h6:ttl h6:ttl2
		TTL h6:ttl2
		HSET h6:ttl2 b 2
		TTL h6:ttl2
		SET h6:ttl2 plain
		TYPE h6:ttl2
		TTL h6:ttl2
		HSET h6:ov a 1
		SET h6:ov x
		GET h6:ov
		HSET h6:ov a 1
	`)
	p.Both("SELECT", "1")
	p.Both("FLUSHDB")
	p.Both("SELECT", "0")
	t.Logf("%d transcript commands compared", n)
}

func TestHashWrongType(t *testing.T) {
	p := pair(t)
	n := hashCheckScript(p, `
		SET h7:s v
		HSET h7:s f v
		HSET h7:s f v f2
		HMSET h7:s f v
		HMSET h7:s f v f2
		HSETNX h7:s f v
		HGET h7:s f
		HMGET h7:s f g
		HDEL h7:s f
		HEXISTS h7:s f
		HLEN h7:s
		HSTRLEN h7:s f
		HKEYS h7:s
		HVALS h7:s
		HGETALL h7:s
		HINCRBY h7:s f 1
		HINCRBY h7:s f x
		HINCRBYFLOAT h7:s f 1
		HINCRBYFLOAT h7:s f x
		HINCRBYFLOAT h7:s f inf
		HRANDFIELD h7:s
		HRANDFIELD h7:s 1
		HRANDFIELD h7:s 0
		HRANDFIELD h7:s -5 WITHVALUES
		HRANDFIELD h7:s x
		HRANDFIELD h7:s 1 bad
		HRANDFIELD h7:s -9223372036854775808
		HRANDFIELD h7:s 4611686018427387904 WITHVALUES
		HSCAN h7:s 0
		HSCAN h7:s x
		HSCAN h7:s 0 COUNT 0
		HSCAN h7:s 0 BAD
		GET h7:s

		HSET h7:h f v
		GET h7:h
		SET h7:h v2 GET
		GETSET h7:h v
		INCR h7:h
		INCRBYFLOAT h7:h 1
		APPEND h7:h x
		STRLEN h7:h
		GETRANGE h7:h 0 -1
		SETRANGE h7:h 0 x
		GETDEL h7:h
		GETEX h7:h
		MGET h7:h h7:s
		SETBIT h7:h 0 1
		GETBIT h7:h 0
		BITCOUNT h7:h
		LCS h7:h h7:s
		TYPE h7:h
		HGETALL h7:h
		SETNX h7:h v
		MSETNX h7:h v h7:z w
		SET h7:h v
		TYPE h7:h
	`)
	t.Logf("%d transcript commands compared", n)
}

func TestHashRESP3(t *testing.T) {
	p := pair(t)
	p.Both("HELLO", "3")
	defer p.Both("HELLO", "2")
	n := hashCheckScript(p, `
		HSET h8:a f1 v1 f2 2 f3 ""
		HGETALL h8:a
		HGETALL h8:nosuch
		HKEYS h8:a
		HKEYS h8:nosuch
		HVALS h8:a
		HVALS h8:nosuch
		HGET h8:a f1
		HGET h8:a nosuch
		HGET h8:nosuch f
		HMGET h8:a f1 nosuch f2
		HMGET h8:nosuch a
		HLEN h8:a
		HEXISTS h8:a f1
		HSTRLEN h8:a f2
		HINCRBY h8:a n 5
		HINCRBYFLOAT h8:a x 1.5
		HINCRBYFLOAT h8:a x abc
		HSETNX h8:a f1 x
		HMSET h8:a f4 v4
		HDEL h8:a f4
		HSCAN h8:a 0
		HSCAN h8:nosuch 0
		HSCAN h8:a 0 MATCH f*
		HRANDFIELD h8:nosuch
		HRANDFIELD h8:nosuch 5
		HRANDFIELD h8:nosuch -5 WITHVALUES
		HRANDFIELD h8:a 0
		HRANDFIELD h8:a 0 WITHVALUES
		HRANDFIELD h8:a 100
		HRANDFIELD h8:a 100 WITHVALUES
		HRANDFIELD h8:a 6 withvalues
		HSET h8:a f1
	`)
	t.Logf("%d transcript commands compared", n)
}

func TestHashScan(t *testing.T) {
	p := pair(t)
	n := hashCheckScript(p, `
		HSCAN h9:nosuch 0
		HSCAN h9:nosuch abc
		HSCAN h9:nosuch 0 COUNT 0
		HSCAN h9:nosuch 0 BAD
		HSCAN h9:nosuch 0 TYPE string
		HSET h9:a one 1 two 2 three 3 four 4 "[x]" 5 "" 6 "f\x00" 7
		HSCAN h9:a 0
		HSCAN h9:a 0 COUNT 1
		HSCAN h9:a 12345
		HSCAN h9:a 18446744073709551615
		HSCAN h9:a -1
		HSCAN h9:a ""
		HSCAN h9:a 0 COUNT 9223372036854775807
		HSCAN h9:a 0 count 2 match t*
		HSCAN h9:a 0 MATCH t*
		HSCAN h9:a 0 MATCH *o*
		HSCAN h9:a 0 MATCH ?o*
		HSCAN h9:a 0 MATCH "\\[x\\]"
		HSCAN h9:a 0 MATCH [a-f]*
		HSCAN h9:a 0 MATCH nomatch
		HSCAN h9:a 0 MATCH ""
		HSCAN h9:a 0 MATCH *
		HSCAN h9:a 0 MATCH "f\x00"
		HSCAN h9:a 0 MATCH f*
		HSCAN h9:a 0 MATCH t* MATCH *r*
		HSCAN h9:a 0 MATCH 1
		HSCAN h9:a 0 COUNT 1 COUNT 100
		HSCAN h9:a 0 "COUNT\x00x" 5

		# errors
		HSCAN h9:a abc
		HSCAN h9:a 1a
		HSCAN h9:a " 1"
		HSCAN h9:a 18446744073709551616
		HSCAN h9:a 1.5
		HSCAN h9:a 0 COUNT 0
		HSCAN h9:a 0 COUNT -1
		HSCAN h9:a 0 COUNT abc
		HSCAN h9:a 0 COUNT 9223372036854775808
		HSCAN h9:a 0 COUNT
		HSCAN h9:a 0 MATCH
		HSCAN h9:a 0 TYPE string
		HSCAN h9:a 0 TYPE
		HSCAN h9:a 0 foo
		HSCAN h9:a 0 foo bar
		HSCAN h9:a 0 COUNT 10 foo
		HSCAN h9:a 0 COUNT 0 MATCH *
		HSCAN h9:a abc COUNT 0
		HSCAN
		HSCAN h9:a
	`)
	// A hashtable: complete iterations must return the same pairs, whatever
	// the COUNT and MATCH; single calls that finish at once compare exactly
	// after sorting.
	const size = 1500
	for i := 0; i < size; i += 500 {
		p.Check(hashFill("h9:big", "field:", i, 500)...)
	}
	n += 3
	for _, opts := range [][]string{
		nil, {"COUNT", "1"}, {"COUNT", "7"}, {"COUNT", "100"}, {"COUNT", "5000"},
		{"MATCH", "field:1*"}, {"MATCH", "field:1*", "COUNT", "3"}, {"MATCH", "nomatch"},
		{"MATCH", "*9", "COUNT", "1000"},
	} {
		want, wantCalls := hashScanAll(t, p.Redis, "redis", "h9:big", opts...)
		got, gotCalls := hashScanAll(t, p.Ember, "ember", "h9:big", opts...)
		if !hashSameMap(want, got) {
			t.Errorf("HSCAN %v: redis saw %d pairs, ember %d (or values differ)", opts, len(want), len(got))
		}
		t.Logf("HSCAN %v: redis %d calls, ember %d calls, %d pairs", opts, wantCalls, gotCalls, len(got))
	}
	n += hashUnordered(p, `
		HSCAN h9:big 0 COUNT 100000
		HSCAN h9:big 0 COUNT 9223372036854775807
		HSCAN h9:big 0 COUNT 4611686018427387904 MATCH nomatch
		HSCAN h9:big 0 MATCH field:77 COUNT 100000
		HGETALL h9:big
		HKEYS h9:big
		HVALS h9:big
		HLEN h9:big
	`)
	// Iterating while the hash changes: every field present throughout is
	// returned at least once.
	got := map[string]bool{}
	cursor := "0"
	r := Rand(t)
	for calls := 0; ; calls++ {
		if calls > 100000 {
			t.Fatal("HSCAN does not end")
		}
		reply, err := p.Ember.Do("HSCAN", "h9:big", cursor, "COUNT", "20")
		if err != nil {
			t.Fatal(err)
		}
		tree, err := parseReplyTree(reply)
		if err != nil || len(tree.elems) != 2 {
			t.Fatalf("bad HSCAN reply %q", reply)
		}
		for i := 0; i+1 < len(tree.elems[1].elems); i += 2 {
			got[tree.elems[1].elems[i].text()] = true
		}
		cursor = tree.elems[0].text()
		// Add and remove fields that are not part of the stable set.
		p.Ember.Do("HSET", "h9:big", "extra:"+strconv.Itoa(r.IntN(5000)), "x")
		p.Ember.Do("HDEL", "h9:big", "extra:"+strconv.Itoa(r.IntN(5000)))
		if cursor == "0" {
			break
		}
	}
	for i := 0; i < size; i++ {
		if !got["field:"+strconv.Itoa(i)] {
			t.Errorf("HSCAN during changes missed field:%d", i)
			break
		}
	}
	t.Logf("%d commands compared byte for byte", n)
}

// hashScanAll runs a complete HSCAN iteration on c, checking each reply's
// shape, and returns the pairs seen and the number of calls.
func hashScanAll(t *testing.T, c *Conn, who, key string, opts ...string) (map[string]string, int) {
	t.Helper()
	seen := map[string]string{}
	cursor := "0"
	for calls := 1; ; calls++ {
		if calls > 1_000_000 {
			t.Fatalf("%s: HSCAN %v does not end", who, opts)
		}
		reply, err := c.Do(append([]string{"HSCAN", key, cursor}, opts...)...)
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		tree, err := parseReplyTree(reply)
		if err != nil || tree.kind != '*' || len(tree.elems) != 2 || tree.elems[0].kind != '$' ||
			tree.elems[1].kind != '*' || len(tree.elems[1].elems)%2 != 0 {
			t.Fatalf("%s: HSCAN %s %v: bad reply %q", who, cursor, opts, reply)
		}
		cursor = tree.elems[0].text()
		if _, err := strconv.ParseUint(cursor, 10, 64); err != nil {
			t.Fatalf("%s: cursor %q is not an unsigned integer", who, cursor)
		}
		for i := 0; i < len(tree.elems[1].elems); i += 2 {
			f, v := tree.elems[1].elems[i], tree.elems[1].elems[i+1]
			if f.kind != '$' || v.kind != '$' {
				t.Fatalf("%s: HSCAN element is not a bulk string: %q", who, reply)
			}
			seen[f.text()] = v.text()
		}
		if cursor == "0" {
			return seen, calls
		}
	}
}

func hashSameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// hashContents returns the pairs of a hash as Redis holds them, and
// whether it is listpack-encoded.
func hashContents(t *testing.T, p *Pair, key string) (map[string]string, bool) {
	t.Helper()
	reply, err := p.Redis.Do("HGETALL", key)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := parseReplyTree(reply)
	if err != nil {
		t.Fatalf("HGETALL %s: %q", key, reply)
	}
	m := map[string]string{}
	for k, v := range tree.pairs() {
		m[k] = v.text()
	}
	enc, err := p.Redis.Do("OBJECT", "ENCODING", key)
	if err != nil {
		t.Fatal(err)
	}
	return m, bytes.Contains(enc, []byte("listpack"))
}

// hashCheckRand sends an HRANDFIELD to both servers and compares what can
// be compared: errors and nulls byte for byte; otherwise the reply's type
// and size, that every field belongs to the hash with its value, that a
// positive count returns distinct fields, and, where Redis returns the
// whole of a listpack hash, the exact bytes. It returns false when the
// replies differ.
func hashCheckRand(t *testing.T, p *Pair, resp3 bool, args ...string) bool {
	t.Helper()
	key := args[1]
	contents, listpack := hashContents(t, p, key)
	want, err := p.Redis.Do(args...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Ember.Do(args...)
	if err != nil {
		t.Fatal(err)
	}
	fail := func(format string, a ...any) bool {
		t.Errorf("%s: %s\n redis: %q\n ember: %q", Show(args), fmt.Sprintf(format, a...), want, got)
		return false
	}
	if want[0] != '*' || len(args) == 2 || len(contents) == 0 {
		if len(args) == 2 && want[0] == '$' && len(contents) > 0 {
			// One random field.
			tree, err := parseReplyTree(got)
			if err != nil || tree.kind != '$' {
				return fail("not a bulk string")
			}
			if _, ok := contents[tree.text()]; !ok {
				return fail("%q is not a field", tree.text())
			}
			return true
		}
		if !bytes.Equal(want, got) {
			return fail("replies differ")
		}
		return true
	}
	count, _ := strconv.ParseInt(args[2], 10, 64)
	withValues := len(args) == 4
	wt, err1 := parseReplyTree(want)
	gt, err2 := parseReplyTree(got)
	if err1 != nil || err2 != nil {
		return fail("unparsable")
	}
	if !bytes.Equal(wt.head, gt.head) {
		return fail("headers differ")
	}
	if count > 0 && int(count) >= len(contents) && listpack && !bytes.Equal(want, got) {
		return fail("the whole listpack hash must come in order")
	}
	// Collect (field, value) pairs from Ember's reply.
	type fv struct {
		f, v string
		hasV bool
	}
	var pairs []fv
	switch {
	case withValues && resp3:
		for _, e := range gt.elems {
			if e.kind != '*' || len(e.elems) != 2 {
				return fail("RESP3 WITHVALUES element is not a pair")
			}
			pairs = append(pairs, fv{e.elems[0].text(), e.elems[1].text(), true})
		}
	case withValues:
		if len(gt.elems)%2 != 0 {
			return fail("odd flat WITHVALUES reply")
		}
		for i := 0; i < len(gt.elems); i += 2 {
			pairs = append(pairs, fv{gt.elems[i].text(), gt.elems[i+1].text(), true})
		}
	default:
		for _, e := range gt.elems {
			if e.kind != '$' {
				return fail("element is not a bulk string")
			}
			pairs = append(pairs, fv{f: e.text()})
		}
	}
	abs := count
	if abs < 0 {
		abs = -abs
	}
	wantLen := int(abs)
	if count > 0 {
		wantLen = min(int(count), len(contents))
	}
	if len(pairs) != wantLen {
		return fail("%d fields, want %d", len(pairs), wantLen)
	}
	seen := map[string]bool{}
	for _, pr := range pairs {
		v, ok := contents[pr.f]
		if !ok {
			return fail("%q is not a field", pr.f)
		}
		if pr.hasV && v != pr.v {
			return fail("field %q comes with %q, holds %q", pr.f, pr.v, v)
		}
		if count > 0 && seen[pr.f] {
			return fail("field %q returned twice for a positive count", pr.f)
		}
		seen[pr.f] = true
	}
	return true
}

func TestHashRandField(t *testing.T) {
	p := pair(t)
	n := hashCheckScript(p, `
		HSET h10:a f1 v1 f2 v2 f3 v3 f4 v4 f5 v5
		HRANDFIELD h10:nosuch
		HRANDFIELD h10:nosuch 0
		HRANDFIELD h10:nosuch 5
		HRANDFIELD h10:nosuch -5
		HRANDFIELD h10:nosuch 5 WITHVALUES
		HRANDFIELD h10:nosuch x
		HRANDFIELD h10:nosuch 5 bad
		HRANDFIELD h10:a 0
		HRANDFIELD h10:a 0 WITHVALUES
		HRANDFIELD h10:a 5
		HRANDFIELD h10:a 6
		HRANDFIELD h10:a 9223372036854775807
		HRANDFIELD h10:a 5 WITHVALUES
		HRANDFIELD h10:a 100 withvalues
		HRANDFIELD h10:a 4611686018427387903 WITHVALUES
		HRANDFIELD h10:a x
		HRANDFIELD h10:a 1.5
		HRANDFIELD h10:a ""
		HRANDFIELD h10:a " 1"
		HRANDFIELD h10:a 9223372036854775808
		HRANDFIELD h10:a -9223372036854775808
		HRANDFIELD h10:a -9223372036854775808 WITHVALUES
		HRANDFIELD h10:a -9223372036854775808 bad
		HRANDFIELD h10:a 4611686018427387904 WITHVALUES
		HRANDFIELD h10:a -4611686018427387904 WITHVALUES
		HRANDFIELD h10:a x WITHVALUES
		HRANDFIELD h10:a 1 bad
		HRANDFIELD h10:a 1 WITHVALUES bad
		HRANDFIELD h10:a 1 WITHVALUES WITHVALUES
		HRANDFIELD h10:a 4611686018427387904 bad
		HRANDFIELD
	`)
	// Redis compares WITHVALUES as a C string: up to a NUL byte.
	hashCheckRand(t, p, false, "HRANDFIELD", "h10:a", "1", "WITHVALUES\x00x")
	hashCheckRand(t, p, false, "HRANDFIELD", "h10:a", "2", "withValues")
	// Shapes and membership over both encodings and both protocols.
	p.Check(hashFill("h10:big", "f", 0, 1000)...)
	p.Check("HSET", "h10:one", "only", "value")
	n += 2
	checks := 0
	for _, resp3 := range []bool{false, true} {
		if resp3 {
			p.Both("HELLO", "3")
		}
		for _, key := range []string{"h10:a", "h10:big", "h10:one"} {
			size := 5
			switch key {
			case "h10:big":
				size = 1000
			case "h10:one":
				size = 1
			}
			counts := []int{1, -1, 2, -2, 3, size - 1, size, size + 1, -size, -3 * size, size/3 + 1, size / 3, size/4 + 1}
			if size == 1000 {
				counts = append(counts, 10, 200, 334, 500, 999, -5000)
			}
			for _, c := range counts {
				if c == 0 {
					continue
				}
				hashCheckRand(t, p, resp3, "HRANDFIELD", key)
				hashCheckRand(t, p, resp3, "HRANDFIELD", key, strconv.Itoa(c))
				hashCheckRand(t, p, resp3, "HRANDFIELD", key, strconv.Itoa(c), "WITHVALUES")
				checks += 3
			}
		}
	}
	p.Both("HELLO", "2")
	// Negative counts draw with replacement: over many draws every field
	// of a small hash shows up.
	for _, key := range []string{"h10:a", "h10:big"} {
		reply, err := p.Ember.Do("HRANDFIELD", key, "-20000")
		if err != nil {
			t.Fatal(err)
		}
		tree, err := parseReplyTree(reply)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range tree.elems {
			seen[e.text()]++
		}
		if key == "h10:a" && len(seen) != 5 {
			t.Errorf("HRANDFIELD %s -20000 saw %d distinct fields", key, len(seen))
		}
		if key == "h10:big" && len(seen) < 900 {
			t.Errorf("HRANDFIELD %s -20000 saw only %d distinct fields", key, len(seen))
		}
	}
	// Positive counts: each of the 5 fields is picked about equally often.
	hits := map[string]int{}
	for i := 0; i < 2000; i++ {
		reply, _ := p.Ember.Do("HRANDFIELD", "h10:a", "2")
		tree, err := parseReplyTree(reply)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tree.elems {
			hits[e.text()]++
		}
	}
	for f, c := range hits {
		if c < 600 || c > 1000 { // expected 800 each
			t.Errorf("HRANDFIELD h10:a 2: %s picked %d times in 2000 calls", f, c)
		}
	}
	t.Logf("%d transcript commands compared exactly, %d HRANDFIELD replies checked by shape", n, checks)
}

// hashValues are the values random streams store: short, integers,
// floats, and some longer than the test's hash-max-listpack-value (16).
var hashValues = []string{
	"", "0", "1", "-1", "10", "123", "007", "-0", "9223372036854775807", "-9223372036854775808",
	"1.5", "-0.25", "3e2", "abc", "hello world", "\x00\xff", strings.Repeat("z", 16),
	strings.Repeat("y", 17), "0x10", " 1", "inf",
}

// TestHashRandom sends a few thousand random hash commands, valid and
// invalid, over a handful of keys (one of them a string), with small
// listpack limits so that hashes convert often. Replies of hashtable
// hashes are normalized; listpack ones compare byte for byte.
func TestHashRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	hashSetConfig(t, p, "hash-max-listpack-entries", "8", "512")
	hashSetConfig(t, p, "hash-max-listpack-value", "16", "64")
	p.Check("SET", "h11:s", "string")
	keys := []string{"h11:a", "h11:b", "h11:c", "h11:d", "h11:s"}
	key := func() string { return keys[r.IntN(len(keys))] }
	field := func() string {
		if r.IntN(20) == 0 {
			return strings.Repeat("F", 15+r.IntN(4))
		}
		return "f" + strconv.Itoa(r.IntN(14))
	}
	val := func() string {
		if r.IntN(5) == 0 {
			return randIntText(r)
		}
		return hashValues[r.IntN(len(hashValues))]
	}
	isHashtable := func(k string) bool {
		enc := p.Check("OBJECT", "ENCODING", k)
		return bytes.Contains(enc, []byte("hashtable"))
	}
	const total = 5000
	deadline := time.Now().Add(40 * time.Second)
	n, rands := 0, 0
	for ; n < total && time.Now().Before(deadline) && !t.Failed(); n++ {
		k := key()
		var cmd []string
		switch r.IntN(24) {
		case 0, 1, 2:
			cmd = []string{"HSET", k}
			for j := 1 + r.IntN(4); j > 0; j-- {
				cmd = append(cmd, field(), val())
			}
			if r.IntN(15) == 0 {
				cmd = cmd[:len(cmd)-1]
			}
		case 3:
			cmd = []string{"HMSET", k, field(), val()}
		case 4:
			cmd = []string{"HSETNX", k, field(), val()}
		case 5, 6:
			cmd = []string{"HGET", k, field()}
		case 7:
			cmd = []string{"HMGET", k, field(), field(), field()}
		case 8, 9:
			cmd = []string{"HDEL", k}
			for j := 1 + r.IntN(3); j > 0; j-- {
				cmd = append(cmd, field())
			}
		case 10:
			cmd = []string{"HEXISTS", k, field()}
		case 11:
			cmd = []string{"HLEN", k}
		case 12:
			cmd = []string{"HSTRLEN", k, field()}
		case 13:
			cmd = []string{[]string{"HKEYS", "HVALS", "HGETALL"}[r.IntN(3)], k}
		case 14, 15:
			cmd = []string{"HINCRBY", k, field(), randIntText(r)}
		case 16:
			cmd = []string{"HINCRBYFLOAT", k, field(), randFloatText(r)}
		case 17:
			cmd = []string{"HSCAN", k, "0"}
			if r.IntN(2) == 0 {
				cmd = append(cmd, "MATCH", []string{"f1*", "*", "F*", "f?", "[a-f]*", "nomatch"}[r.IntN(6)])
			}
			cmd = append(cmd, "COUNT", "1000")
		case 18, 19:
			args := []string{"HRANDFIELD", k}
			if r.IntN(4) > 0 {
				args = append(args, strconv.Itoa(r.IntN(30)-15))
				if r.IntN(2) == 0 {
					args = append(args, "WITHVALUES")
				}
			}
			if k == "h11:s" || r.IntN(3) == 0 {
				p.Check("EXISTS", k)
			}
			hashCheckRand(t, p, false, args...)
			rands++
			continue
		case 20:
			cmd = []string{"DEL", k}
			if r.IntN(3) > 0 {
				cmd = []string{"EXISTS", k}
			}
		case 21:
			cmd = []string{"TYPE", k}
		default:
			cmd = []string{"OBJECT", "ENCODING", k}
		}
		switch cmd[0] {
		case "HKEYS", "HVALS", "HGETALL", "HSCAN":
			if isHashtable(k) {
				p.Normalize = hashNormalize
			}
		}
		p.Check(cmd...)
		p.Normalize = nil
	}
	t.Logf("%d random hash commands compared (%d HRANDFIELD by shape)", n, rands)
}

// TestHashBigChanges makes thousands of changes to one hashtable hash and
// compares its contents (sorted) afterwards.
func TestHashBigChanges(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	model := map[string]string{}
	for i := 0; i < 3000; i++ {
		f := "f" + strconv.Itoa(r.IntN(2000))
		switch r.IntN(3) {
		case 0:
			p.Check("HDEL", "h12:k", f)
			delete(model, f)
		default:
			v := strconv.Itoa(r.IntN(1000))
			p.Check("HSET", "h12:k", f, v)
			model[f] = v
		}
	}
	p.Normalize = hashNormalize
	p.Check("HGETALL", "h12:k")
	p.Check("HKEYS", "h12:k")
	p.Normalize = nil
	p.Check("HLEN", "h12:k")
	fields := make([]string, 0, len(model))
	for f := range model {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	p.Check(append([]string{"HMGET", "h12:k"}, fields...)...)
	t.Logf("3004 commands compared")
}
