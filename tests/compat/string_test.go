package compat

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the string commands. Keys carry a per-test prefix
// so that tests never see each other's keys.

// farFuture is an EXAT time (seconds) far enough ahead for any test run.
var farFuture = strconv.FormatInt(time.Now().Add(10*365*24*time.Hour).Unix(), 10)

// stringScript fills {far} and {farms} into a transcript.
func stringScript(text string) [][]string {
	farMs := farFuture + "123"
	text = strings.ReplaceAll(text, "{farms}", farMs)
	text = strings.ReplaceAll(text, "{far}", farFuture)
	return Script(text)
}

func TestStringGetSet(t *testing.T) {
	p := pair(t)
	p.CheckAll(stringScript(`
		GET s1:k
		SET s1:k hello
		GET s1:k
		SET s1:k ""
		GET s1:k
		SET s1:k "bin\x00ary\r\nvalue"
		GET s1:k
		set s1:k v2
		GeT s1:k
		SET s1:int 12345
		GET s1:int
		SET s1:neg -9223372036854775808
		GET s1:neg

		# NX / XX
		SET s1:nx a NX
		SET s1:nx b NX
		GET s1:nx
		SET s1:xx a XX
		GET s1:xx
		SET s1:nx c XX
		GET s1:nx
		SET s1:nx d nx nx
		SET s1:nx d xx xx
		SET s1:nx d NX XX
		SET s1:nx d XX NX

		# GET option
		SET s1:g first GET
		SET s1:g second GET
		SET s1:g third get GET
		GET s1:g
		SET s1:g4 v NX GET
		SET s1:g4 w NX GET
		GET s1:g4
		SET s1:g5 v XX GET
		GET s1:g5
		SET s1:g4 x XX GET
		GET s1:g4

		# expire options: accepted forms
		SET s1:e v EX 100
		SET s1:e v PX 100000
		SET s1:e v EXAT {far}
		SET s1:e v PXAT {farms}
		SET s1:e v ex 100 ex 200
		SET s1:e v px 100000 PX 200000
		SET s1:e v EXAT {far} EXAT {far}
		SET s1:e v KEEPTTL
		SET s1:e v KEEPTTL KEEPTTL
		SET s1:e v NX EX 100
		SET s1:e v XX PX 100000 GET
		SET s1:e v GET KEEPTTL XX

		# conflicting options
		SET s1:e v EX 100 PX 100
		SET s1:e v PX 100 EX 100
		SET s1:e v EX 100 EXAT {far}
		SET s1:e v EXAT {far} PXAT {farms}
		SET s1:e v PXAT {farms} EX 10
		SET s1:e v EX 100 KEEPTTL
		SET s1:e v KEEPTTL EX 100
		SET s1:e v KEEPTTL PXAT {farms}
		SET s1:e v PERSIST
		SET s1:e v EX
		SET s1:e v PX
		SET s1:e v EXAT
		SET s1:e v PXAT
		SET s1:e v GET EX
		SET s1:e v NOSUCH
		SET s1:e v NXX
		SET s1:e v N
		SET s1:e v "NX\x00junk"
		SET s1:e v ""

		# bad expire times
		SET s1:e v EX 0
		SET s1:e v EX -1
		SET s1:e v PX 0
		SET s1:e v PX -100
		SET s1:e v EXAT 0
		SET s1:e v EXAT -5
		SET s1:e v PXAT 0
		SET s1:e v EX abc
		SET s1:e v EX 1.5
		SET s1:e v EX " 10"
		SET s1:e v EX 9223372036854775807
		SET s1:e v EX 9223372036854775
		SET s1:e v EX 9223372036854776
		SET s1:e v PX 9223372036854775807
		SET s1:e v EXAT 9223372036854775
		SET s1:e v EXAT 9223372036854776
		SET s1:e v PXAT 9223372036854775807
		SET s1:e v EX 99999999999999999999
		SET s1:e v NX EX 0
		SET s1:e v EX 0 NX GET
		SET s1:e v EX abc GET
		GET s1:e

		# an expire time in the past: OK, and the key is gone
		SET s1:past v EXAT 1
		GET s1:past
		SET s1:past v PXAT 1000
		GET s1:past
		SET s1:past2 old
		SET s1:past2 new EXAT 100 GET
		GET s1:past2
		SET s1:past2 x PXAT 1 GET
		SET s1:past2 x KEEPTTL GET

		# arity
		SET
		SET s1:a
		GET
		GET a b
	`))
}

