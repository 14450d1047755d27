package compat

import (
	"strconv"
	"testing"
	"time"
)

// Differential tests of the bitmap commands.

func TestBitmapSetGetBit(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SETBIT b1:k 7 1
		GET b1:k
		SETBIT b1:k 7 1
		SETBIT b1:k 7 0
		SETBIT b1:k 0 1
		SETBIT b1:k 100 1
		GET b1:k
		STRLEN b1:k
		GETBIT b1:k 0
		GETBIT b1:k 1
		GETBIT b1:k 100
		GETBIT b1:k 101
		GETBIT b1:k 1000000
		GETBIT b1:nosuch 0
		GETBIT b1:nosuch 4294967295
		GETBIT b1:nosuch 4294967296
		GETBIT b1:k -1
		GETBIT b1:k abc
		GETBIT b1:k 1.5
		GETBIT b1:k ""
		GETBIT b1:k 9223372036854775807
		SETBIT b1:k -1 1
		SETBIT b1:k 4294967296 1
		SETBIT b1:k 9223372036854775807 1
		SETBIT b1:k x 1
		SETBIT b1:k 1 2
		SETBIT b1:k 1 -1
		SETBIT b1:k 1 x
		SETBIT b1:k 1 ""
		SETBIT b1:k 1 01
		SETBIT b1:k 1 " 1"
		SETBIT b1:k x x
		SETBIT b1:new 5 0
		GET b1:new
		SET b1:i 12
		GETBIT b1:i 2
		GETBIT b1:i 3
		GETBIT b1:i 15
		GETBIT b1:i 16
		SETBIT b1:i 15 0
		GET b1:i
		SETBIT
		SETBIT b1:k 1
		GETBIT b1:k
	`))
}

func TestBitmapBitCount(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET b2:k foobar
		BITCOUNT b2:k
		BITCOUNT b2:k 0 0
		BITCOUNT b2:k 1 1
		BITCOUNT b2:k 1 -2
		BITCOUNT b2:k -2 -1
		BITCOUNT b2:k -1 -2
		BITCOUNT b2:k -100 100
		BITCOUNT b2:k 100 200
		BITCOUNT b2:k 3 2
		BITCOUNT b2:k 0 -1 BYTE
		BITCOUNT b2:k 0 -1 byte
		BITCOUNT b2:k 5 30 BIT
		BITCOUNT b2:k 5 30 bit
		BITCOUNT b2:k 0 0 BIT
		BITCOUNT b2:k 7 7 BIT
		BITCOUNT b2:k 1 6 BIT
		BITCOUNT b2:k 9 9 BIT
		BITCOUNT b2:k -1 -1 BIT
		BITCOUNT b2:k -10 -3 BIT
		BITCOUNT b2:k 0 1000 BIT
		BITCOUNT b2:k 30 5 BIT
		BITCOUNT b2:k 0 -1 NOPE
		BITCOUNT b2:k -1 -2 NOPE
		BITCOUNT b2:k 0
		BITCOUNT b2:k 0 1 BIT extra
		BITCOUNT b2:k a 1
		BITCOUNT b2:k 0 b
		BITCOUNT b2:k a b NOPE
		BITCOUNT b2:nosuch
		BITCOUNT b2:nosuch 0
		BITCOUNT b2:nosuch a b c d e
		SET b2:empty ""
		BITCOUNT b2:empty
		BITCOUNT b2:empty 0 -1
		BITCOUNT b2:empty 0 -1 BIT
		SET b2:i 255
		BITCOUNT b2:i
		BITCOUNT b2:i 0 0 BIT
		BITCOUNT
	`))
}

