// Package config holds Ember's configuration: every redis.conf directive of
// Redis 7.0 with its default, bounds, aliases and flags, parsing (config
// file and command line, as redis-server accepts them), the CONFIG GET/SET
// view and CONFIG REWRITE.
package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ember-kv/ember/resp"
)

// Kind is how a directive's value is parsed and shown.
type Kind uint8

// Directive kinds.
const (
	String  Kind = iota
	Int          // an integer (decimal, or octal when Octal is set)
	Bool         // yes/no
	Memory       // bytes, with Redis's units (1k = 1000, 1kb = 1024, ...)
	Enum         // one of Enum's names (several when MultiArg: bit flags)
	Special      // its own syntax (save, bind, client-output-buffer-limit, ...)
)

// Flag is a property of a directive.
type Flag uint16

// Directive flags.
const (
	// Immutable directives can only be set at start-up.
	Immutable Flag = 1 << iota
	// Protected directives can be changed by CONFIG SET only when
	// enable-protected-configs allows it.
	Protected
	// Hidden directives are left out of CONFIG GET patterns; an exact name
	// still finds them.
	Hidden
	// Sensitive values are redacted in logs.
	Sensitive
	// MultiArg directives take several arguments (save 3600 1 300 100).
	MultiArg
	// DenyLoading directives cannot be set while a data set loads.
	DenyLoading
	// EmptyIsNull strings treat "" as "not set": CONFIG REWRITE then drops
	// them from the file.
	EmptyIsNull
)

// EnumValue is one accepted name of an Enum directive and its value.
type EnumValue struct {
	Name  string
	Value int
}

// Directive describes one configuration directive.
type Directive struct {
	Name    string
	Aliases []string
	Kind    Kind
	// Default is the value CONFIG GET shows when nothing set it.
	Default string
	// Min and Max bound Int and Memory values. With Unsigned they are
	// compared as unsigned numbers (Max -1 is then 2^64-1), as Redis does
	// for its unsigned C types.
	Min, Max int64
	Unsigned bool
	// Percent Memory directives also accept "n%" (stored as -n).
	Percent bool
	// Octal Int directives are parsed and shown in octal.
	Octal bool
	// Clamp, when set, silently brings an Int value into [Clamp[0], Clamp[1]].
	Clamp [2]int64
	// SetMin, when set, silently raises a smaller value that CONFIG SET
	// changes to (not one read at start-up), as Redis's repl-backlog-size.
	SetMin int64
	Enum   []EnumValue
	Flags  Flag
	// Validate checks a parsed value: its canonical text and, for Bool,
	// Int, Memory and Enum, its number.
	Validate func(c *Config, v string, n int64) error

	special *specialOps
	index   int
}

// Immutable reports whether the directive can only be set at start-up.
func (d *Directive) Immutable() bool { return d.Flags&Immutable != 0 }

// Protected reports whether CONFIG SET needs enable-protected-configs.
func (d *Directive) Protected() bool { return d.Flags&Protected != 0 }

// Sensitive reports whether the value must not be logged.
func (d *Directive) Sensitive() bool { return d.Flags&Sensitive != 0 }

// specialOps parse and rewrite a Special directive.
type specialOps struct {
	// parse turns arguments into the canonical value; loading is true while
	// a configuration file is read.
	parse func(c *Config, argv []string, loading bool) (string, error)
	// number, when set, also gives the value a number that Int returns,
	// for a value whose shown form loses information (notify classes).
	number func(argv []string) int64
	// rewrite writes the directive's lines for CONFIG REWRITE.
	rewrite func(c *Config, d *Directive, v string, st *rewriteState)
}

// entry is a name CONFIG GET and CONFIG SET know: a directive's name or
// one of its aliases.
type entry struct {
	name  string
	d     *Directive
	alias bool
}

var (
	byName  = map[string]entry{}
	entries []entry // sorted by name
)

