// Package script is Ember's Lua scripting engine: EVAL scripts and
// FUNCTION libraries run on gopher-lua (Lua 5.1) in a sandbox shaped like
// Redis 7.0's: the same globals, read-only library tables, the redis.*
// API, cjson, cmsgpack, bit and struct, Redis's conversion rules between
// replies and Lua values, and its error texts.
//
// The engine knows nothing of the keyspace: a script's redis.call goes
// through the CallFunc the server installs, which runs the command and
// hands back its raw reply. One Lua state serves every EVAL script and
// another every function, as in Redis; a run holds the engine's lock (the
// server also holds every shard for it), so a call allocates no state.
package script

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// CallFunc runs one command for a script (redis.call / redis.pcall) and
// returns its raw reply, encoded in protocol r.Proto, valid until the next
// call. A command the script rules reject (unknown, wrong arity, noscript,
// write in a read-only script) returns instead the rejection's text, which
// carries no error code ("Unknown Redis command called from script").
type CallFunc func(r *Run, args [][]byte) (reply []byte, reject string)

// Run is one script or function invocation.
type Run struct {
	// Name is the script's SHA1 (EVAL) or the function's name (FCALL).
	Name string
	// Eval tells an EVAL script from a function (errors and KILL differ).
	Eval bool
	// ReadOnly rejects write commands (EVAL_RO, FCALL_RO, no-writes).
	ReadOnly bool
	// Keys and Args are KEYS and ARGV.
	Keys, Args [][]byte
	// Command is the invoking command (FUNCTION STATS shows it).
	Command [][]byte
	// Proto is the protocol of the replies redis.call converts (2, or 3
	// after redis.setresp(3)).
	Proto int
	// CallerProto is the invoking client's protocol.
	CallerProto int
	// OOM is Redis's pre-command OOM state as the run sees it: memory was
	// over maxmemory when the run started and the script may not ignore
	// it (allow-oom), so deny-oom commands are refused until it writes.
	OOM bool
	// Counted tells, after the run, that its reply is an error a command
	// inside it returned (redis.call's error, or a redis.pcall error
	// table the script returned): the error stats counted it then.
	Counted bool
	// Host is the server's state for this run, for its CallFunc.
	Host any

	start  time.Time
	dirty  atomic.Bool
	killed atomic.Bool
}

// Start is when the run began.
func (r *Run) Start() time.Time { return r.start }

// MarkDirty records that the run executed a write command: SCRIPT KILL
// can no longer stop it.
func (r *Run) MarkDirty() { r.dirty.Store(true) }

// Dirty reports whether the run executed a write command.
func (r *Run) Dirty() bool { return r.dirty.Load() }

// Script is a cached EVAL script.
type Script struct {
	SHA   string
	Body  string
	Flags Flags
	proto *lua.FunctionProto
	fn    *lua.LFunction // made on first run, in the engine's state
}

// Flags are script flags (shebang flags=..., register_function flags).
type Flags uint8

// Script flags, in Redis's order.
const (
	FlagNoWrites Flags = 1 << iota
	FlagAllowOOM
	FlagAllowStale
	FlagNoCluster
	FlagAllowCrossSlot
	// FlagEvalCompat marks an EVAL script without a shebang line.
	FlagEvalCompat
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagNoWrites, "no-writes"}, {FlagAllowOOM, "allow-oom"}, {FlagAllowStale, "allow-stale"},
	{FlagNoCluster, "no-cluster"}, {FlagAllowCrossSlot, "allow-cross-slot-keys"},
}

// DenyOOM reports whether a script with these flags is refused as a
// whole when memory is over maxmemory: a script with a shebang is, unless
// it declares allow-oom or no-writes (EVAL without a shebang is judged
// command by command).
func (f Flags) DenyOOM() bool {
	return f&(FlagEvalCompat|FlagAllowOOM|FlagNoWrites) == 0
}

