package script

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// cjson: the JSON library Redis bundles (lua-cjson 2.1), with its
// defaults: numbers with 14 significant digits, '/' escaped, an empty
// table encoded as {}, sparse arrays refused past ratio 2 (safe up to 10),
// 1000 levels of nesting each way, and cjson.null for JSON null.

type cjsonCfg struct {
	precision     int
	sparseConvert bool
	sparseRatio   int
	sparseSafe    int
	encodeDepth   int
	decodeDepth   int
	encodeInvalid bool
	decodeInvalid bool
}

func openCjson(L *lua.LState) *lua.LTable {
	cfg := &cjsonCfg{precision: 14, sparseRatio: 2, sparseSafe: 10, encodeDepth: 1000, decodeDepth: 1000, decodeInvalid: true}
	null := L.NewUserData()
	t := L.NewTable()
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			argError(L, 1, "encode", "expected 1 argument")
		}
		var b strings.Builder
		cjsonEncode(L, cfg, null, &b, L.Get(1), 0)
		L.Push(lua.LString(b.String()))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			argError(L, 1, "decode", "expected 1 argument")
		}
		s := L.CheckString(1)
		d := &jsonDecoder{L: L, cfg: cfg, s: s, null: null}
		v := d.value(0)
		d.skipSpace()
		tok := d.token()
		if tok.kind != tEnd {
			d.fail("the end", tok)
		}
		L.Push(v)
		return 1
	}))
	intOpt := func(name string, p *int, lo, hi int) {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
				n := L.CheckInt(1)
				if n < lo || n > hi {
					L.ArgError(1, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
				}
				*p = n
			}
			L.Push(lua.LNumber(*p))
			return 1
		}))
	}
	intOpt("encode_number_precision", &cfg.precision, 1, 14)
	intOpt("encode_max_depth", &cfg.encodeDepth, 1, math.MaxInt32)
	intOpt("decode_max_depth", &cfg.decodeDepth, 1, math.MaxInt32)
	boolOpt := func(name string, p *bool) {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
				*p = lua.LVAsBool(L.Get(1))
			}
			L.Push(lua.LBool(*p))
			return 1
		}))
	}
	boolOpt("encode_invalid_numbers", &cfg.encodeInvalid)
	boolOpt("decode_invalid_numbers", &cfg.decodeInvalid)
	keep := true
	boolOpt("encode_keep_buffer", &keep)
	t.RawSetString("encode_sparse_array", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
			cfg.sparseConvert = lua.LVAsBool(L.Get(1))
		}
		if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
			cfg.sparseRatio = L.CheckInt(2)
		}
		if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
			cfg.sparseSafe = L.CheckInt(3)
		}
		L.Push(lua.LBool(cfg.sparseConvert))
		L.Push(lua.LNumber(cfg.sparseRatio))
		L.Push(lua.LNumber(cfg.sparseSafe))
		return 3
	}))
	return t
}

func cjsonEncode(L *lua.LState, cfg *cjsonCfg, null lua.LValue, b *strings.Builder, v lua.LValue, depth int) {
	switch v := v.(type) {
	case lua.LString:
		jsonQuote(b, string(v))
	case lua.LNumber:
		cjsonNumber(L, cfg, b, float64(v))
	case lua.LBool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case *lua.LNilType:
		b.WriteString("null")
	case *lua.LTable:
		depth++
		if depth > cfg.encodeDepth {
			L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		n := cjsonArrayLen(L, cfg, v)
		if n > 0 {
			b.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b.WriteByte(',')
				}
				cjsonEncode(L, cfg, null, b, v.RawGetInt(i), depth)
			}
			b.WriteByte(']')
			return
		}
		b.WriteByte('{')
		first := true
		k, val := v.Next(lua.LNil)
		for k != lua.LNil {
			if !first {
				b.WriteByte(',')
			}
			first = false
			switch k := k.(type) {
			case lua.LString:
				jsonQuote(b, string(k))
			case lua.LNumber:
				b.WriteByte('"')
				cjsonNumber(L, cfg, b, float64(k))
				b.WriteByte('"')
			default:
				L.RaiseError("Cannot serialise %s: table key must be a number or string", k.Type().String())
			}
			b.WriteByte(':')
			cjsonEncode(L, cfg, null, b, val, depth)
			k, val = v.Next(k)
		}
		b.WriteByte('}')
	default:
		if v == null {
			b.WriteString("null")
			return
		}
		L.RaiseError("Cannot serialise %s: type not supported", v.Type().String())
	}
}