func TestBitmapBitPos(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET b3:k "\xff\xf0\x00"
		BITPOS b3:k 0
		BITPOS b3:k 1
		BITPOS b3:k 0 2
		BITPOS b3:k 1 2
		BITPOS b3:k 0 0 0
		BITPOS b3:k 0 0 1
		BITPOS b3:k 0 -1
		BITPOS b3:k 1 -3 -2
		BITPOS b3:k 0 5 10
		BITPOS b3:k 0 2 1
		BITPOS b3:k 1 0 -1 BYTE
		BITPOS b3:k 0 0 -1 BIT
		BITPOS b3:k 0 3 10 BIT
		BITPOS b3:k 0 12 12 bit
		BITPOS b3:k 1 12 23 BIT
		BITPOS b3:k 1 1 6 BIT
		BITPOS b3:k 0 1 6 BIT
		BITPOS b3:k 0 -5 -1 BIT
		BITPOS b3:k 1 -5 -1 BIT
		BITPOS b3:k 0 100 200 BIT
		BITPOS b3:k 0 7 3 BIT
		BITPOS b3:k 1 0 0 NOPE
		BITPOS b3:k 1 x
		BITPOS b3:k 1 0 x
		BITPOS b3:k 1 0 x NOPE
		BITPOS b3:k 1 x 0 NOPE
		BITPOS b3:k 1 0 1 BIT extra
		BITPOS b3:k 2
		BITPOS b3:k -1
		BITPOS b3:k x
		SET b3:ones "\xff\xff"
		BITPOS b3:ones 0
		BITPOS b3:ones 0 0
		BITPOS b3:ones 0 1
		BITPOS b3:ones 0 0 -1
		BITPOS b3:ones 0 0 15 BIT
		BITPOS b3:ones 0 3 BIT
		BITPOS b3:ones 1 1 1
		SET b3:zeros "\x00\x00\x00"
		BITPOS b3:zeros 1
		BITPOS b3:zeros 0
		BITPOS b3:zeros 1 0 -1 BIT
		BITPOS b3:zeros 0 9 BIT
		BITPOS b3:nosuch 0
		BITPOS b3:nosuch 1
		BITPOS b3:nosuch 1 x y
		BITPOS b3:nosuch 2
		SET b3:empty ""
		BITPOS b3:empty 0
		BITPOS b3:empty 1
		BITPOS b3:empty 0 0
		SET b3:i 1
		BITPOS b3:i 1
		BITPOS b3:i 0 0 0 BIT
		BITPOS b3:k
		BITPOS
	`))
}

func TestBitmapBitOp(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET b4:a foobar
		SET b4:b abcdef
		SET b4:c "\x01\x02"
		BITOP AND b4:d b4:a b4:b
		GET b4:d
		BITOP OR b4:d b4:a b4:b b4:c
		GET b4:d
		BITOP XOR b4:d b4:a b4:c
		GET b4:d
		BITOP NOT b4:d b4:a
		GET b4:d
		BITOP and b4:d b4:a b4:c
		GET b4:d
		BITOP AND b4:d b4:a b4:nosuch
		GET b4:d
		BITOP OR b4:d b4:nosuch b4:c
		GET b4:d
		BITOP NOT b4:d b4:nosuch
		GET b4:d
		BITOP AND b4:d b4:nosuch b4:nosuch2
		GET b4:d
		SET b4:d x
		BITOP OR b4:d b4:nosuch
		GET b4:d
		SET b4:empty ""
		SET b4:d x
		BITOP XOR b4:d b4:empty b4:empty
		GET b4:d
		BITOP NOT b4:d b4:a b4:b
		BITOP NOT b4:d
		BITOP NOPE b4:d b4:a
		BITOP ANDX b4:d b4:a
		BITOP AND b4:a b4:a b4:b
		GET b4:a
		SET b4:i 12
		BITOP NOT b4:d b4:i
		GET b4:d
		BITOP AND b4:d
		BITOP AND
	`))
	// Long operands, past any word-at-a-time fast path.
	long1 := make([]byte, 100)
	long2 := make([]byte, 77)
	for i := range long1 {
		long1[i] = byte(i*37 + 11)
	}
	for i := range long2 {
		long2[i] = byte(i*91 + 5)
	}
	p.Check("SET", "b4:l1", string(long1))
	p.Check("SET", "b4:l2", string(long2))
	for _, op := range []string{"AND", "OR", "XOR"} {
		p.Check("BITOP", op, "b4:r", "b4:l1", "b4:l2", "b4:c")
		p.Check("GET", "b4:r")
		p.Check("BITOP", op, "b4:r", "b4:l2", "b4:l1")
		p.Check("GET", "b4:r")
	}
	p.Check("BITOP", "NOT", "b4:r", "b4:l1")
	p.Check("GET", "b4:r")
}