// Names lists the flags as FUNCTION LIST shows them.
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// Engine holds the Lua states, the script cache and the function
// libraries.
type Engine struct {
	call CallFunc
	// Logf writes redis.log lines; nil drops them.
	Logf func(level int, msg string)
	// Verbosity is the lowest level redis.log writes (config "loglevel").
	Verbosity func() int
	// Known reports whether a command exists (redis.acl_check_cmd).
	Known func(args [][]byte) bool
	// OutOfMemory reports whether used memory is over maxmemory (nil:
	// never).
	OutOfMemory func() bool

	mu      sync.Mutex // held by a run, a load, a flush
	eval    *state
	scripts sync.Map // sha -> *Script
	nscript atomic.Int64

	fstate *state
	libMu  sync.Mutex
	libs   *libraries

	cur  atomic.Pointer[Run]
	kill *killCtx
	rand lrand48
}

// New returns an engine whose scripts run commands through call.
func New(call CallFunc) *Engine {
	e := &Engine{call: call, kill: newKillCtx()}
	e.rand.seed(0)
	e.rand.x = 0x1234abcd330e // Redis's initial drand48 state
	e.eval = newState(e, true)
	e.fstate = newState(e, false)
	e.libs = newLibraries()
	return e
}

// SHA1 is the hex SHA1 of a script body.
func SHA1(body []byte) string {
	sum := sha1.Sum(body)
	return hex.EncodeToString(sum[:])
}

// Lookup returns the cached script with the given SHA1 (any case).
func (e *Engine) Lookup(sha []byte) *Script {
	if len(sha) != 40 {
		return nil
	}
	var buf [40]byte
	for i, c := range sha {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	v, ok := e.scripts.Load(string(buf[:]))
	if !ok {
		return nil
	}
	return v.(*Script)
}

// Exists reports whether a script is cached (SCRIPT EXISTS: exact case).
func (e *Engine) Exists(sha []byte) bool {
	_, ok := e.scripts.Load(string(sha))
	return ok
}

// Count is the number of cached scripts.
func (e *Engine) Count() int64 { return e.nscript.Load() }

// Load compiles and caches a script (EVAL, SCRIPT LOAD). err is the
// complete error reply ("ERR Error compiling script ...").
func (e *Engine) Load(body []byte) (s *Script, err string) {
	sha := SHA1(body)
	if v, ok := e.scripts.Load(sha); ok {
		return v.(*Script), ""
	}
	flags, shebangLen, msg := evalShebang(body)
	if msg != "" {
		return nil, "ERR " + msg
	}
	// The shebang line is dropped but its newline kept, so that line
	// numbers stay the user's.
	proto, cerr := compile(string(body[shebangLen:]), "user_script")
	if cerr != "" {
		return nil, "ERR Error compiling script (new function): " + cerr
	}
	s = &Script{SHA: sha, Body: string(body), Flags: flags, proto: proto}
	if v, loaded := e.scripts.LoadOrStore(sha, s); loaded {
		return v.(*Script), ""
	}
	e.nscript.Add(1)
	return s, ""
}

// Peek returns the flags a script would run with without compiling it:
// cached, or from its shebang (ok false when the shebang is invalid).
func (e *Engine) Peek(body []byte) (Flags, bool) {
	if v, ok := e.scripts.Load(SHA1(body)); ok {
		return v.(*Script).Flags, true
	}
	f, _, msg := evalShebang(body)
	return f, msg == ""
}

// Flush empties the script cache and resets the EVAL Lua state (SCRIPT
// FLUSH).
func (e *Engine) Flush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scripts.Range(func(k, _ any) bool {
		e.scripts.Delete(k)
		return true
	})
	e.nscript.Store(0)
	e.eval.L.Close()
	e.eval = newState(e, true)
}

// evalShebang parses an EVAL script's "#!lua flags=..." line.
func evalShebang(body []byte) (flags Flags, n int, err string) {
	if len(body) < 2 || body[0] != '#' || body[1] != '!' {
		return FlagEvalCompat, 0, ""
	}
	end := strings.IndexByte(string(body), '\n')
	if end < 0 {
		return 0, 0, "Invalid script shebang"
	}
	parts, ok := splitArgs(string(body[:end]))
	if !ok || len(parts) == 0 {
		return 0, 0, "Invalid engine in script shebang"
	}
	if parts[0] != "#!lua" {
		return 0, 0, "Unexpected engine in script shebang: " + parts[0]
	}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "flags=") {
			return 0, 0, "Unknown lua shebang option: " + p
		}
		if p == "flags=" {
			continue
		}
		for _, f := range strings.Split(p[6:], ",") {
			found := false
			for _, fn := range flagNames {
				if fn.name == f {
					flags |= fn.f
					found = true
					break
				}
			}
			if !found {
				return 0, 0, "Unexpected flag in script shebang: " + f
			}
		}
	}
	return flags, end, ""
}