func cjsonNumber(L *lua.LState, cfg *cjsonCfg, b *strings.Builder, f float64) {
	if math.IsInf(f, 0) || f != f {
		if !cfg.encodeInvalid {
			L.RaiseError("Cannot serialise number: must not be NaN or Inf")
		}
	}
	b.WriteString(cFormatG(f, cfg.precision))
}

// cjsonArrayLen is the array length of t when every key is a positive
// integer (0 when empty or not an array); an excessively sparse array is
// an error.
func cjsonArrayLen(L *lua.LState, cfg *cjsonCfg, t *lua.LTable) int {
	max, items := 0, 0
	k, _ := t.Next(lua.LNil)
	for k != lua.LNil {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || math.Floor(float64(n)) != float64(n) {
			return -1
		}
		if int(n) > max {
			max = int(n)
		}
		items++
		k, _ = t.Next(k)
	}
	if cfg.sparseRatio > 0 && max > items*cfg.sparseRatio && max > cfg.sparseSafe {
		if !cfg.sparseConvert {
			L.RaiseError("Cannot serialise table: excessively sparse array")
		}
		return -1
	}
	return max
}

func jsonQuote(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// JSON tokens, named as lua-cjson names them in errors.
const (
	tObjBegin = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var tokenNames = []string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"}

type jsonToken struct {
	kind  int
	index int
	str   string
	num   float64
	b     bool
	err   string
}

type jsonDecoder struct {
	L    *lua.LState
	cfg  *cjsonCfg
	s    string
	pos  int
	null lua.LValue
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) fail(expected string, tok jsonToken) {
	found := tokenNames[tok.kind]
	if tok.kind == tError {
		found = tok.err
	}
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (d *jsonDecoder) token() jsonToken {
	d.skipSpace()
	t := jsonToken{index: d.pos}
	if d.pos >= len(d.s) {
		t.kind = tEnd
		return t
	}
	c := d.s[d.pos]
	switch c {
	case '{':
		d.pos++
		t.kind = tObjBegin
	case '}':
		d.pos++
		t.kind = tObjEnd
	case '[':
		d.pos++
		t.kind = tArrBegin
	case ']':
		d.pos++
		t.kind = tArrEnd
	case ':':
		d.pos++
		t.kind = tColon
	case ',':
		d.pos++
		t.kind = tComma
	case '"':
		return d.stringToken(t)
	default:
		rest := d.s[d.pos:]
		switch {
		case strings.HasPrefix(rest, "true"):
			d.pos += 4
			t.kind, t.b = tBoolean, true
		case strings.HasPrefix(rest, "false"):
			d.pos += 5
			t.kind = tBoolean
		case strings.HasPrefix(rest, "null"):
			d.pos += 4
			t.kind = tNull
		case c == '-' || (c >= '0' && c <= '9') || (d.cfg.decodeInvalid && isInvalidNumber(rest)):
			n, l := strtod(rest)
			if l == 0 {
				t.kind, t.err = tError, "invalid number"
				return t
			}
			d.pos += l
			t.kind, t.num = tNumber, n
		default:
			t.kind, t.err = tError, "invalid token"
		}
	}
	return t
}

func isInvalidNumber(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "inf") || strings.HasPrefix(l, "nan") || strings.HasPrefix(l, "-inf") || strings.HasPrefix(l, "-nan")
}

// strtod parses the longest number prefix of s as C's strtod does
// (decimal, hexadecimal, inf and nan); l is its length.
func strtod(s string) (f float64, l int) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	low := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(low, "infinity"):
		l = i + 8
	case strings.HasPrefix(low, "inf"):
		l = i + 3
	case strings.HasPrefix(low, "nan"):
		l = i + 3
	}
	if l > 0 {
		v, _ := strconv.ParseFloat(s[:l], 64)
		return v, l
	}
	if strings.HasPrefix(low, "0x") {
		j := i + 2
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		if j == i+2 {
			return 0, i + 1
		}
		n, _ := strconv.ParseUint(s[i+2:j], 16, 64)
		v := float64(n)
		if s[0] == '-' {
			v = -v
		}
		return v, j
	}
	j := i
	digits := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	v, err := strconv.ParseFloat(s[:j], 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, 0
	}
	return v, j
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (d *jsonDecoder) stringToken(t jsonToken) jsonToken {
	var b strings.Builder
	i := d.pos + 1
	for {
		if i >= len(d.s) {
			t.kind, t.err, t.index = tError, "unexpected end of string", i
			return t
		}
		c := d.s[i]
		if c == '"' {
			i++
			break
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(d.s) {
			t.kind, t.err, t.index = tError, "unexpected end of string", i+1
			return t
		}
		e := d.s[i+1]
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := decodeUnicodeEscape(d.s[i:])
			if n == 0 {
				t.kind, t.err, t.index = tError, "invalid unicode escape code", i
				return t
			}
			var buf [4]byte
			b.Write(buf[:utf8.EncodeRune(buf[:], r)])
			i += n
			continue
		default:
			t.kind, t.err, t.index = tError, "invalid escape code", i
			return t
		}
		i += 2
	}
	d.pos = i
	t.kind, t.str = tString, b.String()
	return t
}

// decodeUnicodeEscape decodes \uXXXX (and a following low surrogate);
// n is the bytes consumed, 0 when invalid.
func decodeUnicodeEscape(s string) (rune, int) {
	hex4 := func(s string) (rune, bool) {
		if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(s[2:6], 16, 32)
		return rune(n), err == nil
	}
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if r >= 0xdc00 && r <= 0xdfff {
		return 0, 0
	}
	if r >= 0xd800 && r <= 0xdbff {
		lo, ok := hex4(s[6:])
		if !ok || lo < 0xdc00 || lo > 0xdfff {
			return 0, 0
		}
		return 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00), 12
	}
	return r, 6
}

