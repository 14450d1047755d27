package handler

import (
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
)

func init() {
	register(map[string]Func{
		"time":     timeCmd,
		"lastsave": lastsave,
		"shutdown": shutdown,
		"debug":    debug,
	})
}

// TIME
func timeCmd(c *Ctx) {
	us := c.Now.UnixMicro()
	c.Out.Array(2)
	c.Out.BulkInt(us / 1e6)
	c.Out.BulkInt(us % 1e6)
}

// LASTSAVE
//
// Ember never saves to disk: the last save is the server's start, as a
// Redis that has not saved since it started reports.
func lastsave(c *Ctx) { c.Out.Int(c.Env.Started.Unix()) }

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
//
// The connection closes without a reply, as the server goes away. Ember
// keeps no data on disk, so SAVE (without FORCE) fails instead of
// pretending to save.
func shutdown(c *Ctx) {
	var save, nosave, force, abort bool
	for _, a := range c.Args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now":
		case "force":
			force = true
		case "abort":
			abort = true
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	if (abort && len(c.Args) > 2) || (save && nosave) {
		c.Error(errs.Syntax)
		return
	}
	if abort {
		// Ember shuts down at once: there is never one in progress.
		c.Error(errs.NoShutdown)
		return
	}
	c.logf("User requested shutdown...")
	if save {
		c.logf("Ember keeps no data on disk: the SAVE of SHUTDOWN SAVE cannot be done.")
		if !force {
			c.logf("Errors trying to shut down the server. Check the logs for more information.")
			c.Error(errs.ShutdownFailed)
			return
		}
	}
	c.Client.CloseAfterReply = true
	if c.Env.Shutdown != nil {
		c.Env.Shutdown()
	}
}

// DEBUG subcommand [argument ...]
//
// DEBUG is a single command for the dispatcher: it holds no shard locks,
// so the subcommands here never touch the keyspace. Ember implements HELP,
// SLEEP, PROTOCOL and LOG.
func debug(c *Ctx) {
	sub := strings.ToLower(string(c.Args[1]))
	switch {
	case sub == "help" && len(c.Args) == 2:
		writeSubcommandHelp(c, "DEBUG", []string{
			"LOG <message>",
			"    Write the message to the server log.",
			"PROTOCOL <type>",
			"    Reply with a sample of a RESP type: string, integer, double, bignum, null,",
			"    array, set, map, attrib, push, verbatim, true or false.",
			"SET-ACTIVE-EXPIRE <0|1>",
			"    Turn the periodic expiry of keys off (0) or on; keys still expire when read.",
			"SLEEP <seconds>",
			"    Hold this connection for the given (fractional) number of seconds.",
		})
	case sub == "set-active-expire" && len(c.Args) == 3:
		c.Env.Keyspace.SetActiveExpire(debugAtoi(c.Args[2]) != 0)
		c.OK()
	case sub == "sleep" && len(c.Args) == 3:
		debugSleep(c, strtodPrefix(string(c.Args[2])))
	case sub == "protocol" && len(c.Args) == 3:
		debugProtocol(c, strings.ToLower(string(c.Args[2])))
	case sub == "log" && len(c.Args) == 3:
		c.logf("DEBUG LOG: %s", c.Args[2])
		c.OK()
	default:
		c.Error(errs.SubcommandSyntax(c.Args[1], "DEBUG"))
	}
}

// debugSleep sleeps as Redis's nanosleep of seconds*1e6 microseconds
// would: negative, NaN and overflowing durations do not sleep. It returns
// early when the server stops.
func debugSleep(c *Ctx, seconds float64) {
	us := seconds * 1e6
	if us >= 1 && us < math.MaxInt64 {
		t := time.NewTimer(time.Duration(int64(us)) * time.Microsecond)
		select {
		case <-t.C:
		case <-c.Env.Done:
			t.Stop()
		}
	}
	c.OK()
}

