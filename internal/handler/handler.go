// Package handler implements Ember's commands, one file per redis.io command
// group. A handler receives a Ctx whose arguments already passed the
// dispatcher's arity, auth and key-locking rules; it looks its keys up,
// checks their types, changes state and writes one reply.
package handler

import (
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/latency"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/script"
	"github.com/ember-kv/ember/internal/slowlog"
	"github.com/ember-kv/ember/internal/watch"
	"github.com/ember-kv/ember/resp"
)

// Func is a command handler.
type Func func(c *Ctx)

// Ctx is one command's execution context.
type Ctx struct {
	// Args are the command's arguments; Args[0] is its name. They alias the
	// connection's read buffer: copy what you keep.
	Args [][]byte
	Spec *command.Spec
	// DB is the client's selected database at the command's time, with the
	// command's shards locked.
	DB     keyspace.DB
	Out    *resp.Writer
	Client *client.Client
	Env    *Env
	// Now is the command's wall-clock time (from the injectable clock).
	Now time.Time
}

// Env is the server-wide state handlers may use.
type Env struct {
	Keyspace *keyspace.Keyspace
	Config   *config.Config
	Clients  *client.Registry
	Stats    *Stats
	// Version is the Redis version Ember reports (redis_version).
	Version string
	// EmberVersion is Ember's own version.
	EmberVersion string
	RunID        string
	Started      time.Time
	// Shutdown stops the server (SHUTDOWN); it returns when the listener closed.
	Shutdown func()
	// Pause implements CLIENT PAUSE/UNPAUSE.
	Pause *Pause

	// Server-group state (INFO, CONFIG, DEBUG, SHUTDOWN).

	// Executable is the absolute path of the running program.
	Executable string
	// ReplID is the replication ID INFO reports (master_replid).
	ReplID string
	// StartupMemory is the heap in use when the server started.
	StartupMemory uint64
	// Errors counts error replies by code (INFO errorstats).
	Errors *ErrorStats
	// Metrics samples INFO's instantaneous rates.
	Metrics *Metrics
	// Slowlog is the log of slow commands (SLOWLOG).
	Slowlog *slowlog.Log
	// Latency is the latency monitor and Histograms the commands' latency
	// distributions (LATENCY, INFO latencystats).
	Latency    *latency.Monitor
	Histograms *latency.Histograms
	// Done is closed when the server stops (it ends DEBUG SLEEP early).
	Done <-chan struct{}
	// Logf writes a line to the server log.
	Logf func(format string, args ...any)

	// Transactions.

	// Watches is the table of WATCHed keys.
	Watches *watch.Table
	// Exec runs the client's queued transaction (EXEC, already in MULTI):
	// it locks the queued commands' shards and writes EXEC's whole reply.
	Exec func(c *Ctx)

	// Notify publishes keyspace notifications (notify-keyspace-events);
	// nil in handler tests that do not need it.
	Notify *notify.Notifier

	// Scripting (EVAL, FCALL, SCRIPT, FUNCTION).

	// Scripts is the Lua engine: the script cache, the function
	// libraries and the run in progress.
	Scripts *script.Engine
	// ScriptRun runs a script or function for c's command, whose shards
	// (all of them) are locked: it prepares what the run's redis.call
	// needs (internal/server/script.go), calls exec with the reply writer,
	// and serves the clients blocked on keys the run wrote.
	ScriptRun func(c *Ctx, run *script.Run, exec func(w *resp.Writer))
}

var funcs = map[string]Func{}

// register adds a group's handlers; each group file calls it from init.
// Names are spec names: "get", "config|get".
func register(m map[string]Func) {
	for name, f := range m {
		if _, dup := funcs[name]; dup {
			panic("handler: duplicate " + name)
		}
		funcs[name] = f
	}
}

// Lookup returns the handler of a spec name, or nil.
func Lookup(name string) Func { return funcs[name] }

// Names returns every registered handler name.
func Names() []string {
	out := make([]string, 0, len(funcs))
	for n := range funcs {
		out = append(out, n)
	}
	return out
}

// Arg returns argument i as a string (copied).
func (c *Ctx) Arg(i int) string { return string(c.Args[i]) }

// Error writes an error reply.
func (c *Ctx) Error(msg string) { c.Out.Error(msg) }

// OK writes +OK.
func (c *Ctx) OK() { c.Out.OK() }

// Int parses argument i as an integer, replying ERR not an integer when it
// is not one.
func (c *Ctx) Int(i int) (int64, bool) {
	n, ok := resp.ParseInt(c.Args[i])
	if !ok {
		c.Out.Error(errs.NotInteger)
	}
	return n, ok
}

// Notify publishes the keyspace notification event of class about key
// in the command's database (see internal/notify), as Redis's
// notifyKeyspaceEvent. Call it after the change, once per key changed.
func (c *Ctx) Notify(class notify.Class, event string, key []byte) {
	if c.Env.Notify.Enabled(class) {
		c.Env.Notify.Key(c.Client, class, event, key, c.DB.Index)
	}
}

// NowMs is the command's time in Unix milliseconds.
func (c *Ctx) NowMs() int64 { return c.DB.Now }
