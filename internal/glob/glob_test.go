package glob

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

type matchCase struct {
	pattern, s string
	nocase     bool
	want       bool
}

// Case-sensitive cases. TestRedisTable replays every one of these against a
// real redis-server when one is installed.
var exactCases = []matchCase{
	// Empty pattern and empty subject.
	{"", "", false, true},
	{"", "a", false, false},
	{"a", "", false, false},
	{"*", "", false, false}, // Redis: an empty subject only matches "".
	{"**", "", false, false},
	{"?", "", false, false},
	{"[", "", false, false},
	{"[^]", "", false, false},
	{"\\", "", false, false},

	// Literals.
	{"abc", "abc", false, true},
	{"abc", "abd", false, false},
	{"abc", "ab", false, false},
	{"ab", "abc", false, false},
	{"abc", "ABC", false, false},
	{"a", "a", false, true},
	{"a", "b", false, false},

	// '?'.
	{"?", "a", false, true},
	{"?", "ab", false, false},
	{"??", "ab", false, true},
	{"??", "a", false, false},
	{"h?llo", "hello", false, true},
	{"h?llo", "hllo", false, false},
	{"?*", "a", false, true},
	{"*?", "a", false, true},
	{"*?*", "a", false, true},
	{"*??", "a", false, false},
	{"*??", "ab", false, true},

	// '*'.
	{"*", "a", false, true},
	{"*", "abc", false, true},
	{"**", "abc", false, true},
	{"***", "x", false, true},
	{"a*", "a", false, true},
	{"a*", "abc", false, true},
	{"a*", "b", false, false},
	{"a*", "ba", false, false},
	{"*a", "a", false, true},
	{"*a", "ba", false, true},
	{"*a", "ab", false, false},
	{"*a", "aaa", false, true},
	{"a*b", "ab", false, true},
	{"a*b", "axxb", false, true},
	{"a*b", "axxbc", false, false},
	{"a*b", "abab", false, true},
	{"a**b", "ab", false, true},
	{"a*b*", "ab", false, true},
	{"a***", "a", false, true},
	{"a*?", "a", false, false},
	{"a*?", "ab", false, true},
	{"a*\\", "a", false, false},
	{"a*[", "a", false, false},
	{"*b*", "abc", false, true},
	{"*b*", "b", false, true},
	{"*b*", "ac", false, false},
	{"h*llo", "hllo", false, true},
	{"h*llo", "heeeello", false, true},
	{"h*llo", "hellow", false, false},
	{"a*c*e", "abcde", false, true},
	{"a*c*e", "abcdf", false, false},
	{"*.txt", "file.txt", false, true},
	{"*.txt", "file.txt.gz", false, false},
	{"a*a*a*b", "aaaa", false, false},
	{"a*a*a*b", "aaaab", false, true},
	{"*a*b*c*", "xaybzc", false, true},
	{"*a*b*c*", "xaybz", false, false},
	{"*a*b*c*", "cba", false, false},
	{"user:*:name", "user:42:name", false, true},
	{"user:*:name", "user:42:names", false, false},
	{"*x*", "xxx", false, true},
	{"*ab", "aab", false, true},
	{"*aab", "aaab", false, true},
	{"*aab", "abab", false, false},
	{"*?b", "ab", false, true},
	{"*?b", "b", false, false},

	// Sets.
	{"h[ae]llo", "hello", false, true},
	{"h[ae]llo", "hallo", false, true},
	{"h[ae]llo", "hillo", false, false},
	{"h[^e]llo", "hallo", false, true},
	{"h[^e]llo", "hello", false, false},
	{"h[a-b]llo", "hbllo", false, true},
	{"h[a-b]llo", "hcllo", false, false},
	{"[a-z]", "a", false, true},
	{"[a-z]", "z", false, true},
	{"[a-z]", "m", false, true},
	{"[a-z]", "A", false, false},
	{"[a-z]", "{", false, false},
	{"[a-a]", "a", false, true},
	{"[a-a]", "b", false, false},
	{"[^a-z]", "A", false, true},
	{"[^a-z]", "q", false, false},
	{"[a-cx-z]", "y", false, true},
	{"[a-cx-z]", "m", false, false},
	{"[abc]", "abc", false, false},
	{"[abc][abc]", "ca", false, true},
	{"[*]", "*", false, true},
	{"[*]", "a", false, false},
	{"[?]", "?", false, true},
	{"[?]", "a", false, false},
	{"[[]", "[", false, true},
	{"[[]", "a", false, false},
	{"[a^]", "^", false, true},
	{"[^^]", "^", false, false},
	{"[^^]", "a", false, true},
	{"[^]", "]", false, true}, // "[^]" is a negated empty set
	{"[^]", "a", false, true},
	{"[^]", "ab", false, false},
	{"[^]]", "a]", false, true},
	{"[^]]", "a", false, false},
	{"x[^]y", "x]y", false, true},

	// Reversed ranges are swapped.
	{"[b-a]", "a", false, true},
	{"[b-a]", "b", false, true},
	{"[b-a]", "c", false, false},
	{"[z-a]", "m", false, true},
	{"[z-a]", "A", false, false},
	{"[^z-a]", "A", false, true},
	{"[^z-a]", "m", false, false},
	{"[9-0]", "5", false, true},
	{"[9-0]", "a", false, false},

	// ']' right after '[' closes the set: "[]" is an empty set.
	{"[]", "]", false, false},
	{"[]", "a", false, false},
	{"[]]", "]", false, false},
	{"[]]", "]]", false, false},
	{"[]a]", "a]", false, false},
	{"[]-a]", "]-a]", false, false},
	{"a[]", "a", false, false},
	{"*[]*", "abc", false, false},

	// '-' at the edges of a set, and ranges that use ']' or '-' as a bound.
	{"[-a]", "-", false, true},
	{"[-a]", "a", false, true},
	{"[-a]", "b", false, false},
	{"[a-c-e]", "d", false, false},
	{"[a-c-e]", "-", false, true},
	{"[a-c-e]", "e", false, true},
	{"[--0]", "/", false, true},
	{"[--0]", "-", false, true},
	{"[--0]", "1", false, false},
	{"[a-]", "-", false, false}, // range ']'..'a', then unterminated
	{"[a-]", "]", false, true},
	{"[a-]", "^", false, true},
	{"[a-]", "a", false, true},
	{"[a-]", "b", false, false},
	{"[a-]x", "x", false, true}, // 'x' is still inside the set
	{"[a-]x", "]x", false, false},
	{"[x-]", "x", false, true},
	{"[x-]", "_", false, true},
	{"[x-]", "y", false, false},
	{"[x-]", "-", false, false},
	{"[a-\\]", "\\", false, true}, // range '\\'..'a', then ']'
	{"[a-\\]", "_", false, true},
	{"[a-\\]", "b", false, false},
	{"[a-\\]]", "a]", false, true},
	{"[\\-a]", "-", false, true}, // escaped '-', then literal 'a'
	{"[\\-a]", "a", false, true},
	{"[\\-a]", ".", false, false},

	// Escapes inside sets.
	{"[\\]]", "]", false, true},
	{"[\\]]", "\\", false, false},
	{"[\\\\]", "\\", false, true},
	{"[\\\\]", "a", false, false},
	{"[\\-]", "-", false, true},
	{"[\\a]", "a", false, true},
	{"[\\a]", "\\", false, false},
	{"[\\^a]", "^", false, true},
	{"[\\^a]", "b", false, false},
	{"[^\\]]", "]", false, false},
	{"[^\\]]", "a", false, true},
	{"[a\\-z]", "b", false, false},
	{"[a\\-z]", "-", false, true},
	{"[a\\-z]", "z", false, true},
	{"[\\a-z]", "m", false, false},
	{"[\\a-z]", "-", false, true},
	{"[\\*]", "*", false, true},

	// Unterminated sets run to the end of the pattern.
	{"[", "[", false, false},
	{"[", "a", false, false},
	{"[abc", "a", false, true},
	{"[abc", "c", false, true},
	{"[abc", "d", false, false},
	{"[abc", "ab", false, false},
	{"[^", "a", false, true},
	{"[^", "^", false, true},
	{"[^", "ab", false, false},
	{"[^a", "b", false, true},
	{"[^a", "a", false, false},
	{"[\\", "\\", false, true}, // a lone final backslash in a set is literal
	{"[\\", "a", false, false},
	{"[a\\", "\\", false, true},
	{"[a\\", "a", false, true},
	{"[a-", "a", false, true}, // too short to be a range
	{"[a-", "-", false, true},
	{"[a-", "b", false, false},
	{"a[b-", "ab", false, true},
	{"a[b-", "a-", false, true},
	{"a[b-", "ac", false, false},
	{"a[", "a", false, false},
	{"a[", "ab", false, false},
	{"a[^", "ab", false, true},
	{"*[", "ab", false, false},
	{"*[^", "ab", false, true},
	{"[*", "*", false, true},
	{"[*", "ab", false, false},

	// Escapes outside sets.
	{"\\*", "*", false, true},
	{"\\*", "a", false, false},
	{"\\*", "", false, false},
	{"\\?", "?", false, true},
	{"\\?", "a", false, false},
	{"\\[", "[", false, true},
	{"\\[a]", "[a]", false, true},
	{"\\]", "]", false, true},
	{"\\\\", "\\", false, true},
	{"\\\\", "\\\\", false, false},
	{"\\a", "a", false, true},
	{"\\a", "\\a", false, false},
	{"a\\*", "a*", false, true},
	{"a\\*", "ab", false, false},
	{"*\\*", "abc*", false, true},
	{"*\\*", "abc", false, false},
	{"\\*a", "*a", false, true},
	{"\\**", "*abc", false, true},
	{"\\**", "abc", false, false},

	// A trailing lone backslash matches a backslash.
	{"\\", "\\", false, true},
	{"\\", "a", false, false},
	{"a\\", "a\\", false, true},
	{"a\\", "a", false, false},
	{"[a]\\", "a\\", false, true},
	{"*\\", "abc\\", false, true},
	{"*\\", "abc", false, false},

	// Binary bytes.
	{"\x00", "\x00", false, true},
	{"\x00", "", false, false},
	{"?", "\x00", false, true},
	{"*", "\x00\xff", false, true},
	{"a\x00*", "a\x00b", false, true},
	{"a\x00*", "a\x01b", false, false},
	{"[\x00-\x05]", "\x03", false, true},
	{"[\x00-\x05]", "\x06", false, false},
	{"\xff*", "\xffabc", false, true},
	{"[\xe9]", "\xe9", false, true},
	{"\xc3\xa9", "\xc3\xa9", false, true},
	{"\xc3?", "\xc3\xa9", false, true},
	// Range bounds compare as signed chars: 0x80..0xff is -128..-1.
	{"[\x80-\xff]", "\x80", false, true},
	{"[\x80-\xff]", "\xff", false, true},
	{"[\x80-\xff]", "\x7f", false, false},
	{"[\x80-\xff]", "a", false, false},
	{"[a-\xff]", "\xff", false, true}, // means 0xff..'a'
	{"[a-\xff]", "a", false, true},
	{"[a-\xff]", "\x00", false, true},
	{"[a-\xff]", "\x80", false, false},
	{"[a-\xff]", "b", false, false},
	{"[\x7f-\x80]", "\xc0", false, true}, // -128..127: every byte
	{"[\x7f-\x80]", "a", false, true},
	{"[^\x80-\xff]", "a", false, true},
	{"[^\x80-\xff]", "\x90", false, false},
	{"[\x00-\x7f]", "\x80", false, false},
	{"[\xff-\x00]", "\xff", false, true},
	{"[\xff-\x00]", "\x00", false, true},
	{"[\xff-\x00]", "\x01", false, false},
	{"[\xff-\x00]", "\xfe", false, false},
}

