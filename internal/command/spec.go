// Package command holds Ember's command table: one Spec per Redis command,
// as data. The dispatcher enforces arity, flags and key rules from it, and
// COMMAND (INFO, DOCS, COUNT, LIST, GETKEYS) renders it.
package command

import (
	"bytes"
	"strings"
)

// Flag is a command flag, as Redis reports it in COMMAND INFO.
type Flag uint64

// Command flags. The order is the order in which COMMAND INFO lists them.
const (
	Write Flag = 1 << iota
	ReadOnly
	DenyOOM
	Module
	Admin
	PubSub
	NoScript
	Blocking
	Loading
	Stale
	SkipMonitor
	SkipSlowlog
	Asking
	Fast
	NoAuth
	MayReplicate
	NoMandatoryKeys
	NoMulti
	MovableKeys // computed from the key specs; never set by hand
	AllowBusy

	// Flags below are Ember's own and never shown to clients.

	// AllKeys marks a command that may touch any key of any database (KEYS,
	// FLUSHALL, SORT ... BY, EXEC): the dispatcher gives it the whole keyspace.
	AllKeys
	// Protected marks a command that a directive must allow (DEBUG:
	// enable-debug-command, MODULE: enable-module-command). Redis has this
	// flag too but leaves it out of COMMAND INFO.
	Protected
	// NoAsyncLoading is Redis's no_async_loading (shown by COMMAND INFO).
	NoAsyncLoading
	// MayWait marks a command that, without being blocking, may keep its
	// connection waiting (a script until it ends or SCRIPT KILL, the
	// subscriber and monitor modes, DEBUG SLEEP, SHUTDOWN, WAIT): an event
	// loop hands such a connection to a goroutine of its own first.
	MayWait
)

var flagNames = []string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript",
	"blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking",
	"fast", "no_auth", "may_replicate", "no_mandatory_keys", "no_multi",
	"movablekeys", "allow_busy",
}

// Names lists the flag names in COMMAND INFO order.
func (f Flag) Names() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Category is a set of ACL categories.
type Category uint64

// ACL categories in Redis's order.
const (
	CatKeyspace Category = 1 << iota
	CatRead
	CatWrite
	CatSet
	CatSortedSet
	CatList
	CatHash
	CatString
	CatBitmap
	CatHyperLogLog
	CatGeo
	CatStream
	CatPubSub
	CatAdmin
	CatFast
	CatSlow
	CatBlocking
	CatDangerous
	CatConnection
	CatTransaction
	CatScripting
)

// CategoryNames are the ACL category names, without '@', in bit order.
var CategoryNames = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting",
}

// Names lists the categories as "@name", in Redis's order.
func (c Category) Names() []string {
	var out []string
	for i, n := range CategoryNames {
		if c&(1<<i) != 0 {
			out = append(out, "@"+n)
		}
	}
	return out
}

// KeyFlag is a key-spec flag.
type KeyFlag uint16