func TestStringSetVariants(t *testing.T) {
	p := pair(t)
	p.CheckAll(stringScript(`
		SETNX s2:k v1
		SETNX s2:k v2
		GET s2:k
		SETNX s2:k
		SETNX s2:k a b

		SETEX s2:e 100 val
		GET s2:e
		SETEX s2:e 0 val
		SETEX s2:e -1 val
		SETEX s2:e abc val
		SETEX s2:e 9223372036854775807 val
		SETEX s2:e 9223372036854776 val
		SETEX s2:e 100
		GET s2:e

		PSETEX s2:p 100000 val
		GET s2:p
		PSETEX s2:p 0 val
		PSETEX s2:p -5 val
		PSETEX s2:p 1.5 val
		PSETEX s2:p 9223372036854775807 val
		PSETEX s2:p 100

		GETSET s2:gs a
		GETSET s2:gs b
		GET s2:gs
		GETSET s2:gs ""
		GETSET s2:gs
		GETDEL s2:gs
		GETDEL s2:gs
		GET s2:gs
		GETDEL s2:nosuch
		GETDEL
		GETDEL a b
	`))
}

func TestStringGetEx(t *testing.T) {
	p := pair(t)
	p.CheckAll(stringScript(`
		GETEX s3:nosuch
		GETEX s3:nosuch EX 100
		GETEX s3:nosuch EX abc
		GETEX s3:nosuch EX 0
		GETEX s3:nosuch PERSIST
		GETEX s3:nosuch BADOPT
		SET s3:k v
		GETEX s3:k
		GETEX s3:k EX 100
		GETEX s3:k PX 100000
		GETEX s3:k EXAT {far}
		GETEX s3:k PXAT {farms}
		GETEX s3:k PERSIST
		GETEX s3:k persist PERSIST
		GETEX s3:k ex 10 EX 20
		GETEX s3:k EX 0
		GETEX s3:k EX -1
		GETEX s3:k PX 0
		GETEX s3:k EXAT 0
		GETEX s3:k PXAT -1
		GETEX s3:k EX abc
		GETEX s3:k EX 9223372036854775807
		GETEX s3:k PX 9223372036854775807
		GETEX s3:k EX
		GETEX s3:k EX 10 PX 10
		GETEX s3:k PERSIST EX 10
		GETEX s3:k EX 10 PERSIST
		GETEX s3:k EXAT {far} PXAT {farms}
		GETEX s3:k KEEPTTL
		GETEX s3:k NX
		GETEX s3:k GET
		GETEX s3:k EX 10 KEEPTTL
		GET s3:k
		GETEX s3:k EXAT 1
		GET s3:k
		SET s3:k v
		GETEX s3:k PXAT 1
		GETEX s3:k
		GETEX
	`))
}

func TestStringMulti(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		MSET s4:a 1 s4:b 2 s4:c 3
		MGET s4:a s4:b s4:c s4:nosuch
		MGET s4:nosuch
		MSET s4:a x s4:a y
		GET s4:a
		MSET s4:a
		MSET s4:a 1 s4:b
		MSET s4:a 1 s4:b 2 s4:c
		MSET
		MGET
		MSETNX s4:x 1 s4:y 2
		MGET s4:x s4:y
		MSETNX s4:y 3 s4:z 4
		MGET s4:y s4:z
		MSETNX s4:z 1 s4:z 2
		GET s4:z
		MSETNX s4:w
		MSETNX s4:w 1 s4:v
	`))
}

func TestStringIncrDecr(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		INCR s5:n
		INCR s5:n
		DECR s5:n
		DECR s5:n
		DECR s5:n
		INCRBY s5:n 100
		INCRBY s5:n -1000
		DECRBY s5:n 50
		DECRBY s5:n -50
		GET s5:n
		INCRBY s5:n abc
		INCRBY s5:n 1.5
		INCRBY s5:n ""
		INCRBY s5:n 99999999999999999999
		DECRBY s5:n x
		SET s5:max 9223372036854775807
		INCR s5:max
		INCRBY s5:max 1
		INCRBY s5:max 0
		INCRBY s5:max -1
		DECR s5:max
		SET s5:min -9223372036854775808
		DECR s5:min
		DECRBY s5:min 1
		INCRBY s5:min -1
		INCR s5:min
		DECRBY s5:n -9223372036854775808
		DECRBY s5:nosuch -9223372036854775808
		INCRBY s5:min 9223372036854775807
		DECRBY s5:min -9223372036854775807
		GET s5:min
		SET s5:s abc
		INCR s5:s
		DECR s5:s
		INCRBY s5:s 1
		SET s5:s " 1"
		INCR s5:s
		SET s5:s "1 "
		INCR s5:s
		SET s5:s +1
		INCR s5:s
		SET s5:s 01
		INCR s5:s
		SET s5:s -0
		INCR s5:s
		SET s5:s 1.0
		INCR s5:s
		SET s5:s 9223372036854775808
		INCR s5:s
		SET s5:s ""
		INCR s5:s
		SET s5:s 10
		APPEND s5:s 5
		INCR s5:s
		GET s5:s
		INCR
		INCR a b
		INCRBY a
		DECRBY a
	`))
}