func init() {
	for i, d := range directives {
		d.index = i
		byName[d.Name] = entry{d.Name, d, false}
		for _, a := range d.Aliases {
			byName[a] = entry{a, d, true}
		}
	}
	for _, e := range byName {
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
}

func lookup(name string) (entry, bool) {
	e, ok := byName[strings.ToLower(name)]
	return e, ok
}

// slot holds one directive's current value: its canonical text (as CONFIG
// GET shows it) and, for numeric, boolean and enum directives, its number.
// Reads are lock-free, so hot paths may consult the configuration.
type slot struct {
	s atomic.Pointer[string]
	n atomic.Int64
}

// Config is a live configuration. It is safe for concurrent use.
type Config struct {
	mu       sync.Mutex // serializes changes
	vals     []slot     // by directive index
	watchers map[*Directive][]func(value string)
	appliers map[*Directive]func(value string) error
	file     atomic.Pointer[string]

	// Set while a configuration file is read (mu held).
	loading    bool
	saveLoaded bool
}

// ErrUnknown is returned for a directive that does not exist.
var ErrUnknown = errors.New("unknown directive")

var errImmutable = errors.New("can't set immutable config")

// IsImmutable reports whether err came from setting an immutable directive.
func IsImmutable(err error) bool { return err == errImmutable }

// New returns a configuration holding every directive at its default. The
// default of dir is the working directory.
func New() *Config {
	c := &Config{
		vals:     make([]slot, len(directives)),
		watchers: make(map[*Directive][]func(string)),
	}
	empty := ""
	for i := range c.vals {
		c.vals[i].s.Store(&empty)
	}
	for _, d := range directives {
		def := d.Default
		if d.Name == "dir" {
			def, _ = os.Getwd()
		}
		s, n, err := c.parseDefault(d, def)
		if err != nil {
			panic("config: bad default for " + d.Name + ": " + err.Error())
		}
		c.store(d, s, n)
	}
	return c
}

func (c *Config) parseDefault(d *Directive, def string) (string, int64, error) {
	if d.Kind == Special {
		return def, 0, nil // already canonical
	}
	return c.parse(d, []string{def}, false)
}

func (c *Config) store(d *Directive, s string, n int64) {
	c.vals[d.index].s.Store(&s)
	c.vals[d.index].n.Store(n)
}

// Lookup finds a directive by name or alias, case-insensitively.
func Lookup(name string) *Directive {
	e, ok := lookup(name)
	if !ok {
		return nil
	}
	return e.d
}

// Lookup finds a directive by name or alias, case-insensitively.
func (c *Config) Lookup(name string) *Directive { return Lookup(name) }

// Get returns a directive's current value as CONFIG GET shows it ("" when
// the directive does not exist).
func (c *Config) Get(name string) string {
	e, ok := lookup(name)
	if !ok {
		return ""
	}
	return *c.vals[e.d.index].s.Load()
}

// Int returns an Int or Memory directive's value (a percentage is
// negative; an unsigned amount beyond int64 reads as MaxInt64).
func (c *Config) Int(name string) int64 {
	e, ok := lookup(name)
	if !ok {
		return 0
	}
	n := c.vals[e.d.index].n.Load()
	if n < 0 && e.d.Unsigned {
		return 1<<63 - 1
	}
	return n
}

// Bool returns a Bool directive's value.
func (c *Config) Bool(name string) bool {
	e, ok := lookup(name)
	return ok && e.d.Kind == Bool && c.vals[e.d.index].n.Load() == 1
}

// File is the absolute path of the configuration file the server was
// started with, or "".
func (c *Config) File() string {
	if p := c.file.Load(); p != nil {
		return *p
	}
	return ""
}

// SetFile records the configuration file's path (CONFIG REWRITE writes it).
func (c *Config) SetFile(path string) { c.file.Store(&path) }

// Watch calls fn with the new value after every change of name.
func (c *Config) Watch(name string, fn func(value string)) {
	d := Lookup(name)
	if d == nil {
		panic("config: watch of unknown directive " + name)
	}
	c.mu.Lock()
	c.watchers[d] = append(c.watchers[d], fn)
	c.mu.Unlock()
}

// Follow calls fn now and after every change of any of names: how a part
// of the server keeps a setting of its own in step with its directives.
func (c *Config) Follow(fn func(), names ...string) {
	fn()
	for _, n := range names {
		c.Watch(n, func(string) { fn() })
	}
}

// OnApply registers fn to put CONFIG SET's change of name into effect
// (a listener to move, say). fn runs after the new values of the whole
// CONFIG SET are stored, before the watchers; an error from it fails the
// CONFIG SET and every directive it changed gets its old value back (the
// appliers that had already run are called again with theirs), as Redis
// rolls back a failed apply.
func (c *Config) OnApply(name string, fn func(value string) error) {
	d := Lookup(name)
	if d == nil {
		panic("config: apply of unknown directive " + name)
	}
	c.mu.Lock()
	if c.appliers == nil {
		c.appliers = map[*Directive]func(string) error{}
	}
	c.appliers[d] = fn
	c.mu.Unlock()
}

// Names returns every directive's name, aliases excluded, sorted.
func (c *Config) Names() []string {
	out := make([]string, 0, len(directives))
	for _, d := range directives {
		out = append(out, d.Name)
	}
	sort.Strings(out)
	return out
}

// Directives returns every directive in table order.
func Directives() []*Directive { return directives }

// Set validates and stores a value given as CONFIG SET gives it (a
// multi-argument directive's arguments separated by spaces). startup
// allows immutable and protected directives.
func (c *Config) Set(name, value string, startup bool) error {
	e, ok := lookup(name)
	if !ok {
		return ErrUnknown
	}
	if e.d.Immutable() && !startup {
		return errImmutable
	}
	return c.apply(e.d, configSetArgs(e.d, value))
}

// SetArgs stores a directive from its arguments as a configuration file
// line gives them (startup rules: immutable directives allowed).
func (c *Config) SetArgs(name string, argv []string) error {
	e, ok := lookup(name)
	if !ok {
		return ErrUnknown
	}
	return c.apply(e.d, argv)
}

func (c *Config) apply(d *Directive, argv []string) error {
	c.mu.Lock()
	s, n, err := c.parse(d, argv, c.loading)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	c.store(d, s, n)
	ws := c.watchers[d]
	c.mu.Unlock()
	for _, w := range ws {
		w(s)
	}
	return nil
}

// configSetArgs splits a CONFIG SET value into a directive's arguments:
// multi-argument directives split on single spaces ("" is no arguments).
func configSetArgs(d *Directive, value string) []string {
	if d.Flags&MultiArg == 0 {
		return []string{value}
	}
	if value == "" {
		return nil
	}
	return strings.Split(value, " ")
}

// SetError is a failed CONFIG SET. Its fields give Redis's reply: either
// the first unknown name, or the argument the failure relates to and why.
type SetError struct {
	Unknown string // set when a name is unknown
	Arg     string
	Msg     string
}

func (e *SetError) Error() string {
	if e.Unknown != "" {
		return "unknown option " + e.Unknown
	}
	return e.Arg + ": " + e.Msg
}

// SetMany is CONFIG SET name value [name value ...]: every pair is checked
// and parsed before any is stored, so either all change or none does.
// allowProtected tells whether protected directives may change.
func (c *Config) SetMany(pairs []string, allowProtected bool) error {
	type change struct {
		e entry
		s string
		n int64
	}
	changes := make([]change, 0, len(pairs)/2)
	var fail *SetError
	for i := 0; i+1 < len(pairs); i += 2 {
		e, ok := lookup(pairs[i])
		if !ok {
			if fail == nil {
				fail = &SetError{Unknown: pairs[i]}
			}
			continue
		}
		if fail != nil {
			continue
		}
		switch {
		case e.d.Immutable():
			fail = &SetError{Arg: pairs[i], Msg: "can't set immutable config"}
			continue
		case e.d.Protected() && !allowProtected:
			fail = &SetError{Arg: pairs[i], Msg: "can't set protected config"}
			continue
		}
		// As in Redis, a name and its alias are different parameters: only
		// the same name twice is a duplicate (the last value wins).
		for _, ch := range changes {
			if ch.e.name == e.name {
				fail = &SetError{Arg: pairs[i], Msg: "duplicate parameter"}
				break
			}
		}
		changes = append(changes, change{e: e})
	}
	if fail != nil {
		return fail
	}
	c.mu.Lock()
	for i := range changes {
		ch := &changes[i]
		s, n, err := c.parse(ch.e.d, configSetArgs(ch.e.d, pairs[2*i+1]), false)
		if err != nil {
			c.mu.Unlock()
			return &SetError{Arg: ch.e.name, Msg: err.Error()}
		}
		ch.s, ch.n = s, n
	}
	type old struct {
		s string
		n int64
	}
	olds := make([]old, len(changes))
	var notify []func()
	for i := range changes {
		ch := &changes[i]
		if ch.e.d.SetMin != 0 && ch.n < ch.e.d.SetMin && ch.s != *c.vals[ch.e.d.index].s.Load() {
			ch.n = ch.e.d.SetMin
			ch.s = formatNumber(ch.e.d, ch.n)
		}
		v := &c.vals[ch.e.d.index]
		olds[i] = old{*v.s.Load(), v.n.Load()}
		c.store(ch.e.d, ch.s, ch.n)
		for _, w := range c.watchers[ch.e.d] {
			w, s := w, ch.s
			notify = append(notify, func() { w(s) })
		}
	}
	for i, ch := range changes {
		apply := c.appliers[ch.e.d]
		if apply == nil || ch.s == olds[i].s {
			continue // as in Redis, a value set again is not applied again
		}
		if err := apply(ch.s); err != nil {
			for j := range changes {
				c.store(changes[j].e.d, olds[j].s, olds[j].n)
			}
			for j := range changes[:i] {
				if undo := c.appliers[changes[j].e.d]; undo != nil && changes[j].s != olds[j].s {
					undo(olds[j].s)
				}
			}
			c.mu.Unlock()
			return &SetError{Arg: ch.e.name, Msg: err.Error()}
		}
	}
	c.mu.Unlock()
	for _, f := range notify {
		f()
	}
	return nil
}

// Pair is one name and value of a CONFIG GET reply.
type Pair struct{ Name, Value string }

// Match is CONFIG GET pattern [pattern ...]: an argument without glob
// characters names a directive exactly (hidden ones included, the reply
// using the name as given); a pattern matches every visible name and alias,
// case-insensitively. Each directive name appears once, in the order found.
func (c *Config) Match(patterns []string, match func(pattern, name string) bool) []Pair {
	var out []Pair
	seen := map[string]bool{}
	for _, p := range patterns {
		if !strings.ContainsAny(p, "[*?") {
			lp := strings.ToLower(p)
			if seen[lp] {
				continue
			}
			if e, ok := lookup(p); ok {
				seen[lp] = true
				out = append(out, Pair{p, *c.vals[e.d.index].s.Load()})
			}
			continue
		}
		for _, e := range entries {
			if e.d.Flags&Hidden != 0 || seen[e.name] {
				continue
			}
			if match(p, e.name) {
				seen[e.name] = true
				out = append(out, Pair{e.name, *c.vals[e.d.index].s.Load()})
			}
		}
	}
	return out
}

// All returns every visible name and alias with its value, sorted by name.
func (c *Config) All() []Pair {
	out := make([]Pair, 0, len(entries))
	for _, e := range entries {
		if e.d.Flags&Hidden == 0 {
			out = append(out, Pair{e.name, *c.vals[e.d.index].s.Load()})
		}
	}
	return out
}

// effective lists the directives Ember acts on beyond reporting them; see
// Effective.
var effective sync.Map

func init() {
	for _, n := range []string{
		"port", "bind", "databases", "requirepass", "proto-max-bulk-len",
		"maxclients", "hz", "enable-debug-command", "logfile", "pidfile",
		"protected-mode", "unixsocket", "unixsocketperm", "dir", "loglevel",
		"enable-protected-configs",
	} {
		effective.Store(n, true)
	}
}

// SetEffective records that Ember now acts on a directive (a package that
// implements one calls it from init), so that INFO reports its setting.
func SetEffective(name string) {
	if d := Lookup(name); d != nil {
		effective.Store(d.Name, true)
	}
}

// Effective reports whether Ember acts on a directive, rather than only
// accepting and reporting it.
func Effective(name string) bool {
	d := Lookup(name)
	if d == nil {
		return false
	}
	_, ok := effective.Load(d.Name)
	return ok
}

// parse turns a directive's arguments into its canonical value.
func (c *Config) parse(d *Directive, argv []string, loading bool) (string, int64, error) {
	if d.Kind == Special {
		s, err := d.special.parse(c, argv, loading)
		var n int64
		if err == nil && d.special.number != nil {
			n = d.special.number(argv)
		}
		return s, n, err
	}
	if d.Kind == Enum {
		return parseEnum(c, d, argv)
	}
	if len(argv) != 1 {
		return "", 0, errors.New("wrong number of arguments")
	}
	v := argv[0]
	switch d.Kind {
	case Bool:
		var n int64
		switch {
		case strings.EqualFold(v, "yes"):
			n = 1
		case strings.EqualFold(v, "no"):
		default:
			return "", 0, errors.New("argument must be 'yes' or 'no'")
		}
		s := "no"
		if n == 1 {
			s = "yes"
		}
		if d.Validate != nil {
			if err := d.Validate(c, s, n); err != nil {
				return "", 0, err
			}
		}
		return s, n, nil
	case String:
		if d.Validate != nil {
			if err := d.Validate(c, v, 0); err != nil {
				return "", 0, err
			}
		}
		return v, 0, nil
	}
	n, err := parseNumber(d, v)
	if err != nil {
		return "", 0, err
	}
	if err := checkBounds(d, n); err != nil {
		return "", 0, err
	}
	if d.Clamp != [2]int64{} {
		n = max(d.Clamp[0], min(d.Clamp[1], n))
	}
	s := formatNumber(d, n)
	if d.Validate != nil {
		if err := d.Validate(c, s, n); err != nil {
			return "", 0, err
		}
	}
	return s, n, nil
}

func parseEnum(c *Config, d *Directive, argv []string) (string, int64, error) {
	bitflags := d.Flags&MultiArg != 0
	v, ok := enumValue(d.Enum, argv, bitflags)
	if !ok {
		var b strings.Builder
		b.WriteString("argument(s) must be one of the following: ")
		for i, e := range d.Enum {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e.Name)
		}
		msg := b.String()
		if len(msg) > 255 {
			msg = msg[:255]
		}
		return "", 0, errors.New(msg)
	}
	s := enumName(d.Enum, v, bitflags)
	if d.Validate != nil {
		if err := d.Validate(c, s, int64(v)); err != nil {
			return "", 0, err
		}
	}
	return s, int64(v), nil
}

