package resp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// splitCases were checked against redis-server 7.0.15 by sending
// "RPUSH k x <line>" inline and reading the list back. nil want means
// "unbalanced quotes in request".
var splitCases = []struct {
	line string
	want []string
}{
	{"", []string{}},
	{"   ", []string{}},
	{"a b c", []string{"a", "b", "c"}},
	{"  a   b  ", []string{"a", "b"}},
	{"\t\ta\t", []string{"a"}},
	{`"hello world"`, []string{"hello world"}},
	{`'hello world'`, []string{"hello world"}},
	{`"a\"b"`, []string{`a"b`}},
	{`'a\'b'`, []string{`a'b`}},
	{`'a\\b'`, []string{`a\\b`}},
	{`"\x41\x4a\x4A"`, []string{"AJJ"}},
	{`"\x4"`, []string{"x4"}},
	{`"\xZZ"`, []string{"xZZ"}},
	{`"\x"`, []string{"x"}},
	{`"\X41"`, []string{"X41"}},
	{`"\xg1"`, []string{"xg1"}},
	{`"\x00"`, []string{"\x00"}},
	{`"\n\r\t\b\a\z\\"`, []string{"\n\r\t\b\az\\"}},
	{`"\\"`, []string{`\`}},
	{`"unterminated`, nil},
	{`'unterminated`, nil},
	{`"a"b`, nil},
	{`'a'b`, nil},
	{`"a" b`, []string{"a", "b"}},
	{"\"a\"\tb", []string{"a", "b"}},
	{"\"a\"\fb", []string{"a", "b"}},
	{"'a'\vb", []string{"a", "b"}},
	{`a"b c"d`, nil},
	{`x"y"z`, nil},
	{`a"b c"`, []string{"ab c"}},
	{`a'b c'`, []string{"ab c"}},
	{`a""`, []string{"a"}},
	{`a''b`, nil},
	{`''b`, nil},
	{`""`, []string{""}},
	{`''`, []string{""}},
	{`"" ""`, []string{"", ""}},
	{`a  "b"`, []string{"a", "b"}},
	{`"a"  `, []string{"a"}},
	// \v and \f separate arguments only between them, not inside one.
	{"a\vb", []string{"a\vb"}},
	{"\va", []string{"a"}},
	{"a\fb", []string{"a\fb"}},
	{"a\rb", []string{"a", "b"}},
	{"\"a\rb\"", []string{"a\rb"}},
	{`"a\`, nil},
	{`"\`, nil},
	{`'\`, nil},
	{`'\'`, nil},
	{`'\\'`, nil},
	{`'\''`, []string{"'"}},
	{"\xff\xfe", []string{"\xff\xfe"}},
	// The line ends at a NUL byte, as a C string does (unreachable from
	// the inline protocol, where a NUL hides the line end).
	{"a\x00b c", []string{"a"}},
	{"\"a\x00b", nil},
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range splitCases {
		line := []byte(tc.line)
		args, ok := SplitArgs(line, nil)
		if tc.want == nil {
			if ok {
				t.Errorf("SplitArgs(%q) = %q, want unbalanced quotes", tc.line, args)
			}
			continue
		}
		if !ok {
			t.Errorf("SplitArgs(%q): unbalanced quotes, want %q", tc.line, tc.want)
			continue
		}
		if got := strs(args); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

// TestSplitArgsCapped checks that appending to one argument never
// overwrites the next one.
func TestSplitArgsCapped(t *testing.T) {
	args, ok := SplitArgs([]byte(`ab "c d" e`), nil)
	if !ok || len(args) != 3 {
		t.Fatalf("got %q %v", args, ok)
	}
	_ = append(args[0], "XXXXXXXX"...)
	_ = append(args[1], "XXXXXXXX"...)
	if got := strs(args); strings.Join(got, "|") != "ab|c d|e" {
		t.Fatalf("arguments clobbered: %q", got)
	}
}

func TestSplitArgsReusesSlice(t *testing.T) {
	buf := make([][]byte, 0, 8)
	line := []byte("a b c")
	allocs := testing.AllocsPerRun(100, func() {
		copy(line, "a b c")
		args, _ := SplitArgs(line, buf[:0])
		if len(args) != 3 {
			t.Fatal(args)
		}
	})
	if allocs != 0 {
		t.Fatalf("SplitArgs allocated %v times", allocs)
	}
}

// quoteArg renders s so that SplitArgs reads it back as one argument.
func quoteArg(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func FuzzSplitArgs(f *testing.F) {
	for _, tc := range splitCases {
		f.Add([]byte(tc.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		args, ok := SplitArgs(line, nil)
		ref, refOK := refSplitArgs(orig)
		if ok != refOK {
			t.Fatalf("SplitArgs(%q) ok=%v, reference %v", orig, ok, refOK)
		}
		if !ok {
			return
		}
		got := strs(args)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", ref) {
			t.Fatalf("SplitArgs(%q) = %q, reference %q", orig, got, ref)
		}
		// Quoting every argument and splitting again gives them back.
		q := make([]string, len(got))
		for i, a := range got {
			q[i] = quoteArg(a)
		}
		again, ok := SplitArgs([]byte(strings.Join(q, " ")), nil)
		if !ok || fmt.Sprintf("%q", strs(again)) != fmt.Sprintf("%q", got) {
			t.Fatalf("re-split of %q = %q %v", got, strs(again), ok)
		}
	})
}

// refSplitArgs is an independent, allocation-happy model of the splitting
// rules: a state machine over runes of the grammar, building new strings.
func refSplitArgs(line []byte) ([]string, bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	blank := func(c byte) bool { return strings.IndexByte(" \t\n\v\f\r", c) >= 0 }
	hex := func(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }
	out := []string{}
	p := 0
	at := func(i int) byte { // 0 past the end, like a C string
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	for {
		for p < len(line) && blank(line[p]) {
			p++
		}
		if p >= len(line) {
			return out, true
		}
		var cur []byte
		mode := 0 // 0 bare, 1 double quotes, 2 single quotes
	token:
		for {
			c := at(p)
			switch mode {
			case 0:
				switch c {
				case 0, ' ', '\t', '\n', '\r':
					break token
				case '"':
					mode = 1
				case '\'':
					mode = 2
				default:
					cur = append(cur, c)
				}
				p++
			case 1:
				switch {
				case c == 0:
					return nil, false
				case c == '\\' && at(p+1) == 'x' && hex(at(p+2)) && hex(at(p+3)):
					var v byte
					fmt.Sscanf(string(line[p+2:p+4]), "%x", &v)
					cur = append(cur, v)
					p += 4
				case c == '\\' && at(p+1) != 0:
					e := at(p + 1)
					if i := strings.IndexByte("nrtba", e); i >= 0 {
						e = "\n\r\t\b\a"[i]
					}
					cur = append(cur, e)
					p += 2
				case c == '"':
					if at(p+1) != 0 && !blank(at(p+1)) {
						return nil, false
					}
					p++
					break token
				default:
					cur = append(cur, c)
					p++
				}
			case 2:
				switch {
				case c == 0:
					return nil, false
				case c == '\\' && at(p+1) == '\'':
					cur = append(cur, '\'')
					p += 2
				case c == '\'':
					if at(p+1) != 0 && !blank(at(p+1)) {
						return nil, false
					}
					p++
					break token
				default:
					cur = append(cur, c)
					p++
				}
			}
		}
		out = append(out, string(cur))
	}
}

func strs(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}