// Case-insensitive cases (and their case-sensitive twins where the
// difference matters).
var noCaseCases = []matchCase{
	{"HELLO", "hello", true, true},
	{"HELLO", "hello", false, false},
	{"hello", "HeLLo", true, true},
	{"h?LLO", "Hello", true, true},
	{"*B*", "abc", true, true},
	{"*B*", "abc", false, false},
	{"", "", true, true},
	{"*", "", true, false},
	{"[A-Z]", "q", true, true},
	{"[A-Z]", "q", false, false},
	{"[a-z]", "Q", true, true},
	{"[^a-z]", "Q", true, false},
	{"[A]", "a", true, true},
	{"[a]", "A", true, true},
	{"[^A]", "a", true, false},
	{"[^A]", "b", true, true},
	// Escapes inside a set compare exactly, even in nocase mode.
	{"[\\A]", "a", true, false},
	{"[\\A]", "A", true, true},
	{"[\\a]", "A", true, false},
	// Escapes outside sets do fold.
	{"\\A", "a", true, true},
	{"\\a", "A", true, true},
	{"\\", "\\", true, true},
	// Ranges: swap first, then fold the bounds.
	{"[Z-a]", "Z", true, false}, // 'z'..'a' is empty
	{"[Z-a]", "Z", false, true},
	{"[Z-a]", "_", true, false},
	{"[Z-a]", "_", false, true},
	{"[a-Z]", "a", true, false},
	{"[a-Z]", "a", false, true},
	{"[@-B]", "a", true, true}, // '@'..'b'
	{"[@-B]", "a", false, false},
	{"[@-B]", "[", true, true},
	{"[@-B]", "A", true, true},
	{"[@-B]", "c", true, false},
	{"[Y-z]", "a", true, false}, // 'y'..'z'
	{"[Y-z]", "a", false, true},
	{"[Y-z]", "Z", true, true},
	{"[Y-z]", "y", true, true},
	{"[A-c]", "B", true, true},
	{"[A-c]", "d", true, false},
	// Only ASCII folds.
	{"\xc9", "\xe9", true, false},
	{"\xc9", "\xc9", true, true},
	{"[\xc0-\xdf]", "\xe0", true, false},
	{"@", "`", true, false},
	{"[", "[", true, false},
	{"[^", "A", true, true},
	{"[A", "a", true, true},
	{"[a-", "A", true, true},
}