func TestStringIncrByFloat(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		INCRBYFLOAT s6:f 0.1
		INCRBYFLOAT s6:f 0.2
		GET s6:f
		INCRBYFLOAT s6:f 12345.678
		INCRBYFLOAT s6:f -12345.978
		INCRBYFLOAT s6:f 1e3
		INCRBYFLOAT s6:f 1E-3
		INCRBYFLOAT s6:f 5.0e3
		INCRBYFLOAT s6:f -1000000
		INCRBYFLOAT s6:f .5
		INCRBYFLOAT s6:f 5.
		INCRBYFLOAT s6:f +3
		INCRBYFLOAT s6:f 0x10
		INCRBYFLOAT s6:f 0X1P-3
		INCRBYFLOAT s6:f 0x.8
		INCRBYFLOAT s6:f 0xA.Bp2
		INCRBYFLOAT s6:f 00012
		INCRBYFLOAT s6:f 1e-20
		INCRBYFLOAT s6:f 3.0e-1
		SET s6:g 10
		INCRBYFLOAT s6:g 0
		INCRBYFLOAT s6:g -10
		INCRBYFLOAT s6:g -0.0000000000000000001
		INCRBYFLOAT s6:g 0.000000000000000005
		INCRBYFLOAT s6:g 1.5
		SET s6:g 5.0e3
		INCRBYFLOAT s6:g 0
		SET s6:g 1e300
		INCRBYFLOAT s6:g 1
		SET s6:g 1e4932
		INCRBYFLOAT s6:g 1
		INCRBYFLOAT s6:g 1e4932
		SET s6:g 1.18e4932
		INCRBYFLOAT s6:g 0.01e4932
		INCRBYFLOAT s6:g 1.19e4932
		INCRBYFLOAT s6:g -1.19e4932
		INCRBYFLOAT s6:g 1e-4950
		INCRBYFLOAT s6:g 1e-4960
		INCRBYFLOAT s6:g 1e-5000
		INCRBYFLOAT s6:g 0e-99999
		INCRBYFLOAT s6:g 1e999999999999999999999
		INCRBYFLOAT s6:g 1e-999999999999999999999
		INCRBYFLOAT s6:g 0x1p16384
		INCRBYFLOAT s6:g 0x1p-16445
		INCRBYFLOAT s6:g 0x1p-16500
		INCRBYFLOAT s6:g inf
		INCRBYFLOAT s6:g -inf
		INCRBYFLOAT s6:g +Infinity
		INCRBYFLOAT s6:g infinit
		INCRBYFLOAT s6:g nan
		INCRBYFLOAT s6:g NaN
		INCRBYFLOAT s6:g "nan(123)"
		INCRBYFLOAT s6:g abc
		INCRBYFLOAT s6:g ""
		INCRBYFLOAT s6:g " 1"
		INCRBYFLOAT s6:g "1 "
		INCRBYFLOAT s6:g "\t1"
		INCRBYFLOAT s6:g 1_000
		INCRBYFLOAT s6:g 0b101
		INCRBYFLOAT s6:g 0o17
		INCRBYFLOAT s6:g .
		INCRBYFLOAT s6:g 1e
		INCRBYFLOAT s6:g 1e+
		INCRBYFLOAT s6:g 1.2.3
		INCRBYFLOAT s6:g 0x
		INCRBYFLOAT s6:g 0xg
		INCRBYFLOAT s6:g 0x1p
		INCRBYFLOAT s6:g 1p3
		INCRBYFLOAT s6:g --1
		INCRBYFLOAT s6:g "1\x00"
		GET s6:g
		SET s6:h abc
		INCRBYFLOAT s6:h 1
		SET s6:h inf
		INCRBYFLOAT s6:h 1
		SET s6:h " 1"
		INCRBYFLOAT s6:h 1
		SET s6:h 9223372036854775807
		INCRBYFLOAT s6:h 1
		INCRBYFLOAT s6:h 0.5
		SET s6:h -9223372036854775808
		INCRBYFLOAT s6:h -0.5
		INCRBYFLOAT s6:h 3
		INCRBYFLOAT
		INCRBYFLOAT a
	`))
	// Long inputs: up to 5119 characters are accepted, 5120 are not.
	long := "1." + strings.Repeat("1", 5117)
	p.Check("INCRBYFLOAT", "s6:l", long)
	p.Check("INCRBYFLOAT", "s6:l", long+"1")
	p.Check("INCRBYFLOAT", "s6:l", "0."+strings.Repeat("0", 4000)+"1")
	p.Check("INCRBYFLOAT", "s6:l", strings.Repeat("9", 4000))
	p.Check("GET", "s6:l")
}

// randFloatText returns a random number in one of the many forms strtold
// accepts (and some it does not).
func randFloatText(r *rand.Rand) string {
	sign := []string{"", "", "-", "+"}[r.IntN(4)]
	switch r.IntN(16) {
	case 12:
		// Near the ends of the long double range.
		return sign + fmt.Sprintf("%d.%de%d", r.IntN(10), r.IntN(1000), []int{4931, 4932, 4933, -4931, -4932, -4945, -4950, -4951, -4952}[r.IntN(9)])
	case 13:
		return sign + fmt.Sprintf("0x%x.%xp%d", r.IntN(1<<16), r.IntN(1<<16), r.IntN(33000)-16500)
	case 14:
		digits := make([]byte, r.IntN(60)+20)
		for i := range digits {
			digits[i] = byte('0' + r.IntN(10))
		}
		return sign + string(digits[:r.IntN(20)+1]) + "." + string(digits[20:])
	case 15:
		return sign + fmt.Sprintf("%de%d", r.IntN(100)+1, r.IntN(80)-40)
	case 0:
		return sign + strconv.Itoa(r.IntN(1000000))
	case 1:
		return sign + strconv.FormatFloat(r.Float64()*1000, 'f', r.IntN(8), 64)
	case 2:
		return sign + fmt.Sprintf("%d.%0*d", r.IntN(100000), r.IntN(6)+1, r.IntN(1000))
	case 3:
		return sign + fmt.Sprintf("%de%d", r.IntN(1000), r.IntN(40)-20)
	case 4:
		return sign + fmt.Sprintf("%.*fE%+d", r.IntN(5), r.Float64()*10, r.IntN(600)-300)
	case 5:
		return sign + fmt.Sprintf("0x%xp%d", r.IntN(1<<20), r.IntN(80)-40)
	case 6:
		return sign + "0." + strconv.Itoa(r.IntN(10)) + strings.Repeat("0", r.IntN(20)) + strconv.Itoa(r.IntN(100))
	case 7:
		return sign + strconv.FormatInt(r.Int64(), 10)
	case 8:
		return sign + strconv.FormatFloat(r.NormFloat64()*1e6, 'g', -1, 64)
	case 9:
		digits := make([]byte, r.IntN(30)+1)
		for i := range digits {
			digits[i] = byte('0' + r.IntN(10))
		}
		d := string(digits)
		at := r.IntN(len(d) + 1)
		return sign + d[:at] + "." + d[at:]
	case 10:
		return []string{"inf", "-inf", "nan", "abc", "", ".", "1e", "0x", " 1", "1..2", "1e5x", "Infinity"}[r.IntN(12)]
	default:
		return sign + fmt.Sprintf("%d.%d", r.IntN(10), r.IntN(10))
	}
}

// TestStringIncrByFloatRandom compares thousands of additions: the long
// double arithmetic and its "%.17Lf" text must match to the last digit.
func TestStringIncrByFloatRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	deadline := time.Now().Add(20 * time.Second)
	n := 0
	for i := 0; i < 8000 && time.Now().Before(deadline); i++ {
		key := "s7:f" + strconv.Itoa(r.IntN(4))
		if r.IntN(10) == 0 {
			p.Check("SET", key, randFloatText(r))
		}
		p.Check("INCRBYFLOAT", key, randFloatText(r))
		n++
		if t.Failed() {
			break
		}
	}
	t.Logf("%d INCRBYFLOAT commands compared", n)
}

func TestStringAppendStrlenRange(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		APPEND s8:a hello
		APPEND s8:a " world"
		APPEND s8:a ""
		GET s8:a
		STRLEN s8:a
		STRLEN s8:nosuch
		APPEND s8:n 12
		APPEND s8:n 34
		GET s8:n
		STRLEN s8:n
		SET s8:i 1234567
		STRLEN s8:i
		APPEND s8:b "\x00\x01"
		STRLEN s8:b
		APPEND s8:e ""
		GET s8:e
		STRLEN s8:e
		APPEND
		APPEND s8:a
		STRLEN

		SET s8:r "This is a string"
		GETRANGE s8:r 0 3
		GETRANGE s8:r -3 -1
		GETRANGE s8:r 0 -1
		GETRANGE s8:r 10 100
		GETRANGE s8:r 100 200
		GETRANGE s8:r -100 2
		GETRANGE s8:r -1 -5
		GETRANGE s8:r 5 3
		GETRANGE s8:r -1 -1
		GETRANGE s8:r 0 0
		GETRANGE s8:r -9223372036854775808 9223372036854775807
		GETRANGE s8:r 0 abc
		GETRANGE s8:r x 1
		GETRANGE s8:nosuch 0 -1
		GETRANGE s8:nosuch x 1
		GETRANGE s8:i 1 3
		GETRANGE s8:i -2 -1
		SET s8:empty ""
		GETRANGE s8:empty 0 -1
		GETRANGE s8:empty 0 0
		GETRANGE s8:empty -1 0
		SUBSTR s8:r 0 3
		SUBSTR s8:r -5 -2
		SUBSTR s8:nosuch 0 1
		SUBSTR s8:r a b
		GETRANGE s8:r 0
		SUBSTR s8:r 0

		SETRANGE s8:sr 5 hello
		GET s8:sr
		SETRANGE s8:sr 0 HE
		SETRANGE s8:sr 20 x
		GET s8:sr
		SETRANGE s8:sr 2 ""
		SETRANGE s8:sr 100 ""
		GET s8:sr
		SETRANGE s8:new 0 ""
		GET s8:new
		SETRANGE s8:new2 3 ""
		GET s8:new2
		SETRANGE s8:sr -1 x
		SETRANGE s8:sr abc x
		SETRANGE s8:sr 1.5 x
		SETRANGE s8:sr 536870911 ""
		SETRANGE s8:sr 536870912 x
		SETRANGE s8:sr 536870911 xy
		SETRANGE s8:sr 9223372036854775807 x
		SETRANGE s8:nosuch2 536870912 x
		SETRANGE s8:nosuch2 9223372036854775807 x
		SETRANGE s8:nosuch2 -1 ""
		GET s8:nosuch2
		SET s8:si 12345
		SETRANGE s8:si 1 x
		GET s8:si
		SETRANGE s8:si 0 ""
		SETRANGE
		SETRANGE a 1
	`))
}