// compile parses and compiles a chunk; the error is Lua's message form.
func compile(src, name string) (*lua.FunctionProto, string) {
	chunk, err := parse.Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, syntaxError(src, name, err)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, name + ":1: " + err.Error()
	}
	return proto, ""
}

// syntaxError rewrites a gopher-lua parse error in Lua 5.1's form
// ("user_script:1: unexpected symbol near '<eof>'").
func syntaxError(src, name string, err error) string {
	msg := err.Error()
	if pe, ok := err.(*parse.Error); ok {
		line := pe.Pos.Line
		near := "'" + pe.Token + "'"
		if pe.Pos.Line == parse.EOF || pe.Token == "" || pe.Token == "EOF" {
			line = strings.Count(src, "\n") + 1
			near = "'<eof>'"
		}
		what := "unexpected symbol"
		if strings.Contains(pe.Message, "unterminated string") {
			what = "unfinished string"
		}
		return name + ":" + itoa(line) + ": " + what + " near " + near
	}
	return name + ":1: " + strings.TrimSpace(msg)
}

// OverMemory reports whether used memory is over maxmemory.
func (e *Engine) OverMemory() bool {
	return e.OutOfMemory != nil && e.OutOfMemory()
}

// RunOOM is the OOM state of a run with these flags that starts now (see
// Run.OOM).
func (e *Engine) RunOOM(f Flags) bool {
	if f&FlagEvalCompat == 0 && f&FlagAllowOOM != 0 {
		return false
	}
	return e.OverMemory()
}

// Running returns the run in progress, or nil.
func (e *Engine) Running() *Run { return e.cur.Load() }

// BusySince returns when the run in progress started, or the zero time.
func (e *Engine) BusySince() (time.Time, bool) {
	r := e.cur.Load()
	if r == nil {
		return time.Time{}, false
	}
	return r.start, r.Eval
}

// Kill stops the running script (SCRIPT KILL, eval true) or function
// (FUNCTION KILL). It returns "" when the run was told to stop, or the
// error reply.
func (e *Engine) Kill(eval bool) string {
	r := e.cur.Load()
	if r == nil {
		return ErrNotBusy
	}
	if r.dirty.Load() {
		return ErrUnkillable
	}
	if eval && !r.Eval {
		return ErrBusyFunction
	}
	if !eval && r.Eval {
		return ErrBusyScript
	}
	if r.killed.CompareAndSwap(false, true) {
		e.kill.cancel()
	}
	return ""
}

// Error replies of the engine that handlers also send.
const (
	ErrNotBusy      = "NOTBUSY No scripts in execution right now."
	ErrUnkillable   = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	ErrBusyScript   = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	ErrBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	errKilled       = "ERR Script killed by user with SCRIPT KILL..."
)

// killCtx is the context a run's Lua state checks between instructions:
// SCRIPT KILL closes its channel. A fresh one replaces it after a kill.
type killCtx struct {
	done chan struct{}
	once sync.Once
}

func newKillCtx() *killCtx { return &killCtx{done: make(chan struct{})} }

func (k *killCtx) cancel()                     { k.once.Do(func() { close(k.done) }) }
func (k *killCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (k *killCtx) Done() <-chan struct{}       { return k.done }
func (k *killCtx) Value(any) any               { return nil }
func (k *killCtx) Err() error                  { return errKilledCtx }
func (k *killCtx) fired() bool {
	select {
	case <-k.done:
		return true
	default:
		return false
	}
}

type killedError struct{}

func (killedError) Error() string { return "script killed" }

var errKilledCtx error = killedError{}

var _ context.Context = (*killCtx)(nil)

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