// enumValue maps names to a value; several names OR their values together
// when bitflags is set.
func enumValue(enum []EnumValue, argv []string, bitflags bool) (int, bool) {
	if len(argv) == 0 || (!bitflags && len(argv) != 1) {
		return 0, false
	}
	v := 0
	for _, a := range argv {
		matched := false
		for _, e := range enum {
			if strings.EqualFold(a, e.Name) {
				v |= e.Value
				matched = true
			}
		}
		if !matched {
			return 0, false
		}
	}
	return v, true
}

// enumName is the canonical text of an enum value: the first name with
// that exact value, or, for bit flags, the names of its flags in table order.
func enumName(enum []EnumValue, v int, bitflags bool) string {
	var names []string
	unmatched := v
	for _, e := range enum {
		if e.Value == v {
			return e.Name
		}
		if bitflags && e.Value != 0 && e.Value == unmatched&e.Value {
			names = append(names, e.Name)
			unmatched &^= e.Value
		}
	}
	if len(names) == 0 || unmatched != 0 {
		return "unknown"
	}
	return strings.Join(names, " ")
}

// parseNumber parses an Int or Memory value as Redis does: a memory amount
// first (Memory), then a percentage (Percent), then octal (Octal), then a
// plain strict integer (only when none of those apply).
func parseNumber(d *Directive, v string) (int64, error) {
	if d.Kind == Memory {
		if n, ok := memToUint(v); ok {
			return int64(n), nil
		}
	}
	if d.Percent && len(v) > 1 && v[len(v)-1] == '%' {
		if n, ok := resp.ParseInt([]byte(v[:len(v)-1])); ok && n >= 0 {
			return -n, nil
		}
	}
	if d.Octal {
		if n, ok := strtollOctal(v); ok {
			return n, nil
		}
	}
	if d.Kind == Int && !d.Octal {
		if n, ok := resp.ParseInt([]byte(v)); ok {
			return n, nil
		}
	}
	switch {
	case d.Kind == Memory && d.Percent:
		return 0, errors.New("argument must be a memory or percent value")
	case d.Kind == Memory:
		return 0, errors.New("argument must be a memory value")
	case d.Octal:
		return 0, errors.New("argument couldn't be parsed as an octal number")
	}
	return 0, errors.New("argument couldn't be parsed into an integer")
}