func TestStringLCS(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		MSET s9:a ohmytext s9:b mynewtext
		LCS s9:a s9:b
		LCS s9:a s9:b LEN
		LCS s9:a s9:b IDX
		LCS s9:a s9:b IDX MINMATCHLEN 4
		LCS s9:a s9:b IDX MINMATCHLEN 4 WITHMATCHLEN
		LCS s9:a s9:b IDX WITHMATCHLEN
		LCS s9:a s9:b idx withmatchlen minmatchlen 2
		LCS s9:a s9:b IDX MINMATCHLEN -5
		LCS s9:a s9:b IDX MINMATCHLEN 0
		LCS s9:a s9:b IDX MINMATCHLEN 100
		LCS s9:a s9:b LEN WITHMATCHLEN
		LCS s9:a s9:b LEN MINMATCHLEN 3
		LCS s9:a s9:b WITHMATCHLEN
		LCS s9:a s9:b LEN IDX
		LCS s9:a s9:b IDX LEN
		LCS s9:a s9:b LEN LEN
		LCS s9:a s9:b IDX IDX
		LCS s9:a s9:b MINMATCHLEN
		LCS s9:a s9:b MINMATCHLEN abc
		LCS s9:a s9:b MINMATCHLEN 1.5
		LCS s9:a s9:b BOGUS
		LCS s9:a s9:b LEN BOGUS
		LCS s9:a s9:nosuch
		LCS s9:a s9:nosuch IDX
		LCS s9:a s9:nosuch LEN
		LCS s9:nosuch s9:nosuch2 IDX
		LCS s9:a s9:a
		LCS s9:a s9:a IDX WITHMATCHLEN
		MSET s9:c 1234567890 s9:d 0987654321
		LCS s9:c s9:d
		LCS s9:c s9:d IDX WITHMATCHLEN
		MSET s9:e "a\x00b\x00c" s9:f "\x00\x00"
		LCS s9:e s9:f
		LCS s9:e s9:f IDX
		MSET s9:g aaaaaaaa s9:h aaa
		LCS s9:g s9:h IDX WITHMATCHLEN
		MSET s9:g abcabcabc s9:h cbacba
		LCS s9:g s9:h
		LCS s9:g s9:h IDX WITHMATCHLEN
		LCS s9:a
		LCS
	`))
}

// TestStringLCSRandom compares LCS on random strings over small alphabets,
// where matches are frequent and ranges many.
func TestStringLCSRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	randStr := func() string {
		alpha := "abcd"[:r.IntN(4)+1]
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	}
	for i := 0; i < 500 && !t.Failed(); i++ {
		p.Check("MSET", "s10:a", randStr(), "s10:b", randStr())
		switch r.IntN(5) {
		case 0:
			p.Check("LCS", "s10:a", "s10:b")
		case 1:
			p.Check("LCS", "s10:a", "s10:b", "LEN")
		case 2:
			p.Check("LCS", "s10:a", "s10:b", "IDX")
		case 3:
			p.Check("LCS", "s10:a", "s10:b", "IDX", "WITHMATCHLEN")
		default:
			p.Check("LCS", "s10:a", "s10:b", "IDX", "MINMATCHLEN", strconv.Itoa(r.IntN(5)), "WITHMATCHLEN")
		}
	}
}

// TestStringRESP3 checks the replies whose RESP3 form differs: nulls and
// LCS IDX's map.
func TestStringRESP3(t *testing.T) {
	p := pair(t)
	p.Both("HELLO", "3")
	defer p.Both("HELLO", "2")
	p.CheckAll(stringScript(`
		GET s11:nosuch
		MSET s11:a ohmytext s11:b mynewtext
		MGET s11:a s11:nosuch s11:b
		SET s11:a x XX GET
		SET s11:nosuch x XX
		SET s11:nosuch x XX GET
		SET s11:a ohmytext NX
		GETEX s11:nosuch
		GETDEL s11:nosuch
		GETSET s11:nosuch2 v
		GETRANGE s11:nosuch 0 -1
		GETRANGE s11:a 5 1
		LCS s11:a s11:b
		LCS s11:a s11:b LEN
		LCS s11:a s11:b IDX
		LCS s11:a s11:b IDX MINMATCHLEN 4 WITHMATCHLEN
		LCS s11:a s11:nosuch IDX
		INCRBYFLOAT s11:f 1.5
	`))
}

// TestStringWrongType runs every string command against a key of another
// type.
func TestStringWrongType(t *testing.T) {
	p := pair(t)
	p.CheckAll(stringScript(`
		RPUSH s12:l a b
		GET s12:l
		SET s12:l v GET
		SET s12:l v NX GET
		SET s12:l v XX
		GET s12:l
		GETEX s12:l
		GETEX s12:l EX 100
		GETEX s12:l EX abc
		GETEX s12:l BADOPT
		GETDEL s12:l
		GETSET s12:l v
		MGET s12:l s12:nosuch
		MSETNX s12:l v s12:x y
		INCR s12:l
		DECR s12:l
		INCRBY s12:l 5
		INCRBY s12:l x
		DECRBY s12:l 5
		DECRBY s12:l -9223372036854775808
		INCRBYFLOAT s12:l 1
		INCRBYFLOAT s12:l x
		APPEND s12:l x
		STRLEN s12:l
		GETRANGE s12:l 0 -1
		GETRANGE s12:l x 1
		SUBSTR s12:l 0 -1
		SETRANGE s12:l 0 x
		SETRANGE s12:l -1 x
		SETRANGE s12:l 0 ""
		SET s12:s v
		LCS s12:l s12:s
		LCS s12:s s12:l
		LCS s12:s s12:l BOGUS
		LCS s12:nosuch s12:l
		TYPE s12:l
		SETNX s12:l v
		SET s12:l v
		GET s12:l
		RPUSH s12:l2 a
		SETEX s12:l2 100 v
		GET s12:l2
		RPUSH s12:l3 a
		MSET s12:l3 v
		GET s12:l3
		RPUSH s12:l4 a
		PSETEX s12:l4 100000 v
		GET s12:l4
	`))
}

// TestStringEncodings checks that values are stored with Redis's encodings
// (OBJECT ENCODING).
func TestStringEncodings(t *testing.T) {
	p := pair(t)
	long := strings.Repeat("x", 45)
	p.CheckAll(Script(`
		SET s13:a 123
		OBJECT ENCODING s13:a
		SET s13:a -123
		OBJECT ENCODING s13:a
		SET s13:a 0123
		OBJECT ENCODING s13:a
		SET s13:a 9223372036854775807
		OBJECT ENCODING s13:a
		SET s13:a 9223372036854775808
		OBJECT ENCODING s13:a
		SET s13:a hello
		OBJECT ENCODING s13:a
		SET s13:a 12345678901234567890123456789012345678901234
		OBJECT ENCODING s13:a
		SET s13:a 123456789012345678901234567890123456789012345
		OBJECT ENCODING s13:a
		SET s13:a 1.5
		OBJECT ENCODING s13:a
		MSET s13:m1 1 s13:m2 abc
		OBJECT ENCODING s13:m1
		OBJECT ENCODING s13:m2
		SETNX s13:nx 77
		OBJECT ENCODING s13:nx
		SETEX s13:ex 100 77
		OBJECT ENCODING s13:ex
		PSETEX s13:px 100000 abc
		OBJECT ENCODING s13:px
		GETSET s13:nx 88
		OBJECT ENCODING s13:nx
		MSETNX s13:mnx1 5 s13:mnx2 five
		OBJECT ENCODING s13:mnx1
		OBJECT ENCODING s13:mnx2
		INCR s13:i
		OBJECT ENCODING s13:i
		SET s13:i 10
		INCRBY s13:i 100000
		OBJECT ENCODING s13:i
		SET s13:i "  "
		SET s13:i 41
		DECRBY s13:i 1
		OBJECT ENCODING s13:i
		INCRBYFLOAT s13:f 3
		OBJECT ENCODING s13:f
		INCRBYFLOAT s13:f 0.5
		OBJECT ENCODING s13:f
		INCR s13:f
		SET s13:f 1e30
		INCRBYFLOAT s13:f 1
		OBJECT ENCODING s13:f
		APPEND s13:ap 123
		OBJECT ENCODING s13:ap
		APPEND s13:ap 4
		OBJECT ENCODING s13:ap
		APPEND s13:ap2 abc
		OBJECT ENCODING s13:ap2
		APPEND s13:ap2 ""
		OBJECT ENCODING s13:ap2
		SET s13:sr 12
		SETRANGE s13:sr 0 ""
		OBJECT ENCODING s13:sr
		SETRANGE s13:sr 0 3
		OBJECT ENCODING s13:sr
		SETRANGE s13:sr2 2 ab
		OBJECT ENCODING s13:sr2
		SET s13:sb abc
		SETBIT s13:sb 0 0
		OBJECT ENCODING s13:sb
		SETBIT s13:sb2 7 1
		OBJECT ENCODING s13:sb2
		SET s13:bf 7
		BITFIELD s13:bf GET u8 0
		OBJECT ENCODING s13:bf
		BITFIELD s13:bf SET u8 100 1
		OBJECT ENCODING s13:bf
		SET s13:bf2 xyz
		BITFIELD s13:bf2 OVERFLOW FAIL INCRBY u2 0 100
		OBJECT ENCODING s13:bf2
		SET s13:b1 1
		BITOP NOT s13:bo s13:b1
		OBJECT ENCODING s13:bo
		BITOP AND s13:bo s13:b1 s13:b1
		OBJECT ENCODING s13:bo
		SET s13:g abc
		GETEX s13:g EX 100
		OBJECT ENCODING s13:g
		SET s13:g 5 KEEPTTL
		OBJECT ENCODING s13:g
	`))
	p.Check("SET", "s13:long", long)
	p.Check("OBJECT", "ENCODING", "s13:long")
	p.Check("APPEND", "s13:long2", long)
	p.Check("OBJECT", "ENCODING", "s13:long2")
	p.Check("OBJECT", "REFCOUNT", "s13:i")
}

// TestStringTTL checks how each command sets, keeps or clears a key's time
// to live. Relative times are compared with TTL (seconds, rounded), which
// the few milliseconds between the two servers cannot change.
func TestStringTTL(t *testing.T) {
	p := pair(t)
	p.CheckAll(stringScript(`
		SET s14:k v EX 1000
		TTL s14:k
		SET s14:k v PX 2000000
		TTL s14:k
		SET s14:k v EXAT {far}
		EXPIRETIME s14:k
		PEXPIRETIME s14:k
		SET s14:k v PXAT {farms}
		PEXPIRETIME s14:k
		SET s14:k v2 KEEPTTL
		PEXPIRETIME s14:k
		SET s14:k v3 KEEPTTL GET
		PEXPIRETIME s14:k
		SET s14:k v4
		TTL s14:k
		SET s14:k v EX 1000
		SET s14:k v XX GET
		TTL s14:k
		SET s14:k v EX 1000
		SET s14:k w NX
		TTL s14:k
		SETEX s14:k 500 x
		TTL s14:k
		PSETEX s14:k 600000 x
		TTL s14:k
		GETSET s14:k y
		TTL s14:k
		SETEX s14:k 500 x
		MSET s14:k z
		TTL s14:k
		SET s14:k 10 EX 1000
		INCR s14:k
		INCRBY s14:k 5
		DECR s14:k
		DECRBY s14:k 2
		INCRBYFLOAT s14:k 1.5
		APPEND s14:k xyz
		SETRANGE s14:k 0 ab
		SETBIT s14:k 100 1
		BITFIELD s14:k SET u8 0 65
		TTL s14:k
		GET s14:k
		BITOP NOT s14:k s14:k
		TTL s14:k
		SET s14:g v
		GETEX s14:g EX 1000
		TTL s14:g
		GETEX s14:g PX 2000000
		TTL s14:g
		GETEX s14:g EXAT {far}
		EXPIRETIME s14:g
		GETEX s14:g PXAT {farms}
		PEXPIRETIME s14:g
		GETEX s14:g
		PEXPIRETIME s14:g
		GETEX s14:g PERSIST
		TTL s14:g
		GETEX s14:g PERSIST
		TTL s14:g
		GETEX s14:g EXAT 1
		TTL s14:g
		EXISTS s14:g
	`))
}

// stringValues are the values random string streams store.
var stringValues = []string{
	"", "0", "1", "-1", "10", "123", "007", "-0", "9223372036854775807", "-9223372036854775808",
	"9223372036854775806", "-9223372036854775807", "1.5", "-0.25", "3e2", "0x10", "abc", "hello world",
	"\x00\xff\x10", strings.Repeat("z", 44), strings.Repeat("y", 45), strings.Repeat("ab", 40), " 1",
}

func randIntText(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return []string{"abc", "", "1.5", "9223372036854775808", "-9223372036854775809", " 1", "+1"}[r.IntN(7)]
	case 1:
		return []string{"9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807"}[r.IntN(4)]
	default:
		return strconv.Itoa(r.IntN(60) - 30)
	}
}

// TestStringRandom sends a few thousand random string commands, valid and
// invalid, over a handful of keys, comparing every reply.
func TestStringRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	p.Both("RPUSH", "s15:list", "x")
	keys := []string{"s15:a", "s15:b", "s15:c", "s15:d", "s15:list"}
	key := func() string { return keys[r.IntN(len(keys))] }
	val := func() string {
		if r.IntN(4) == 0 {
			return randIntText(r)
		}
		return stringValues[r.IntN(len(stringValues))]
	}
	far := farFuture
	// Valid expiry times are absolute (EXAT/PXAT), far ahead or long past,
	// so that PEXPIRETIME replies match; relative ones are only invalid.
	expireOpt := func() []string {
		switch r.IntN(11) {
		case 0:
			return []string{"EXAT", far}
		case 1:
			return []string{"PXAT", far + strconv.Itoa(100+r.IntN(900))}
		case 2:
			return []string{"EXAT", strconv.Itoa(r.IntN(1000) + 1)}
		case 3:
			return []string{"PXAT", strconv.Itoa(r.IntN(100000) + 1)}
		case 4:
			return []string{[]string{"EX", "PX", "EXAT", "PXAT"}[r.IntN(4)], []string{"0", "-1", "abc", "9223372036854775807", "1.5"}[r.IntN(5)]}
		case 5:
			return []string{"KEEPTTL"}
		case 6:
			return []string{"PERSIST"}
		case 7:
			return []string{"EX"}
		default:
			return nil
		}
	}
	const total = 6000
	deadline := time.Now().Add(30 * time.Second)
	n := 0
	for ; n < total && time.Now().Before(deadline) && !t.Failed(); n++ {
		var cmd []string
		switch r.IntN(26) {
		case 0, 1:
			cmd = []string{"SET", key(), val()}
			for k := r.IntN(4); k > 0; k-- {
				switch r.IntN(4) {
				case 0:
					cmd = append(cmd, []string{"NX", "XX", "GET", "nx", "get", "BAD"}[r.IntN(6)])
				default:
					cmd = append(cmd, expireOpt()...)
				}
			}
		case 2:
			cmd = []string{"GET", key()}
		case 3:
			cmd = []string{"SETNX", key(), val()}
		case 4:
			cmd = []string{[]string{"SETEX", "PSETEX"}[r.IntN(2)], key(), []string{"0", "-1", "x", "9223372036854775807", ""}[r.IntN(5)], val()}
		case 5:
			cmd = append([]string{"GETEX", key()}, expireOpt()...)
			if r.IntN(5) == 0 {
				cmd = append(cmd, expireOpt()...)
			}
		case 6:
			cmd = []string{"GETDEL", key()}
		case 7:
			cmd = []string{"GETSET", key(), val()}
		case 8:
			cmd = []string{"MGET", key(), key(), key()}
		case 9:
			cmd = []string{"MSET", key(), val(), key(), val()}
			if r.IntN(6) == 0 {
				cmd = cmd[:4]
			}
		case 10:
			cmd = []string{"MSETNX", key(), val(), key(), val()}
		case 11:
			cmd = []string{[]string{"INCR", "DECR"}[r.IntN(2)], key()}
		case 12:
			cmd = []string{[]string{"INCRBY", "DECRBY"}[r.IntN(2)], key(), randIntText(r)}
		case 13:
			cmd = []string{"INCRBYFLOAT", key(), randFloatText(r)}
		case 14:
			cmd = []string{"APPEND", key(), val()}
		case 15:
			cmd = []string{"STRLEN", key()}
		case 16, 17:
			cmd = []string{[]string{"GETRANGE", "SUBSTR"}[r.IntN(2)], key(), randIntText(r), randIntText(r)}
		case 18:
			off := strconv.Itoa(r.IntN(70))
			if r.IntN(8) == 0 {
				off = []string{"-1", "x", "536870912", "9223372036854775807"}[r.IntN(4)]
			}
			cmd = []string{"SETRANGE", key(), off, val()}
		case 19:
			cmd = []string{"LCS", key(), key()}
			for k := r.IntN(3); k > 0; k-- {
				cmd = append(cmd, [][]string{{"LEN"}, {"IDX"}, {"WITHMATCHLEN"}, {"MINMATCHLEN", randIntText(r)}, {"BAD"}}[r.IntN(5)]...)
			}
		case 20:
			cmd = []string{"OBJECT", "ENCODING", key()}
		case 21:
			cmd = []string{"PEXPIRETIME", key()}
		default:
			cmd = []string{"GET", key()}
		}
		p.Check(cmd...)
	}
	t.Logf("%d random string commands compared", n)
}