func TestMatchTable(t *testing.T) {
	all := append(append([]matchCase(nil), exactCases...), noCaseCases...)
	for _, c := range all {
		var got bool
		if c.nocase {
			got = MatchNoCase([]byte(c.pattern), []byte(c.s))
			if gs := MatchStringNoCase(c.pattern, c.s); gs != got {
				t.Errorf("MatchStringNoCase(%q, %q) = %v, MatchNoCase = %v", c.pattern, c.s, gs, got)
			}
		} else {
			got = Match([]byte(c.pattern), []byte(c.s))
			if gs := MatchString(c.pattern, c.s); gs != got {
				t.Errorf("MatchString(%q, %q) = %v, Match = %v", c.pattern, c.s, gs, got)
			}
		}
		if got != c.want {
			t.Errorf("match(%q, %q, nocase=%v) = %v, want %v", c.pattern, c.s, c.nocase, got, c.want)
		}
		if ref := refMatch([]byte(c.pattern), []byte(c.s), c.nocase); ref != c.want {
			t.Errorf("refMatch(%q, %q, nocase=%v) = %v, want %v", c.pattern, c.s, c.nocase, ref, c.want)
		}
	}
	t.Logf("%d table cases", len(all))
}

// Case-insensitive matching of a pattern without letters in ranges must
// agree with matching both sides lower-cased.
func TestNoCaseFolds(t *testing.T) {
	for _, c := range exactCases {
		if strings.ContainsAny(c.pattern, "-\\") || !isASCII(c.pattern) || !isASCII(c.s) {
			continue
		}
		lp, ls := strings.ToLower(c.pattern), strings.ToLower(c.s)
		up := strings.ToUpper(c.pattern)
		want := MatchString(lp, ls)
		if got := MatchStringNoCase(up, c.s); got != want {
			t.Errorf("MatchStringNoCase(%q, %q) = %v, want %v", up, c.s, got, want)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// countedMatch runs the matcher and reports how many times it entered
// matchFrom.
func countedMatch(pattern, s string) (bool, int) {
	m := matcher{}
	return matchFrom(&m, pattern, s, 0) == matched, m.calls
}

// callBound is a structural bound on matchFrom calls: every level of star
// expansion tries each subject offset at most once, and only one attempt per
// level goes deeper.
func callBound(pattern, s string) int {
	levels := min(strings.Count(pattern, "*"), maxNesting+1)
	return 1 + (levels+1)*(len(s)+1)
}

func TestPathological(t *testing.T) {
	long := strings.Repeat("a", 50000)
	cases := []struct {
		pattern, s string
		want       bool
	}{
		// The CVE-2022-36021 reproducer: exponential without pruning.
		{strings.Repeat("a*", 20) + "b", strings.Repeat("a", 60), false},
		{strings.Repeat("a*", 40) + "b", strings.Repeat("a", 5000), false},
		{strings.Repeat("*a", 40) + "b", strings.Repeat("a", 5000), false},
		{strings.Repeat("a*", 40) + "b", strings.Repeat("a", 5000) + "b", true},
		{strings.Repeat("*?", 40) + "b", strings.Repeat("a", 5000), false},
		{strings.Repeat("*[a-z]", 40) + "!", strings.Repeat("ab", 2000), false},
		{strings.Repeat("*\\a", 40) + "*b", strings.Repeat("a", 5000), false},
		// The CVE-2024-31228 reproducer: the nesting limit gives up.
		{strings.Repeat("*?", 50000), long, false},
		{strings.Repeat("*?", 999), long, true},
		{strings.Repeat("?*", 50000), long, false},
		// The limit is exactly 1000 nested stars: 1001 stars in "a*"*1001
		// recurse 1000 deep (the last star is trailing), 1002 recurse 1001.
		{strings.Repeat("a*", 1001), strings.Repeat("a", 1100), true},
		{strings.Repeat("a*", 1002), strings.Repeat("a", 1100), false},
		{strings.Repeat("a*", 1002), strings.Repeat("a", 1002), false},
		// Consecutive stars collapse and do not count as nesting.
		{strings.Repeat("*", 100000) + "b", strings.Repeat("a", 1000) + "b", true},
		{"a" + strings.Repeat("*", 100000), "a", true},
		{strings.Repeat("*", 100000), long, true},
	}
	for i, c := range cases {
		got, calls := countedMatch(c.pattern, c.s)
		if got != c.want {
			t.Errorf("case %d: match = %v, want %v", i, got, c.want)
		}
		if bound := callBound(c.pattern, c.s); calls > bound {
			t.Errorf("case %d: %d calls, bound %d", i, calls, bound)
		}
		if b := Match([]byte(c.pattern), []byte(c.s)); b != c.want {
			t.Errorf("case %d: Match = %v, want %v", i, b, c.want)
		}
	}
}

func TestNoAlloc(t *testing.T) {
	deep := []byte(strings.Repeat("a*", 1002))
	long := []byte(strings.Repeat("a", 1100))
	inputs := []struct{ p, s []byte }{
		{[]byte("h[a-e]l*o\\*"), []byte("hello*")},
		{[]byte("*a*b*c*[^x]"), []byte("xxaxxbxxcxxy")},
		{[]byte(strings.Repeat("a*", 30) + "b"), []byte(strings.Repeat("a", 200))},
		{deep, long},
	}
	for _, in := range inputs {
		ps, ss := string(in.p), string(in.s)
		n := testing.AllocsPerRun(50, func() {
			Match(in.p, in.s)
			MatchNoCase(in.p, in.s)
			MatchString(ps, ss)
			MatchStringNoCase(ps, ss)
		})
		if n != 0 {
			t.Errorf("pattern %.20q: %v allocations per run", in.p, n)
		}
	}
}

// ---- Reference implementation -------------------------------------------
//
// refMatch is written independently from the semantics: it first compiles
// the pattern into tokens (with every set evaluated into a 256-entry table),
// then backtracks naively, letting a star take every possible length. It has
// neither the early-exit pruning nor the nesting limit, so it is only used on
// short inputs.

type refKind uint8

const (
	refByte refKind = iota // one exact (or folded) byte
	refAny                 // '?'
	refStar                // a run of '*'
	refSet                 // a bracket expression
)

type refToken struct {
	kind refKind
	b    byte
	set  *[256]bool
}

func refLower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}

func refCompile(p []byte, nocase bool) []refToken {
	var toks []refToken
	for i := 0; i < len(p); {
		switch c := p[i]; {
		case c == '*':
			for i < len(p) && p[i] == '*' {
				i++
			}
			toks = append(toks, refToken{kind: refStar})
		case c == '?':
			toks = append(toks, refToken{kind: refAny})
			i++
		case c == '\\' && i+1 < len(p):
			toks = append(toks, refToken{kind: refByte, b: p[i+1]})
			i += 2
		case c == '[':
			set, next := refCompileSet(p, i+1, nocase)
			toks = append(toks, refToken{kind: refSet, set: set})
			i = next
		default:
			toks = append(toks, refToken{kind: refByte, b: c})
			i++
		}
	}
	return toks
}

// refCompileSet parses the set body starting at p[i] and returns its
// membership table and the index just past the set.
func refCompileSet(p []byte, i int, nocase bool) (*[256]bool, int) {
	type item struct {
		exact    bool // escaped: compared without folding
		lo, hi   byte
		isRange  bool
		literalB byte
	}
	var items []item
	negate := false
	if i < len(p) && p[i] == '^' {
		negate = true
		i++
	}
	end := len(p)
loop:
	for i < len(p) {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			items = append(items, item{exact: true, literalB: p[i+1]})
			i += 2
		case p[i] == ']':
			end = i + 1
			break loop
		case i+2 < len(p) && p[i+1] == '-':
			items = append(items, item{isRange: true, lo: p[i], hi: p[i+2]})
			i += 3
		default:
			items = append(items, item{literalB: p[i]})
			i++
		}
	}
	set := new([256]bool)
	for v := range 256 {
		c := byte(v)
		hit := false
		for _, it := range items {
			switch {
			case it.exact:
				hit = hit || c == it.literalB
			case it.isRange:
				// C chars are signed on x86-64.
				lo, hi, x := int(int8(it.lo)), int(int8(it.hi)), int(int8(c))
				if hi < lo {
					lo, hi = hi, lo
				}
				if nocase {
					lo, hi, x = refLower(lo), refLower(hi), refLower(x)
				}
				hit = hit || (x >= lo && x <= hi)
			case nocase:
				hit = hit || refLower(int(c)) == refLower(int(it.literalB))
			default:
				hit = hit || c == it.literalB
			}
		}
		set[v] = hit != negate
	}
	return set, end
}

func refMatch(p, s []byte, nocase bool) bool {
	if len(s) == 0 {
		// Redis never enters its matching loop for an empty subject.
		return len(p) == 0
	}
	return refBacktrack(refCompile(p, nocase), s, nocase)
}

func refBacktrack(toks []refToken, s []byte, nocase bool) bool {
	if len(toks) == 0 {
		return len(s) == 0
	}
	t := toks[0]
	if t.kind == refStar {
		for k := 0; k <= len(s); k++ {
			if refBacktrack(toks[1:], s[k:], nocase) {
				return true
			}
		}
		return false
	}
	if len(s) == 0 {
		return false
	}
	switch t.kind {
	case refByte:
		if t.b != s[0] && !(nocase && refLower(int(t.b)) == refLower(int(s[0]))) {
			return false
		}
	case refSet:
		if !t.set[s[0]] {
			return false
		}
	}
	return refBacktrack(toks[1:], s[1:], nocase)
}

// TestAgainstReference compares with the reference on random inputs drawn
// from a metacharacter-heavy alphabet, which the byte-level fuzzer rarely
// produces on its own.
func TestAgainstReference(t *testing.T) {
	const alphabet = "***??[[[]]]^^--\\\\aabAB_@Z`\x00\x7f\x80\xff"
	n := 200000
	if testing.Short() {
		n = 20000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(max int) []byte {
		b := make([]byte, rng.IntN(max+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for range n {
		p, s, nocase := gen(12), gen(8), rng.IntN(2) == 0
		if bytes.Count(p, []byte("*")) > 6 {
			continue
		}
		got := Match(p, s)
		if nocase {
			got = MatchNoCase(p, s)
		}
		if want := refMatch(p, s, nocase); got != want {
			t.Fatalf("match(%q, %q, nocase=%v) = %v, reference says %v", p, s, nocase, got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, c := range exactCases {
		f.Add([]byte(c.pattern), []byte(c.s), false)
	}
	for _, c := range noCaseCases {
		f.Add([]byte(c.pattern), []byte(c.s), c.nocase)
	}
	f.Fuzz(func(t *testing.T, pattern, s []byte, nocase bool) {
		var got bool
		if nocase {
			got = MatchNoCase(pattern, s)
			if gs := MatchStringNoCase(string(pattern), string(s)); gs != got {
				t.Fatalf("MatchStringNoCase(%q, %q) = %v, MatchNoCase = %v", pattern, s, gs, got)
			}
		} else {
			got = Match(pattern, s)
			if gs := MatchString(string(pattern), string(s)); gs != got {
				t.Fatalf("MatchString(%q, %q) = %v, Match = %v", pattern, s, gs, got)
			}
		}
		m := matcher{nocase: nocase}
		if r := matchFrom(&m, pattern, s, 0) == matched; r != got {
			t.Fatalf("matchFrom(%q, %q) = %v, Match = %v", pattern, s, r, got)
		}
		if bound := callBound(string(pattern), string(s)); m.calls > bound {
			t.Fatalf("match(%q, %q): %d calls, bound %d", pattern, s, m.calls, bound)
		}
		// Case-insensitive matching equals case-sensitive matching of
		// lower-cased inputs when no range or escape is involved.
		if ap, as := asciiOnly(pattern), asciiOnly(s); !bytes.ContainsAny(ap, "-\\") {
			if lc, nc := Match(bytes.ToLower(ap), bytes.ToLower(as)), MatchNoCase(ap, as); lc != nc {
				t.Fatalf("nocase(%q, %q) = %v, lower-cased = %v", ap, as, nc, lc)
			}
		}
		if len(pattern) > 24 || len(s) > 24 || bytes.Count(pattern, []byte("*")) > 6 {
			return
		}
		if want := refMatch(pattern, s, nocase); got != want {
			t.Fatalf("match(%q, %q, nocase=%v) = %v, reference says %v", pattern, s, nocase, got, want)
		}
	})
}

// asciiOnly masks off the high bit so that bytes.ToLower (which is Unicode
// aware) folds exactly the bytes the C locale folds.
func asciiOnly(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c & 0x7f
	}
	return out
}

// Example-style sanity check of the string API.
func TestMatchStringAPI(t *testing.T) {
	for i, c := range []struct {
		p, s string
		want bool
	}{
		{"news.*", "news.sport", true},
		{"news.*", "new.sport", false},
		{"__keyspace@0__:*", "__keyspace@0__:42", true},
		{"__key*@*__:*", "__keyevent@0__:del", true},
	} {
		if got := MatchString(c.p, c.s); got != c.want {
			t.Errorf("%d: MatchString(%q, %q) = %v, want %v", i, c.p, c.s, got, c.want)
		}
	}
}