func checkBounds(d *Directive, n int64) error {
	if d.Unsigned {
		u, lo, hi := uint64(n), uint64(d.Min), uint64(d.Max)
		if u > hi || u < lo {
			if d.Octal {
				return fmt.Errorf("argument must be between %o and %o inclusive", lo, hi)
			}
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		return nil
	}
	if d.Percent && n < 0 {
		if n < d.Min {
			return fmt.Errorf("percentage argument must be less or equal to %d", -d.Min)
		}
		return nil
	}
	if n > d.Max || n < d.Min {
		return fmt.Errorf("argument must be between %d and %d inclusive", d.Min, d.Max)
	}
	return nil
}

func formatNumber(d *Directive, n int64) string {
	switch {
	case d.Percent && n < 0:
		return strconv.FormatInt(-n, 10) + "%"
	case d.Kind == Memory:
		return strconv.FormatUint(uint64(n), 10)
	case d.Octal:
		return strconv.FormatUint(uint64(n), 8)
	}
	return strconv.FormatInt(n, 10)
}

// ParseMemory parses a memory amount as Redis does: digits with an
// optional unit (b, k, kb, m, mb, g, gb; k = 1000, kb = 1024),
// case-insensitive. Like Redis, an empty number is 0 and a number beyond
// 2^64-1 saturates; the result wraps as Redis's unsigned arithmetic does.
func ParseMemory(s string) (int64, error) {
	n, ok := memToUint(s)
	if !ok {
		return 0, errors.New("argument must be a memory value")
	}
	return int64(n), nil
}

func memToUint(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch u := strings.ToLower(s[i:]); u {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var v uint64
	for _, ch := range s[:i] {
		d := uint64(ch - '0')
		if v > (1<<64-1-d)/10 {
			v = 1<<64 - 1 // strtoull saturates
			break
		}
		v = v*10 + d
	}
	return v * mul, true
}

// strtollOctal is strtoll(s, &end, 8) with *end == '\0' and no overflow.
func strtollOctal(s string) (int64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '7' {
		v = v*8 + uint64(s[i]-'0')
		if v > 1<<63 {
			return 0, false
		}
		i++
	}
	if i == start {
		return 0, s == "" // no digits: only an empty string ends where it began
	}
	if i != len(s) || (!neg && v > 1<<63-1) {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// splitSpaces splits on runs of spaces (for defaults).
func splitSpaces(s string) []string { return strings.Fields(s) }