func (d *jsonDecoder) value(depth int) lua.LValue {
	tok := d.token()
	return d.valueFrom(tok, depth)
}

func (d *jsonDecoder) valueFrom(tok jsonToken, depth int) lua.LValue {
	L := d.L
	switch tok.kind {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tNull:
		return d.null
	case tObjBegin:
		depth++
		if depth > d.cfg.decodeDepth {
			L.RaiseError("Found too many nested data structures (%d) at character %d", depth, tok.index+1)
		}
		t := L.NewTable()
		k := d.token()
		if k.kind == tObjEnd {
			return t
		}
		for {
			if k.kind != tString {
				d.fail("object key string", k)
			}
			if c := d.token(); c.kind != tColon {
				d.fail("colon", c)
			}
			t.RawSetString(k.str, d.value(depth))
			n := d.token()
			if n.kind == tObjEnd {
				return t
			}
			if n.kind != tComma {
				d.fail("comma or object end", n)
			}
			k = d.token()
		}
	case tArrBegin:
		depth++
		if depth > d.cfg.decodeDepth {
			L.RaiseError("Found too many nested data structures (%d) at character %d", depth, tok.index+1)
		}
		t := L.NewTable()
		v := d.token()
		if v.kind == tArrEnd {
			return t
		}
		for i := 1; ; i++ {
			t.RawSetInt(i, d.valueFrom(v, depth))
			n := d.token()
			if n.kind == tArrEnd {
				return t
			}
			if n.kind != tComma {
				d.fail("comma or array end", n)
			}
			v = d.token()
		}
	}
	d.fail("value", tok)
	return lua.LNil
}