func TestBitmapBitField(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		BITFIELD b5:k
		BITFIELD b5:k GET u8 0
		EXISTS b5:k
		BITFIELD b5:k SET u8 0 255 GET u8 0 GET i8 0
		BITFIELD b5:k SET i5 3 -3 GET i5 3 GET u5 3
		BITFIELD b5:k INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
		BITFIELD b5:k INCRBY u8 0 10
		BITFIELD b5:k OVERFLOW SAT INCRBY u8 0 300 INCRBY u8 0 -300 INCRBY i8 0 200 INCRBY i8 0 -200
		BITFIELD b5:k OVERFLOW FAIL INCRBY u8 0 300 INCRBY i8 0 -200 INCRBY u8 0 1
		BITFIELD b5:k OVERFLOW WRAP INCRBY u8 0 300 INCRBY i8 0 -200 INCRBY i8 0 127
		BITFIELD b5:k overflow sat set u4 0 100 set i4 0 -100 set i4 0 100 set u4 0 -1
		BITFIELD b5:k OVERFLOW FAIL SET u4 0 100 SET i4 0 -9 SET i4 0 7 SET u4 0 -1
		BITFIELD b5:k OVERFLOW WRAP SET u4 0 100 SET i4 0 -9 SET u4 0 -1
		BITFIELD b5:k GET u8 0 GET u8 8 GET u16 4
		BITFIELD b5:k SET i64 0 -1 GET i64 0 GET u63 0 GET u63 1
		BITFIELD b5:k SET i64 0 9223372036854775807 INCRBY i64 0 1
		BITFIELD b5:k OVERFLOW SAT SET i64 0 9223372036854775807 INCRBY i64 0 1 INCRBY i64 0 -1
		BITFIELD b5:k OVERFLOW SAT SET i64 0 -9223372036854775808 INCRBY i64 0 -1 INCRBY i64 0 9223372036854775807
		BITFIELD b5:k OVERFLOW FAIL SET i64 0 -9223372036854775808 INCRBY i64 0 -1 INCRBY i64 0 -9223372036854775808
		BITFIELD b5:k OVERFLOW WRAP INCRBY i64 0 -9223372036854775808 INCRBY i64 0 9223372036854775807
		BITFIELD b5:k OVERFLOW SAT SET u63 0 9223372036854775807 INCRBY u63 0 1 INCRBY u63 0 -9223372036854775808
		BITFIELD b5:k OVERFLOW WRAP SET u63 0 0 INCRBY u63 0 -1 INCRBY u63 0 -9223372036854775808
		BITFIELD b5:k OVERFLOW FAIL SET u63 0 0 INCRBY u63 0 -1 INCRBY u63 0 9223372036854775807 INCRBY u63 0 1
		BITFIELD b5:k SET u1 0 1 SET u1 1 2 SET i1 2 -1 SET i1 3 1 GET i1 3 INCRBY i1 4 1 INCRBY u1 5 3
		BITFIELD b5:k OVERFLOW SAT INCRBY i1 6 1 INCRBY i1 6 -5 INCRBY u1 7 5
		BITFIELD b5:k SET u8 #1 7 SET u8 #2 9 GET u8 #1 GET u8 #2 GET u8 16 GET i3 #5
		BITFIELD b5:k SET u8 #0 7 GET u8 #
		GET b5:k
		BITFIELD b5:k GET u8 1000000
		BITFIELD b5:k GET i64 1000000 GET i7 13
		BITFIELD b5:k SET u8 200 1
		STRLEN b5:k
		BITFIELD b5:k GET u64 0
		BITFIELD b5:k GET i65 0
		BITFIELD b5:k GET i0 0
		BITFIELD b5:k GET u0 0
		BITFIELD b5:k GET x8 0
		BITFIELD b5:k GET U8 0
		BITFIELD b5:k GET I8 0
		BITFIELD b5:k GET u 0
		BITFIELD b5:k GET "" 0
		BITFIELD b5:k GET u-1 0
		BITFIELD b5:k GET u08 0
		BITFIELD b5:k GET "u8\x00x" 0
		BITFIELD b5:k GET u8 -1
		BITFIELD b5:k GET u8 x
		BITFIELD b5:k GET u8 ""
		BITFIELD b5:k GET u8 #x
		BITFIELD b5:k GET u8 #-1
		BITFIELD b5:k GET u8 ##1
		BITFIELD b5:k GET u8 4294967296
		BITFIELD b5:k GET u8 4294967295
		BITFIELD b5:k GET u8 #536870912
		BITFIELD b5:k GET u8 #536870911
		BITFIELD b5:k GET i64 #1152921504606846976
		BITFIELD b5:k SET u8 0 x
		BITFIELD b5:k SET u8 0 1.5
		BITFIELD b5:k SET u8 0 99999999999999999999
		BITFIELD b5:k INCRBY u8 0 x
		BITFIELD b5:k SET u8 0
		BITFIELD b5:k INCRBY u8 0
		BITFIELD b5:k GET u8
		BITFIELD b5:k GET
		BITFIELD b5:k OVERFLOW
		BITFIELD b5:k OVERFLOW NOPE GET u8 0
		BITFIELD b5:k OVERFLOW NOPE
		BITFIELD b5:k GET u8 0 OVERFLOW SAT
		BITFIELD b5:k NOPE u8 0
		BITFIELD b5:k GET u8 0 NOPE
		BITFIELD b5:k GET u8 0 SET x8 0 1
		BITFIELD b5:k SET x8 0 1 GET u8 x
		BITFIELD b5:k GET u8 x SET x8 0 1
		BITFIELD b5:k get u8 0 set u8 0 1 incrby u8 0 1 overflow fail
		BITFIELD b5:new OVERFLOW FAIL INCRBY u8 80 1000
		GET b5:new
		BITFIELD b5:new2 OVERFLOW FAIL SET i8 0 1000 GET u8 0
		GET b5:new2
		SET b5:i 1234
		BITFIELD b5:i GET u8 0 GET u8 8 GET u32 0
		BITFIELD b5:i INCRBY u8 0 1
		GET b5:i
		BITFIELD
	`))
}

func TestBitmapBitFieldRO(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET b6:k hello
		BITFIELD_RO b6:k GET u8 0 GET i8 8 GET u16 #1
		BITFIELD_RO b6:k
		BITFIELD_RO b6:nosuch GET u8 0
		BITFIELD_RO b6:k OVERFLOW SAT GET u8 0
		BITFIELD_RO b6:k OVERFLOW SAT
		BITFIELD_RO b6:k SET u8 0 1
		BITFIELD_RO b6:k GET u8 0 INCRBY u8 0 1
		BITFIELD_RO b6:k GET u8 0 SET u8 0
		BITFIELD_RO b6:k GET x8 0 SET u8 0 1
		BITFIELD_RO b6:k SET u8 0 1 GET x8 0
		BITFIELD_RO b6:k SET u8 0 x
		BITFIELD_RO b6:k OVERFLOW NOPE
		BITFIELD_RO b6:k NOPE
		BITFIELD_RO b6:k GET u64 0
		BITFIELD_RO b6:k GET u8 -1
		GET b6:k
		BITFIELD_RO
	`))
}

