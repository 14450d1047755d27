package script

import "github.com/ember-kv/ember/internal/rdb"

// FUNCTION DUMP and RESTORE payloads, byte-compatible with Redis 7.0's:
// for each library the RDB function opcode and its code as an RDB string
// (LZF-compressed when that saves space), then the RDB footer.

const (
	rdbOpcodeFunction = 246 // pre-GA format, refused
	rdbOpcodeFunc2    = 245
)

// RestorePolicy is FUNCTION RESTORE's policy.
type RestorePolicy int

// Restore policies.
const (
	RestoreAppend RestorePolicy = iota
	RestoreReplace
	RestoreFlush
)

// Dump serializes every library (with rdbcompression on).
func (e *Engine) Dump() []byte { return e.DumpWith(true) }

// DumpWith is Dump with rdbcompression given: when lzf is false the code
// strings are never LZF-compressed.
func (e *Engine) DumpWith(lzf bool) []byte {
	appendString := rdb.AppendStringNoLZF
	if lzf {
		appendString = rdb.AppendString
	}
	var b []byte
	for _, l := range e.Libraries() {
		b = append(b, rdbOpcodeFunc2)
		b = appendString(b, []byte(l.Code))
	}
	return rdb.AppendFooter(b)
}

// Restore loads the libraries of a FUNCTION DUMP payload; it returns ""
// or the error reply.
func (e *Engine) Restore(payload []byte, policy RestorePolicy) string {
	if !rdb.CheckFooter(payload) {
		return "ERR DUMP payload version or checksum are wrong"
	}
	r := rdb.NewReader(payload[:len(payload)-rdb.FooterLen])
	var libs []*Library
	seen := map[string]bool{}
	seenFn := map[string]bool{}
	for r.Remaining() > 0 {
		t, _ := r.Byte()
		if t != rdbOpcodeFunc2 && t != rdbOpcodeFunction {
			return "ERR given type is not a function"
		}
		if t == rdbOpcodeFunction {
			return "ERR Pre-GA function format not supported"
		}
		code, err := r.String()
		if err != nil {
			return "ERR Failed loading library payload"
		}
		e.mu.Lock()
		lib, msg := e.createLibraryNoTimeout(string(code))
		e.mu.Unlock()
		if msg != "" {
			return "ERR " + msg
		}
		if seen[lib.Name] {
			return "ERR Library '" + lib.Name + "' already exists"
		}
		for _, f := range lib.Functions {
			if seenFn[lowerName(f.Name)] {
				return "ERR Function " + f.Name + " already exists"
			}
			seenFn[lowerName(f.Name)] = true
		}
		seen[lib.Name] = true
		libs = append(libs, lib)
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	if policy == RestoreFlush {
		e.libs = newLibraries()
	}
	var replaced []*Library
	for _, l := range libs {
		if old := e.libs.libs[l.Name]; old != nil {
			if policy != RestoreReplace {
				e.relink(replaced)
				return "ERR Library " + l.Name + " already exists"
			}
			e.libs.unlink(old)
			replaced = append(replaced, old)
		}
	}
	for _, l := range libs {
		for _, f := range l.Functions {
			if e.libs.funcs[lowerName(f.Name)] != nil {
				e.relink(replaced)
				return "ERR Function " + f.Name + " already exists"
			}
		}
	}
	for _, l := range libs {
		e.libs.link(l)
	}
	return ""
}

func (e *Engine) relink(libs []*Library) {
	for _, l := range libs {
		e.libs.link(l)
	}
}

// createLibraryNoTimeout is createLibrary for payloads (no load timeout
// in Redis either).
func (e *Engine) createLibraryNoTimeout(code string) (*Library, string) {
	return e.createLibrary(code)
}

func lowerName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
