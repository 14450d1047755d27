package handler

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{"monitor": monitorCmd})
}

// monitorTotal counts the clients in MONITOR mode in the process: while it
// is 0, Monitored costs the dispatcher one atomic load per command.
var monitorTotal atomic.Int64

// monitorSets holds the monitors of each server, by its client registry.
var monitorSets sync.Map // weak.Pointer[client.Registry] -> *monitorSet

// monitorSet is one server's clients in MONITOR mode, in the order they
// started monitoring.
type monitorSet struct {
	mu   sync.Mutex
	list []*client.Client
}

func monitorsOf(reg *client.Registry) *monitorSet {
	key := weak.Make(reg)
	if v, ok := monitorSets.Load(key); ok {
		return v.(*monitorSet)
	}
	v, _ := monitorSets.LoadOrStore(key, &monitorSet{})
	return v.(*monitorSet)
}

// Monitored reports whether some client of the process is in MONITOR mode.
func Monitored() bool { return monitorTotal.Load() != 0 }

// IsMonitor reports whether cl is in MONITOR mode.
func IsMonitor(env *Env, cl *client.Client) bool {
	if !Monitored() {
		return false
	}
	m := monitorsOf(env.Clients)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mc := range m.list {
		if mc == cl {
			return true
		}
	}
	return false
}

// MONITOR
func monitorCmd(c *Ctx) {
	cl := c.Client
	if blocking.Denied(cl) {
		c.Error(errs.MonitorDenyBlocking)
		return
	}
	if IsMonitor(c.Env, cl) {
		return // already monitoring: no reply, as Redis
	}
	c.OK()
	// The replies so far go out now, so that no command fed from another
	// connection can overtake them.
	if cl.Conn != nil && cl.Out == c.Out && cl.ReplyMode == client.ReplyOn {
		if _, err := cl.Conn.Write(c.Out.Bytes()); err != nil {
			return
		}
		c.Out.Reset()
	}
	m := monitorsOf(c.Env.Clients)
	m.mu.Lock()
	m.list = append(m.list, cl)
	m.mu.Unlock()
	monitorTotal.Add(1)
}

// FeedMonitors shows ctx's command to the clients in MONITOR mode, as
// Redis does: the script commands (flag skip_monitor) when they start, so
// that the commands of their redis.call follow them (before is true then),
// the others once they ran. Administrative commands are never shown.
func FeedMonitors(ctx *Ctx, before bool) {
	spec := ctx.Spec
	if spec.Flags&command.Admin != 0 || (spec.Flags&command.SkipMonitor != 0) != before {
		return
	}
	m := monitorsOf(ctx.Env.Clients)
	var line []byte
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.list[:0]
	for _, mc := range m.list {
		if mc.Killed() {
			monitorTotal.Add(-1)
			continue
		}
		kept = append(kept, mc)
		if line == nil {
			line = monitorLine(ctx)
		}
		if mc == ctx.Client {
			// The monitor's own command: the line follows its reply.
			ctx.Out.Raw(line)
		} else if mc.Conn != nil {
			mc.Conn.Write(line) // never blocks (the connection queues)
		}
	}
	clear(m.list[len(kept):])
	m.list = kept
}

// monitorLine renders a command as MONITOR shows it:
// +<seconds>.<microseconds> [<db> <client address>] "arg" "arg" ...
// The commands of a script show "lua" as the address.
func monitorLine(ctx *Ctx) []byte {
	now := time.Now()
	cl := ctx.Client
	b := make([]byte, 0, 64)
	b = append(b, '+')
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, '.')
	us := strconv.AppendInt(nil, int64(now.Nanosecond()/1000), 10)
	for i := len(us); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, us...)
	b = append(b, " ["...)
	b = strconv.AppendInt(b, int64(cl.DB()), 10)
	b = append(b, ' ')
	switch {
	case cl.Conn == nil:
		b = append(b, "lua"...)
	case cl.Conn.LocalAddr() != nil && cl.Conn.LocalAddr().Network() == "unix":
		b = append(b, "unix:"...)
		b = append(b, cl.Conn.LocalAddr().String()...)
	default:
		b = append(b, cl.Addr...)
	}
	b = append(b, "] "...)
	redacted := RedactedArgs(ctx.Spec.Name, ctx.Args)
	for i, a := range ctx.Args {
		if i > 0 {
			b = append(b, ' ')
		}
		if redacted != nil && redacted[i] {
			a = []byte("(redacted)")
		}
		b = appendRepr(b, a)
	}
	return append(b, "\r\n"...)
}

// RedactedArgs marks the arguments that carry passwords, as Redis's
// commands hide them from MONITOR and the slow log: every argument of AUTH
// (in its valid forms), the user and password after HELLO's AUTH, as far
// as HELLO got before an error, MIGRATE's AUTH and AUTH2 passwords, and
// the values CONFIG SET gives sensitive directives (requirepass, ...).
func RedactedArgs(name string, args [][]byte) []bool {
	var r []bool
	mark := func(i int) {
		if r == nil {
			r = make([]bool, len(args))
		}
		r[i] = true
	}
	switch name {
	case "auth":
		if len(args) <= 3 {
			for i := 1; i < len(args); i++ {
				mark(i)
			}
		}
	case "migrate":
		for j := 6; j < len(args); j++ {
			more := len(args) - 1 - j
			switch {
			case bytes.EqualFold(args[j], []byte("copy")), bytes.EqualFold(args[j], []byte("replace")):
			case bytes.EqualFold(args[j], []byte("auth")) && more >= 1:
				mark(j + 1)
				j++
			case bytes.EqualFold(args[j], []byte("auth2")) && more >= 2:
				mark(j + 1)
				mark(j + 2)
				j += 2
			default: // KEYS (the rest are keys) or an error
				return r
			}
		}
	case "config|set":
		for j := 2; j+1 < len(args); j += 2 {
			if d := config.Lookup(strings.ToLower(string(args[j]))); d != nil && d.Sensitive() {
				mark(j + 1)
			}
		}
	case "hello":
		if len(args) < 2 {
			return nil
		}
		if v, ok := resp.ParseInt(args[1]); !ok || v < 2 || v > 3 {
			return nil
		}
		for j := 2; j < len(args); j++ {
			more := len(args) - 1 - j
			switch {
			case bytes.EqualFold(args[j], []byte("auth")) && more >= 2:
				mark(j + 1)
				mark(j + 2)
				j += 2
			case bytes.EqualFold(args[j], []byte("setname")) && more >= 1:
				j++
			default:
				return r
			}
		}
	}
	return r
}

// appendRepr appends s quoted and escaped as Redis's sdscatrepr does.
func appendRepr(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, ch := range s {
		switch ch {
		case '\\', '"':
			b = append(b, '\\', ch)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if ch >= 0x20 && ch <= 0x7e {
				b = append(b, ch)
			} else {
				b = append(b, '\\', 'x', hex[ch>>4], hex[ch&15])
			}
		}
	}
	return append(b, '"')
}