// TestBitmapRESP3 checks BITFIELD's null for a FAIL overflow in RESP3.
func TestBitmapRESP3(t *testing.T) {
	p := pair(t)
	p.Both("HELLO", "3")
	defer p.Both("HELLO", "2")
	p.CheckAll(Script(`
		BITFIELD b7:k OVERFLOW FAIL SET u2 0 1 INCRBY u2 0 10 GET u2 0
		BITFIELD_RO b7:k GET u2 0
		BITCOUNT b7:k
		BITPOS b7:k 1
		GETBIT b7:k 1
		SETBIT b7:k 1 0
	`))
}

// TestBitmapWrongType runs every bitmap command against a list.
func TestBitmapWrongType(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH b8:l a
		SET b8:s abc
		SETBIT b8:l 0 1
		SETBIT b8:l -1 1
		SETBIT b8:l 0 5
		GETBIT b8:l 0
		GETBIT b8:l -1
		BITCOUNT b8:l
		BITCOUNT b8:l 0
		BITCOUNT b8:l x y
		BITPOS b8:l 1
		BITPOS b8:l 2
		BITPOS b8:l 1 x
		BITOP AND b8:d b8:s b8:l
		BITOP AND b8:d b8:l b8:nosuch
		BITOP NOT b8:d b8:l
		BITOP AND b8:l b8:s
		TYPE b8:l
		GET b8:l
		SET b8:d x
		BITOP OR b8:d b8:s b8:l
		GET b8:d
		BITFIELD b8:l GET u8 0
		BITFIELD b8:l SET u8 0 1
		BITFIELD b8:l GET x8 0
		BITFIELD b8:l
		BITFIELD_RO b8:l GET u8 0
		BITFIELD_RO b8:l SET u8 0 1
	`))
}

// TestBitmapRandom sends a few thousand random bitmap commands (and string
// writes that shape the bitmaps), valid and invalid, over a few keys.
func TestBitmapRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	keys := []string{"b9:a", "b9:b", "b9:c"}
	key := func() string { return keys[r.IntN(len(keys))] }
	idx := func() string {
		switch r.IntN(12) {
		case 0:
			return []string{"x", "", "1.5", "9223372036854775807", "-9223372036854775808"}[r.IntN(5)]
		case 1, 2, 3:
			return strconv.Itoa(-r.IntN(100))
		default:
			return strconv.Itoa(r.IntN(100))
		}
	}
	randBytes := func() string {
		b := make([]byte, r.IntN(24))
		for i := range b {
			switch r.IntN(4) {
			case 0:
				b[i] = 0
			case 1:
				b[i] = 0xff
			default:
				b[i] = byte(r.IntN(256))
			}
		}
		return string(b)
	}
	bfType := func() string {
		switch r.IntN(10) {
		case 0:
			return []string{"u64", "i65", "i0", "x8", "u", "U8"}[r.IntN(6)]
		default:
			if r.IntN(2) == 0 {
				return "u" + strconv.Itoa(r.IntN(63)+1)
			}
			return "i" + strconv.Itoa(r.IntN(64)+1)
		}
	}
	bfOffset := func() string {
		switch r.IntN(10) {
		case 0:
			return []string{"-1", "x", "#x", "4294967296"}[r.IntN(4)]
		case 1, 2:
			return "#" + strconv.Itoa(r.IntN(6))
		default:
			return strconv.Itoa(r.IntN(150))
		}
	}
	bfValue := func() string {
		switch r.IntN(6) {
		case 0:
			return strconv.FormatInt(r.Int64()-r.Int64(), 10)
		case 1:
			return []string{"9223372036854775807", "-9223372036854775808", "x"}[r.IntN(3)]
		default:
			return strconv.Itoa(r.IntN(600) - 300)
		}
	}
	const total = 6000
	deadline := time.Now().Add(30 * time.Second)
	n := 0
	for ; n < total && time.Now().Before(deadline) && !t.Failed(); n++ {
		var cmd []string
		switch r.IntN(16) {
		case 0:
			cmd = []string{"SET", key(), randBytes()}
		case 1:
			cmd = []string{"APPEND", key(), randBytes()}
		case 2:
			cmd = []string{"GET", key()}
		case 3, 4:
			off := strconv.Itoa(r.IntN(250))
			if r.IntN(10) == 0 {
				off = idx()
			}
			bit := strconv.Itoa(r.IntN(2))
			if r.IntN(15) == 0 {
				bit = []string{"2", "-1", "x"}[r.IntN(3)]
			}
			cmd = []string{"SETBIT", key(), off, bit}
		case 5:
			cmd = []string{"GETBIT", key(), strconv.Itoa(r.IntN(250))}
		case 6, 7:
			cmd = []string{"BITCOUNT", key()}
			if r.IntN(5) > 0 {
				cmd = append(cmd, idx(), idx())
				if r.IntN(2) == 0 {
					cmd = append(cmd, []string{"BIT", "BYTE", "bit", "NOPE"}[r.IntN(4)])
				}
			}
		case 8, 9:
			bit := strconv.Itoa(r.IntN(2))
			if r.IntN(20) == 0 {
				bit = "2"
			}
			cmd = []string{"BITPOS", key(), bit}
			switch r.IntN(4) {
			case 1:
				cmd = append(cmd, idx())
			case 2:
				cmd = append(cmd, idx(), idx())
			case 3:
				cmd = append(cmd, idx(), idx(), []string{"BIT", "BYTE", "bit", "NOPE"}[r.IntN(4)])
			}
		case 10:
			op := []string{"AND", "OR", "XOR", "NOT", "nand"}[r.IntN(5)]
			cmd = []string{"BITOP", op, key(), key()}
			if op != "NOT" || r.IntN(8) == 0 {
				for k := r.IntN(3); k > 0; k-- {
					cmd = append(cmd, key())
				}
			}
		case 11, 12, 13:
			name := "BITFIELD"
			if r.IntN(4) == 0 {
				name = "BITFIELD_RO"
			}
			cmd = []string{name, key()}
			for k := r.IntN(4) + 1; k > 0; k-- {
				switch r.IntN(5) {
				case 0:
					cmd = append(cmd, "GET", bfType(), bfOffset())
				case 1:
					cmd = append(cmd, "SET", bfType(), bfOffset(), bfValue())
				case 2:
					cmd = append(cmd, "INCRBY", bfType(), bfOffset(), bfValue())
				case 3:
					cmd = append(cmd, "OVERFLOW", []string{"WRAP", "SAT", "FAIL", "fail", "NOPE"}[r.IntN(5)])
				default:
					cmd = append(cmd, "GET", bfType(), bfOffset())
				}
			}
		case 14:
			cmd = []string{"SETRANGE", key(), strconv.Itoa(r.IntN(40)), randBytes()}
		default:
			cmd = []string{"STRLEN", key()}
		}
		p.Check(cmd...)
	}
	t.Logf("%d random bitmap commands compared", n)
}