// Key-spec flags, in COMMAND INFO order.
const (
	KeyRO KeyFlag = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = []string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"}

// Names lists the key-spec flag names in COMMAND INFO order.
func (f KeyFlag) Names() []string {
	var out []string
	for i, n := range keyFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// KeySpec says where a command's keys are, as Redis 7 key specifications:
// a begin search (an argument index, or a keyword) and a find-keys rule (a
// range, or a count argument followed by the keys).
type KeySpec struct {
	Notes string
	Flags KeyFlag

	// Begin search. Index > 0 selects "index"; otherwise Keyword selects
	// "keyword", searched from StartFrom (negative: from the end, backwards);
	// neither means "unknown".
	Index     int
	Keyword   string
	StartFrom int

	// Find keys. KeyNum selects "keynum" (NumIdx, FirstKey, Step);
	// otherwise "range" (LastKey, Step, Limit). Unknown means "unknown".
	KeyNum   bool
	NumIdx   int
	FirstKey int
	LastKey  int
	Step     int
	Limit    int
	Unknown  bool
}

// firstKey is the key spec of the commonest command shape: one key, the
// first argument.
func firstKey(flags KeyFlag) []KeySpec {
	return []KeySpec{{Flags: flags, Index: 1, LastKey: 0, Step: 1}}
}

// MemberSpec says which arguments of a command on a collection (a set, a
// hash, a sorted set) are members (fields) that it looks up in its key's
// collection. The zero value means none. Like KeySpec's range, the members
// run from First to Last by Step; an argument past the end is left out.
type MemberSpec struct {
	// First is the index of the first member; 0 means the command has no
	// members.
	First int
	// Last is the last member relative to First, as KeySpec's LastKey: 0
	// is the member at First alone, -1 the last argument, -2 the one before.
	Last int
	// Step is the distance from one member to the next: 1, or 2 for
	// field/value and score/member pairs. 0 counts as 1.
	Step int
	// Options are words, matched case-insensitively, that may come from
	// index 2 (right after the key) before the members, as ZADD's NX and
	// CH; each one found moves the members one argument on.
	Options []string
}

// Group is the redis.io command group.
type Group string

// Command groups.
const (
	GroupGeneric      Group = "generic"
	GroupString       Group = "string"
	GroupBitmap       Group = "bitmap"
	GroupList         Group = "list"
	GroupSet          Group = "set"
	GroupSortedSet    Group = "sorted-set"
	GroupHash         Group = "hash"
	GroupPubSub       Group = "pubsub"
	GroupTransactions Group = "transactions"
	GroupConnection   Group = "connection"
	GroupServer       Group = "server"
	GroupScripting    Group = "scripting"
	GroupHyperLogLog  Group = "hyperloglog"
	GroupCluster      Group = "cluster"
	GroupGeo          Group = "geo"
	GroupStream       Group = "stream"
)

// Spec is one command (or subcommand) as data.
type Spec struct {
	// Name is the lower-case name; a subcommand's is "parent|sub".
	Name string
	// Arity is Redis's arity: N means exactly N arguments including the
	// name, -N means at least N.
	Arity    int
	Flags    Flag
	ACL      Category // explicit categories; Categories adds the implied ones
	KeySpecs []KeySpec
	Tips     []string
	Group    Group
	Since    string
	Summary  string
	// Complexity is the documented time complexity.
	Complexity string
	Subs       []*Spec
	// GetKeys overrides key extraction for commands whose keys the key
	// specs cannot fully describe (e.g. SORT ... STORE).
	GetKeys func(args [][]byte) ([]int, bool)
	// Members says which arguments are members of the key's collection;
	// the server warms them with the key before the command runs.
	Members MemberSpec

	// Set by the table.
	ID       int
	Parent   *Spec
	subIndex map[string]*Spec
	legacy   struct{ first, last, step int }
}

// FullName is the name as Redis's errors show it: "get", "config|get".
func (s *Spec) FullName() string { return s.Name }

// SubName is the subcommand part of a "parent|sub" name.
func (s *Spec) SubName() string {
	if i := strings.IndexByte(s.Name, '|'); i >= 0 {
		return s.Name[i+1:]
	}
	return s.Name
}

// Categories returns the ACL categories, including the ones Redis implies
// from the flags (write → @write, admin → @admin @dangerous, not fast → @slow).
func (s *Spec) Categories() Category {
	c := s.ACL
	if s.Flags&Write != 0 {
		c |= CatWrite
	}
	if s.Flags&ReadOnly != 0 && c&CatScripting == 0 {
		c |= CatRead
	}
	if s.Flags&Admin != 0 {
		c |= CatAdmin | CatDangerous
	}
	if s.Flags&PubSub != 0 {
		c |= CatPubSub
	}
	if s.Flags&Fast != 0 {
		c |= CatFast
	}
	if s.Flags&Blocking != 0 {
		c |= CatBlocking
	}
	if c&CatFast == 0 {
		c |= CatSlow
	}
	return c
}

// Sub finds a subcommand by name, case-insensitively.
func (s *Spec) Sub(name []byte) *Spec {
	if s.subIndex == nil {
		return nil
	}
	var tmp [32]byte
	if len(name) > len(tmp) {
		return nil
	}
	return s.subIndex[string(lower(tmp[:0], name))]
}

// LegacyRange returns the first key, last key and step reported by COMMAND
// INFO, derived from the key specs as Redis derives them.
func (s *Spec) LegacyRange() (first, last, step int) {
	return s.legacy.first, s.legacy.last, s.legacy.step
}

// finish derives the legacy key range and the movablekeys flag.
func (s *Spec) finish() {
	specs := s.KeySpecs
	if len(specs) == 0 {
		return
	}
	plain := func(k *KeySpec) bool { return k.Index > 0 && !k.KeyNum && !k.Unknown }
	if len(specs) == 1 && plain(&specs[0]) {
		k := &specs[0]
		s.setLegacy(k.Index, k.LastKey, k.Step)
		if k.Flags&KeyIncomplete != 0 {
			s.Flags |= MovableKeys
		}
		return
	}
	first, last, prevLast := int(^uint(0)>>1), 0, 0
	for i := range specs {
		k := &specs[i]
		if !plain(k) {
			s.Flags |= MovableKeys
			continue
		}
		if k.Step != 1 || (prevLast != 0 && prevLast != k.Index-1) {
			s.Flags |= MovableKeys
			continue
		}
		if k.Flags&KeyIncomplete != 0 {
			s.Flags |= MovableKeys
		}
		first = min(first, k.Index)
		abs := k.LastKey
		if abs >= 0 {
			abs += k.Index
		}
		if uint(abs) > uint(last) {
			last = abs
		}
		prevLast = last
	}
	if first == int(^uint(0)>>1) {
		return
	}
	if last >= 0 {
		last -= first
	}
	s.setLegacy(first, last, 1)
}

func (s *Spec) setLegacy(index, lastKey, step int) {
	s.legacy.first = index
	if lastKey < 0 {
		s.legacy.last = lastKey
	} else {
		s.legacy.last = index + lastKey
	}
	s.legacy.step = step
}

// Keys appends to dst the positions in args of the command's keys, using
// the key specs (or GetKeys). ok is false when args do not match the specs
// (a bad key count, say); the command itself will then reply an error.
func (s *Spec) Keys(args [][]byte, dst []int) (_ []int, ok bool) {
	if s.GetKeys != nil {
		keys, ok := s.GetKeys(args)
		return append(dst, keys...), ok
	}
	argc := len(args)
	for i := range s.KeySpecs {
		k := &s.KeySpecs[i]
		var first int
		switch {
		case k.Index > 0:
			first = k.Index
		case k.Keyword != "":
			first = findKeyword(args, k.Keyword, k.StartFrom)
			if first < 0 {
				continue
			}
		default:
			return dst, false
		}
		var last, step int
		switch {
		case k.Unknown:
			return dst, false
		case k.KeyNum:
			if first+k.NumIdx >= argc {
				if k.Flags&KeyIncomplete != 0 {
					continue
				}
				return dst, false
			}
			n, okNum := parseCount(args[first+k.NumIdx])
			if !okNum {
				return dst, false
			}
			first += k.FirstKey
			step = k.Step
			last = first + (n-1)*step
		default:
			step = k.Step
			switch {
			case k.LastKey >= 0:
				last = first + k.LastKey
			case k.Limit == 0:
				last = argc + k.LastKey
			default:
				last = first + ((argc-first)/k.Limit + k.LastKey)
			}
		}
		if step <= 0 {
			step = 1
		}
		if last >= argc || (last < first && !k.KeyNum) {
			if k.Flags&KeyIncomplete != 0 {
				continue
			}
			return dst, false
		}
		for j := first; j <= last; j += step {
			dst = append(dst, j)
		}
	}
	return dst, true
}

// MemberArgs appends to dst the arguments that the member spec names
// (MemberSpec); dst comes back unchanged for a command without one. It
// reads args within their bounds whatever their number and allocates only
// to grow dst.
func (s *Spec) MemberArgs(args, dst [][]byte) [][]byte {
	m := &s.Members
	if m.First <= 0 {
		return dst
	}
	first := m.First
	if len(m.Options) > 0 {
		for i := 2; i < len(args) && isOption(args[i], m.Options); i++ {
			first++
		}
	}
	if first >= len(args) {
		return dst
	}
	last := first + m.Last
	if m.Last < 0 {
		last = len(args) + m.Last
	}
	last = min(last, len(args)-1)
	if last < first {
		return dst
	}
	step := max(m.Step, 1)
	if step == 1 {
		return append(dst, args[first:last+1]...)
	}
	for i := first; i <= last; i += step {
		dst = append(dst, args[i])
	}
	return dst
}

// isOption reports whether arg is one of options, ignoring case.
func isOption(arg []byte, options []string) bool {
	for _, o := range options {
		if bytes.EqualFold(arg, []byte(o)) {
			return true
		}
	}
	return false
}

func findKeyword(args [][]byte, kw string, from int) int {
	argc := len(args)
	if from >= 0 {
		for i := from; i < argc; i++ {
			if strings.EqualFold(string(args[i]), kw) {
				return i + 1
			}
		}
		return -1
	}
	for i := argc + from; i > 0; i-- {
		if strings.EqualFold(string(args[i]), kw) {
			return i + 1
		}
	}
	return -1
}

func parseCount(b []byte) (int, bool) {
	n := 0
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func lower(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
