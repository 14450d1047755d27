package script

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// struct: the binary packing library Redis bundles (Roberto Ierusalimschy's
// struct): pack, unpack and size over a format of '<' '>' '=' '!n' 'x'
// 'b' 'B' 'h' 'H' 'l' 'L' 'T' 'i[n]' 'I[n]' 'f' 'd' 's' 'c[n]'.

func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

type structFmt struct {
	L      *lua.LState
	f      string
	i      int
	little bool
	align  int
}

// next returns the next option and its size (n for 'i', 'I', 'c').
func (s *structFmt) next() (op byte, size int, ok bool) {
	for s.i < len(s.f) {
		op = s.f[s.i]
		s.i++
		switch op {
		case ' ':
			continue
		case '<', '=':
			s.little = true
			continue
		case '>':
			s.little = false
			continue
		case '!':
			s.align = s.num(8)
			continue
		case 'x', 'b', 'B':
			return op, 1, true
		case 'h', 'H':
			return op, 2, true
		case 'l', 'L', 'T':
			return op, 8, true
		case 'i', 'I':
			n := s.num(4)
			if n > 8 || n < 1 {
				s.L.RaiseError("integral size %d is larger than limit of %d", n, 8)
			}
			return op, n, true
		case 'f':
			return op, 4, true
		case 'd':
			return op, 8, true
		case 's':
			return op, 0, true
		case 'c':
			return op, s.num(1), true
		default:
			s.L.RaiseError("invalid format option '%c'", op)
		}
	}
	return 0, 0, false
}

func (s *structFmt) num(def int) int {
	if s.i >= len(s.f) || s.f[s.i] < '0' || s.f[s.i] > '9' {
		return def
	}
	n := 0
	for s.i < len(s.f) && s.f[s.i] >= '0' && s.f[s.i] <= '9' {
		n = n*10 + int(s.f[s.i]-'0')
		s.i++
	}
	return n
}

func (s *structFmt) pad(pos int, op byte, size int) int {
	if op == 'c' || op == 's' || op == 'x' || s.align <= 1 || size <= 1 {
		return 0
	}
	a := min(size, s.align)
	if pos%a == 0 {
		return 0
	}
	return a - pos%a
}

func (s *structFmt) putInt(b []byte, v uint64, size int) []byte {
	var tmp [8]byte
	if s.little {
		binary.LittleEndian.PutUint64(tmp[:], v)
		return append(b, tmp[:size]...)
	}
	binary.BigEndian.PutUint64(tmp[:], v)
	return append(b, tmp[8-size:]...)
}

func structPack(L *lua.LState) int {
	s := &structFmt{L: L, f: L.CheckString(1), little: true, align: 1}
	var b []byte
	arg := 2
	for {
		op, size, ok := s.next()
		if !ok {
			break
		}
		for n := s.pad(len(b), op, size); n > 0; n-- {
			b = append(b, 0)
		}
		switch op {
		case 'x':
			b = append(b, 0)
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			f := float64(L.CheckNumber(arg))
			arg++
			var v uint64
			if f < 0 {
				v = uint64(int64(f))
			} else {
				v = uint64(f)
			}
			b = s.putInt(b, v, size)
		case 'f':
			f := float32(L.CheckNumber(arg))
			arg++
			b = s.putInt(b, uint64(math.Float32bits(f)), 4)
		case 'd':
			f := float64(L.CheckNumber(arg))
			arg++
			b = s.putInt(b, math.Float64bits(f), 8)
		case 'c', 's':
			str := L.CheckString(arg)
			arg++
			if op == 'c' {
				if size == 0 {
					size = len(str)
				}
				if len(str) < size {
					L.ArgError(arg-1, "string too short")
				}
				b = append(b, str[:size]...)
			} else {
				if strings.IndexByte(str, 0) >= 0 {
					L.ArgError(arg-1, "string contains zeros")
				}
				b = append(append(b, str...), 0)
			}
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func structUnpack(L *lua.LState) int {
	s := &structFmt{L: L, f: L.CheckString(1), little: true, align: 1}
	data := L.CheckString(2)
	pos := L.OptInt(3, 1) - 1
	if pos < 0 || pos > len(data) {
		L.ArgError(3, "offset must be 1 or greater")
	}
	n := 0
	var last float64
	for {
		op, size, ok := s.next()
		if !ok {
			break
		}
		pos += s.pad(pos, op, size)
		if op != 's' && (op != 'c' || size > 0) && pos+size > len(data) {
			L.ArgError(2, "data string too short")
		}
		switch op {
		case 'x':
			pos++
			continue
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			var tmp [8]byte
			var v uint64
			if s.little {
				copy(tmp[:], data[pos:pos+size])
				v = binary.LittleEndian.Uint64(tmp[:])
			} else {
				copy(tmp[8-size:], data[pos:pos+size])
				v = binary.BigEndian.Uint64(tmp[:])
			}
			var f float64
			if op == 'b' || op == 'h' || op == 'l' || op == 'i' {
				shift := uint(64 - 8*size)
				f = float64(int64(v<<shift) >> shift)
			} else {
				f = float64(v)
			}
			last = f
			L.Push(lua.LNumber(f))
		case 'f':
			var v uint32
			if s.little {
				v = binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			} else {
				v = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			}
			L.Push(lua.LNumber(math.Float32frombits(v)))
		case 'd':
			var v uint64
			if s.little {
				v = binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			} else {
				v = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			}
			L.Push(lua.LNumber(math.Float64frombits(v)))
		case 'c':
			if size == 0 {
				if n == 0 {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = int(last)
				L.Pop(1)
				n--
				if pos+size > len(data) {
					L.ArgError(2, "data string too short")
				}
			}
			L.Push(lua.LString(data[pos : pos+size]))
		case 's':
			end := strings.IndexByte(data[pos:], 0)
			if end < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = end + 1
			L.Push(lua.LString(data[pos : pos+end]))
		}
		pos += size
		n++
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func structSize(L *lua.LState) int {
	s := &structFmt{L: L, f: L.CheckString(1), little: true, align: 1}
	pos := 0
	for {
		op, size, ok := s.next()
		if !ok {
			break
		}
		if op == 's' || (op == 'c' && size == 0) {
			L.ArgError(1, "options 'c0' - 's' have undefined sizes")
		}
		pos += s.pad(pos, op, size) + size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
