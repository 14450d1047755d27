// Package glob implements Redis-style glob matching.
//
// The matcher reproduces, byte for byte, the results of the stringmatchlen
// routine of Redis 7.0.15: the CVE-2022-36021 early exit that upstream 7.0
// has, plus the CVE-2024-31228 nesting limit that upstream added in 6.2.16,
// 7.2.6 and 7.4.1 and that Debian backported to its 7.0.15 packages. It is
// the matcher behind KEYS, SCAN ... MATCH, PSUBSCRIBE, PUBSUB CHANNELS,
// CONFIG GET (case-insensitive) and friends.
//
// Pattern syntax:
//
//   - '*' matches any run of bytes. Consecutive stars act as one, and a
//     pattern that ends in a star accepts whatever remains of the subject.
//   - '?' matches exactly one byte.
//   - '[...]' matches one byte from a set. A leading '^' negates the set.
//     Inside the set, "\x" stands for the byte x (compared case-sensitively
//     even in case-insensitive mode), "a-z" is an inclusive range (a range
//     written backwards, such as "z-a", is swapped), and any other byte
//     stands for itself. The first ']' closes the set, so "[]" is an empty
//     set and "[^]" matches any byte. A set that is never closed runs to the
//     end of the pattern.
//   - '\x' outside a set matches the byte x literally; a backslash that is
//     the final byte of the pattern matches a backslash.
//   - Every other byte matches itself.
//
// Quirks kept on purpose because Redis has them:
//
//   - An empty subject matches only the empty pattern: "*" does not match
//     "". (KEYS special-cases the exact pattern "*" before calling the
//     matcher; callers that want that shortcut must do it themselves.)
//   - Range bounds and the subject byte are compared as C signed chars, as
//     on the x86-64 builds of Redis: bytes 0x80-0xff sort below 0x00, so
//     "[a-\xff]" means the bytes 0xff..'a' (it includes 0x00-'a' and 0xff
//     but not 0x80-0xfe).
//   - Case folding is the C locale's tolower: only 'A'-'Z' fold. In a range
//     the bounds are swapped (if reversed) before they are folded, so in
//     case-insensitive mode "[Z-a]" matches nothing.
//   - Pathological patterns are cut short as Redis does: once the text after
//     some star fails to match at every remaining position of the subject,
//     the whole match fails without trying longer expansions of earlier stars
//     (this cannot change a result), and the text after more than 1000
//     nested stars is treated as not matching (this can: "a*" repeated 1002
//     times does not match a long run of 'a's). Both keep the running time
//     polynomial and the recursion depth bounded.
package glob

// maxNesting is how many stars deep the matcher recurses before it treats
// the rest of the pattern as not matching, as Redis does.
const maxNesting = 1000

// Match reports whether s matches the Redis glob pattern.
func Match(pattern, s []byte) bool {
	return match(pattern, s, false)
}

// MatchString reports whether s matches the Redis glob pattern.
func MatchString(pattern, s string) bool {
	return match(pattern, s, false)
}

// MatchNoCase reports whether s matches the Redis glob pattern, folding
// ASCII letters as Redis's case-insensitive mode does.
func MatchNoCase(pattern, s []byte) bool {
	return match(pattern, s, true)
}

// MatchStringNoCase is MatchNoCase for strings.
func MatchStringNoCase(pattern, s string) bool {
	return match(pattern, s, true)
}

type text interface{ ~string | ~[]byte }

// outcome is the result of matching a pattern suffix against a subject
// suffix.
type outcome uint8

const (
	// failed: no match here, but an earlier star may still try elsewhere.
	failed outcome = iota
	// matched: the whole remaining subject matched.
	matched
	// hopeless: a star exhausted the subject without finding a match for
	// the pattern after it. Trying longer expansions of any earlier star
	// only offers that same pattern suffix shorter subject suffixes, so the
	// whole match is known to fail.
	hopeless
)

// matcher holds the per-call settings. calls counts visits to matchFrom so
// the tests can check that pathological patterns stay polynomial.
type matcher struct {
	nocase bool
	calls  int
}

func match[P, S text](pattern P, s S, nocase bool) bool {
	m := matcher{nocase: nocase}
	return matchFrom(&m, pattern, s, 0) == matched
}

// matchFrom matches p against s; depth is the number of stars the caller
// chain has expanded.
func matchFrom[P, S text](m *matcher, p P, s S, depth int) outcome {
	m.calls++
	if depth > maxNesting {
		return failed
	}
	pi, si := 0, 0
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			// Skip to the last star of a run.
			for pi+1 < len(p) && p[pi+1] == '*' {
				pi++
			}
			if pi+1 == len(p) {
				return matched
			}
			// Let the star swallow 0, 1, 2, ... bytes, but always leave
			// at least one byte for the rest of the pattern.
			for ; si < len(s); si++ {
				if r := matchFrom(m, p[pi+1:], s[si:], depth+1); r != failed {
					return r
				}
			}
			return hopeless
		case '?':
		case '[':
			var ok bool
			pi, ok = matchSet(p, pi+1, s[si], m.nocase)
			if !ok {
				return failed
			}
		case '\\':
			if pi+1 < len(p) {
				pi++
			}
			if !sameByte(p[pi], s[si], m.nocase) {
				return failed
			}
		default:
			if !sameByte(p[pi], s[si], m.nocase) {
				return failed
			}
		}
		pi++
		si++
		if si == len(s) {
			// The subject is used up: trailing stars can match nothing.
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
		}
	}
	if pi == len(p) && si == len(s) {
		return matched
	}
	return failed
}

// matchSet evaluates the bracket expression whose body starts at p[pi]
// (just after the '[') against the subject byte c. It returns the index of
// the set's last byte (its ']', or the pattern's final byte when the set is
// never closed) and whether c is accepted.
func matchSet[P text](p P, pi int, c byte, nocase bool) (int, bool) {
	negate := pi < len(p) && p[pi] == '^'
	if negate {
		pi++
	}
	in := false
	for {
		if pi >= len(p) {
			// Unterminated: the end of the pattern closes the set.
			pi = len(p) - 1
			break
		}
		b := p[pi]
		if b == '\\' && pi+1 < len(p) {
			pi++
			if p[pi] == c {
				in = true
			}
		} else if b == ']' {
			break
		} else if pi+2 < len(p) && p[pi+1] == '-' {
			lo, hi, x := signed(b), signed(p[pi+2]), signed(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, x = foldInt(lo), foldInt(hi), foldInt(x)
			}
			if lo <= x && x <= hi {
				in = true
			}
			pi += 2
		} else if sameByte(b, c, nocase) {
			in = true
		}
		pi++
	}
	return pi, in != negate
}

// signed reinterprets b as a C (signed) char.
func signed(b byte) int { return int(int8(b)) }

func sameByte(a, b byte, nocase bool) bool {
	if a == b {
		return true
	}
	return nocase && fold(a) == fold(b)
}

// fold is the C locale's tolower.
func fold(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

func foldInt(v int) int {
	if 'A' <= v && v <= 'Z' {
		return v + ('a' - 'A')
	}
	return v
}
