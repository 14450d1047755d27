package script

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openBit builds the bit library (LuaBitOp's API): operations on 32-bit
// integers, results signed.
func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fold := func(name string, op func(a, b uint32) uint32) {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			r := bitArg(L, 1, name)
			for i := 2; i <= L.GetTop(); i++ {
				r = op(r, bitArg(L, i, name))
			}
			L.Push(lua.LNumber(int32(r)))
			return 1
		}))
	}
	fold("band", func(a, b uint32) uint32 { return a & b })
	fold("bor", func(a, b uint32) uint32 { return a | b })
	fold("bxor", func(a, b uint32) uint32 { return a ^ b })
	unary := func(name string, op func(a uint32) uint32) {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LNumber(int32(op(bitArg(L, 1, name)))))
			return 1
		}))
	}
	unary("tobit", func(a uint32) uint32 { return a })
	unary("bnot", func(a uint32) uint32 { return ^a })
	unary("bswap", func(a uint32) uint32 {
		return a>>24 | (a>>8)&0xff00 | (a&0xff00)<<8 | a<<24
	})
	shift := func(name string, op func(a uint32, n uint) uint32) {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			a := bitArg(L, 1, name)
			n := uint(bitArg(L, 2, name) & 31)
			L.Push(lua.LNumber(int32(op(a, n))))
			return 1
		}))
	}
	shift("lshift", func(a uint32, n uint) uint32 { return a << n })
	shift("rshift", func(a uint32, n uint) uint32 { return a >> n })
	shift("arshift", func(a uint32, n uint) uint32 { return uint32(int32(a) >> n) })
	shift("rol", func(a uint32, n uint) uint32 { return a<<n | a>>((32-n)&31) })
	shift("ror", func(a uint32, n uint) uint32 { return a>>n | a<<((32-n)&31) })
	t.RawSetString("tohex", L.NewFunction(func(L *lua.LState) int {
		b := bitArg(L, 1, "tohex")
		n := int32(8)
		if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
			n = int32(bitArg(L, 2, "tohex"))
		}
		digits := "0123456789abcdef"
		if n < 0 {
			n = -n
			digits = "0123456789ABCDEF"
		}
		if n > 8 {
			n = 8
		}
		var buf strings.Builder
		for i := int(n) - 1; i >= 0; i-- {
			buf.WriteByte(digits[(b>>(4*uint(i)))&15])
		}
		L.Push(lua.LString(buf.String()))
		return 1
	}))
	return t
}

// bitArg converts argument i as LuaBitOp does: the number is rounded to
// an integer and taken modulo 2^32.
func bitArg(L *lua.LState, i int, name string) uint32 {
	v := L.Get(i)
	var f float64
	switch v := v.(type) {
	case lua.LNumber:
		f = float64(v)
	case lua.LString:
		n, ok := toNumber(v)
		if !ok {
			argError(L, i, name, "number expected, got string")
		}
		f = n
	default:
		argError(L, i, name, "number expected, got "+typeName(v))
	}
	// Adding 2^52+2^51 and keeping the low word rounds to nearest even.
	return uint32(math.Float64bits(f + 6755399441055744.0))
}

func typeName(v lua.LValue) string {
	if v == lua.LNil {
		return "no value"
	}
	return v.Type().String()
}