func debugProtocol(c *Ctx, name string) {
	w := c.Out
	switch name {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		const big = "1234567999999999999999999999999999999"
		if w.Proto == 3 {
			w.Raw([]byte("(" + big + "\r\n"))
		} else {
			w.BulkString(big)
		}
	case "null":
		w.Null()
	case "array":
		w.Array(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "set":
		w.Set(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "map":
		w.Map(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			w.Bool(j == 1)
		}
	case "attrib":
		if w.Proto == 3 {
			w.Raw([]byte("|1\r\n"))
			w.BulkString("key-popularity")
			w.Array(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto != 3 {
			c.Error(errs.DebugPushRESP2)
			return
		}
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Bool(true)
	case "false":
		w.Bool(false)
	case "verbatim":
		w.Verbatim("txt", []byte("This is a verbatim\nstring"))
	default:
		c.Error(errs.DebugProtocolArg)
	}
}

// strtodPrefix reads the longest prefix of s that C's strtod accepts
// (leading space, sign, decimal or hexadecimal digits, exponent, inf,
// nan) and returns its value, 0 when there is none.
func strtodPrefix(s string) float64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		i += len("infinity")
	case strings.HasPrefix(rest, "inf"):
		i += len("inf")
	case strings.HasPrefix(rest, "nan"):
		return math.NaN()
	case len(rest) > 2 && rest[0] == '0' && rest[1] == 'x' && (isHexDigit(rest[2]) || rest[2] == '.' && len(rest) > 3 && isHexDigit(rest[3])):
		j := i + 2
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' {
			j++
			for j < len(s) && isHexDigit(s[j]) {
				j++
			}
		}
		mant := s[start:j]
		exp := "p0"
		if k := expEnd(s, j, 'p'); k > j {
			exp, j = s[j:k], k
		}
		v, _ := strconv.ParseFloat(mant+exp, 64)
		return v
	default:
		digits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
				digits++
			}
		}
		if digits == 0 {
			return 0
		}
		i = max(i, expEnd(s, i, 'e'))
	}
	v, _ := strconv.ParseFloat(s[start:i], 64)
	return v
}

// expEnd returns the end of an exponent ("e-5", "p+3") starting at i, or
// i when there is none.
func expEnd(s string, i int, marker byte) int {
	if i >= len(s) || (s[i]|0x20) != marker {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == j {
		return i
	}
	return k
}

func isHexDigit(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

// ProtectedDenied returns the error reply for a Protected command that the
// configuration does not let this client run (DEBUG needs
// enable-debug-command, MODULE enable-module-command), or "" when it may
// run. The dispatcher calls it after the arity check, as Redis does.
func ProtectedDenied(env *Env, spec *command.Spec, cl *client.Client) string {
	name := spec.Name
	if spec.Parent != nil {
		name = spec.Parent.Name
	}
	cmd, directive := "DEBUG", "enable-debug-command"
	if name == "module" {
		cmd, directive = "MODULE", "enable-module-command"
	}
	if allowProtected(env, cl, directive) {
		return ""
	}
	return errs.ProtectedCommand(cmd, directive)
}

// protectedAllowed tells whether a protected action governed by directive
// (yes, no, or local) is allowed for the context's client.
func protectedAllowed(c *Ctx, directive string) bool {
	return allowProtected(c.Env, c.Client, directive)
}

func allowProtected(env *Env, cl *client.Client, directive string) bool {
	switch env.Config.Get(directive) {
	case "yes":
		return true
	case "local":
		return IsLocalClient(cl)
	}
	return false
}

// IsLocalClient reports whether a client is connected through a Unix
// socket or from the loopback address, as Redis's islocalClient.
func IsLocalClient(cl *client.Client) bool {
	if cl == nil {
		return false
	}
	if _, ok := cl.Conn.(*net.UnixConn); ok {
		return true
	}
	host, _, err := net.SplitHostPort(cl.Addr)
	if err != nil {
		return false
	}
	return host == "127.0.0.1" || host == "::1"
}

// debugAtoi reads an integer as C's atoi: optional blanks and sign, then
// the digits up to the first other byte (0 when there are none).
func debugAtoi(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
