package handler

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/tracking"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"client|caching":      clientCaching,
		"client|getname":      clientGetName,
		"client|getredir":     clientGetRedir,
		"client|help":         clientHelp,
		"client|id":           clientID,
		"client|info":         clientInfo,
		"client|kill":         clientKill,
		"client|list":         clientList,
		"client|no-evict":     clientNoEvict,
		"client|no-touch":     clientNoTouch,
		"client|pause":        clientPause,
		"client|reply":        clientReply,
		"client|setinfo":      clientSetInfo,
		"client|setname":      clientSetName,
		"client|tracking":     clientTracking,
		"client|trackinginfo": clientTrackingInfo,
		"client|unblock":      clientUnblock,
		"client|unpause":      clientUnpause,
	})
	// RESET ends CLIENT NO-TOUCH (Redis 7.2); lib-name and lib-ver stay.
	onClientReset(func(c *Ctx) { c.Client.SetNoTouch(false) })
}

// clientArgIs reports whether argument i is word, case-insensitively.
func clientArgIs(c *Ctx, i int, word string) bool {
	return strings.EqualFold(string(c.Args[i]), word)
}

// clientSyntaxError is Redis's reply to a CLIENT subcommand called with an
// argument count its own parser does not accept.
func clientSyntaxError(c *Ctx) { c.Error(errs.SubcommandSyntax(c.Args[1], "CLIENT")) }

// CLIENT ID
func clientID(c *Ctx) { c.Out.Int(c.Client.ID) }

// CLIENT GETNAME
func clientGetName(c *Ctx) {
	if name := c.Client.Name(); name != "" {
		c.Out.BulkString(name)
		return
	}
	c.Out.Null()
}

// CLIENT SETNAME connection-name
func clientSetName(c *Ctx) {
	if !setClientName(c.Client, c.Args[2]) {
		c.Error(errs.ClientNameInvalid)
		return
	}
	c.OK()
}

// CLIENT INFO
func clientInfo(c *Ctx) {
	line := appendClientLine(nil, c, c.Client)
	c.Out.Verbatim("txt", append(line, '\n'))
}

// clientType is a client's class for the TYPE filters.
type clientType uint8

const (
	clientNormal clientType = iota
	clientReplica
	clientPubSub
	clientMaster
	clientAnyType
)

func parseClientType(name []byte) (clientType, bool) {
	switch strings.ToLower(string(name)) {
	case "normal":
		return clientNormal, true
	case "slave", "replica":
		return clientReplica, true
	case "pubsub":
		return clientPubSub, true
	case "master":
		return clientMaster, true
	}
	return 0, false
}

func typeOfClient(cl *client.Client) clientType {
	if cl.PubSub() {
		return clientPubSub
	}
	return clientNormal
}

// CLIENT LIST [TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id [client-id ...]]
func clientList(c *Ctx) {
	var out []byte
	switch {
	case len(c.Args) == 4 && clientArgIs(c, 2, "type"):
		typ, ok := parseClientType(c.Args[3])
		if !ok {
			c.Error(errs.ClientTypeUnknown(c.Args[3]))
			return
		}
		for _, cl := range c.Env.Clients.List() {
			if typeOfClient(cl) == typ {
				out = appendClientLine(out, c, cl)
				out = append(out, '\n')
			}
		}
	case len(c.Args) > 3 && clientArgIs(c, 2, "id"):
		for _, a := range c.Args[3:] {
			id, ok := resp.ParseInt(a)
			if !ok {
				c.Error(errs.ClientIDInvalid)
				return
			}
			if cl := c.Env.Clients.Get(id); cl != nil {
				out = appendClientLine(out, c, cl)
				out = append(out, '\n')
			}
		}
	case len(c.Args) == 2:
		for _, cl := range c.Env.Clients.List() {
			out = appendClientLine(out, c, cl)
			out = append(out, '\n')
		}
	default:
		c.Error(errs.Syntax)
		return
	}
	if out == nil {
		out = []byte{}
	}
	c.Out.Verbatim("txt", out)
}

// appendClientLine appends cl's CLIENT LIST line, without the newline. The
// fields and their order are Redis 7.0's; the buffer and memory figures,
// which describe Redis's internals, are reported as 0.
func appendClientLine(b []byte, c *Ctx, cl *client.Client) []byte {
	self := cl == c.Client
	b = append(b, "id="...)
	b = strconv.AppendInt(b, cl.ID, 10)
	b = append(b, " addr="...)
	b = append(b, cl.Addr...)
	b = append(b, " laddr="...)
	b = append(b, cl.LAddr...)
	b = append(b, " fd="...)
	b = strconv.AppendInt(b, int64(cl.FD), 10)
	b = append(b, " name="...)
	b = append(b, cl.Name()...)
	b = append(b, " age="...)
	b = strconv.AppendInt(b, max(0, int64(c.Now.Sub(cl.Created)/time.Second)), 10)
	b = append(b, " idle="...)
	idle := int64(0)
	if !self {
		idle = max(0, int64(time.Since(cl.LastSeen())/time.Second))
	}
	b = strconv.AppendInt(b, idle, 10)
	b = append(b, " flags="...)
	tmode, tredir, _ := tracking.For(c.Env.Clients).Info(cl.ID)
	b = appendClientFlags(b, cl, IsMonitor(c.Env, cl), self && c.Client.CloseAfterReply, tmode)
	b = append(b, " db="...)
	b = strconv.AppendInt(b, int64(cl.DB()), 10)
	sub, psub, ssub := cl.Subscriptions()
	b = append(b, " sub="...)
	b = strconv.AppendInt(b, int64(sub), 10)
	b = append(b, " psub="...)
	b = strconv.AppendInt(b, int64(psub), 10)
	b = append(b, " ssub="...)
	b = strconv.AppendInt(b, int64(ssub), 10)
	b = append(b, " multi="...)
	b = strconv.AppendInt(b, int64(cl.MultiLen()), 10)
	// The calling client's query buffer holds its command while it runs
	// (as its multibulk request), and its arguments are in memory.
	qbuf, argvMem := 0, 0
	if self {
		qbuf, argvMem = clientRequestSize(c.Args)
	}
	b = append(b, " qbuf="...)
	b = strconv.AppendInt(b, int64(qbuf), 10)
	b = append(b, " qbuf-free=0 argv-mem="...)
	b = strconv.AppendInt(b, int64(argvMem), 10)
	b = append(b, " multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd="...)
	switch last := cl.LastCmd(); {
	case self:
		b = append(b, c.Spec.Name...)
	case last != nil:
		b = append(b, last.Name...)
	default:
		b = append(b, "NULL"...)
	}
	b = append(b, " user=default redir="...)
	if tmode&tracking.On == 0 {
		tredir = -1
	}
	b = strconv.AppendInt(b, tredir, 10)
	b = append(b, " resp="...)
	b = strconv.AppendInt(b, int64(cl.Proto()), 10)
	return b
}

// appendClientFlags appends the flags field: one letter per state, in
// Redis's order, or N for none.
func appendClientFlags(b []byte, cl *client.Client, monitor, closing bool, tmode tracking.Mode) []byte {
	start := len(b)
	f := cl.Flags()
	if monitor {
		b = append(b, 'O')
	}
	if cl.PubSub() {
		b = append(b, 'P')
	}
	if cl.MultiLen() >= 0 {
		b = append(b, 'x')
	}
	if f&client.FlagBlocked != 0 {
		b = append(b, 'b')
	}
	if tmode&tracking.On != 0 {
		b = append(b, 't')
	}
	if tmode&tracking.BrokenRedir != 0 {
		b = append(b, 'R')
	}
	if tmode&tracking.BCast != 0 {
		b = append(b, 'B')
	}
	if f&client.FlagDirtyCAS != 0 {
		b = append(b, 'd')
	}
	if closing {
		b = append(b, 'c')
	}
	if cl.NoEvict() {
		b = append(b, 'e')
	}
	if len(b) == start {
		b = append(b, 'N')
	}
	return b
}

// CLIENT KILL ip:port
// CLIENT KILL [ID client-id] [TYPE NORMAL | MASTER | SLAVE | REPLICA | PUBSUB]
// [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES | NO] ...
func clientKill(c *Ctx) {
	var (
		addr, laddr []byte
		typ         = clientAnyType
		id          int64
		skipMe      = true
	)
	oldForm := len(c.Args) == 3
	if oldForm {
		addr = c.Args[2]
		skipMe = false // the old form may kill the caller
	} else {
		for i := 2; i < len(c.Args); i += 2 {
			if i+1 >= len(c.Args) {
				c.Error(errs.Syntax)
				return
			}
			val := c.Args[i+1]
			switch strings.ToLower(string(c.Args[i])) {
			case "id":
				n, ok := resp.ParseInt(val)
				if !ok || n < 1 {
					c.Error(errs.ClientIDPositive)
					return
				}
				id = n
			case "type":
				t, ok := parseClientType(val)
				if !ok {
					c.Error(errs.ClientTypeUnknown(val))
					return
				}
				typ = t
			case "addr":
				addr = val
			case "laddr":
				laddr = val
			case "user":
				if string(val) != "default" {
					c.Error(errs.NoSuchUser(val))
					return
				}
			case "skipme":
				switch {
				case strings.EqualFold(string(val), "yes"):
					skipMe = true
				case strings.EqualFold(string(val), "no"):
					skipMe = false
				default:
					c.Error(errs.Syntax)
					return
				}
			default:
				c.Error(errs.Syntax)
				return
			}
		}
	}
	killed, killSelf := 0, false
	for _, cl := range c.Env.Clients.List() {
		if addr != nil && cl.Addr != string(addr) ||
			laddr != nil && cl.LAddr != string(laddr) ||
			typ != clientAnyType && typeOfClient(cl) != typ ||
			id != 0 && cl.ID != id ||
			cl == c.Client && skipMe {
			continue
		}
		if cl == c.Client {
			killSelf = true
		} else {
			cl.Kill()
			c.Env.Clients.Remove(cl)
		}
		killed++
	}
	switch {
	case !oldForm:
		c.Out.Int(int64(killed))
	case killed == 0:
		c.Error(errs.NoSuchClient)
	default:
		c.OK()
	}
	if killSelf {
		c.Client.CloseAfterReply = true
	}
}

// CLIENT NO-EVICT ON | OFF
func clientNoEvict(c *Ctx) {
	switch {
	case clientArgIs(c, 2, "on"):
		c.Client.SetNoEvict(true)
	case clientArgIs(c, 2, "off"):
		c.Client.SetNoEvict(false)
	default:
		c.Error(errs.Syntax)
		return
	}
	c.OK()
}

// CLIENT NO-TOUCH ON | OFF
//
// While ON, the connection's commands leave the access time and LFU
// counter of the keys they read alone (the dispatcher passes the flag to
// the keyspace view); TOUCH still touches. RESET turns it off.
func clientNoTouch(c *Ctx) {
	switch {
	case clientArgIs(c, 2, "on"):
		c.Client.SetNoTouch(true)
	case clientArgIs(c, 2, "off"):
		c.Client.SetNoTouch(false)
	default:
		c.Error(errs.Syntax)
		return
	}
	c.OK()
}

// CLIENT SETINFO LIB-NAME libname | LIB-VER libver
//
// Redis 7.2's command: the values are kept on the client (RESET leaves
// them); an empty value clears one. Ember's CLIENT LIST keeps Redis 7.0's
// fields, so it does not show them.
func clientSetInfo(c *Ctx) {
	var set func(string)
	switch {
	case clientArgIs(c, 2, "lib-name"):
		set = c.Client.SetLibName
	case clientArgIs(c, 2, "lib-ver"):
		set = c.Client.SetLibVer
	default:
		c.Error(errs.SetinfoOption(c.Args[2]))
		return
	}
	val := c.Args[3]
	if !validClientInfoAttr(val) {
		c.Error(errs.SetinfoValueInvalid(c.Args[2]))
		return
	}
	set(string(val))
	c.OK()
}

// validClientInfoAttr reports whether a CLIENT SETINFO value may be stored:
// every byte before the first NUL (Redis checks it as a C string) is
// printable ASCII other than space.
func validClientInfoAttr(v []byte) bool {
	for _, b := range v {
		if b == 0 {
			break
		}
		if b < '!' || b > '~' {
			return false
		}
	}
	return true
}

// CLIENT PAUSE timeout [WRITE | ALL]
func clientPause(c *Ctx) {
	if len(c.Args) > 4 {
		clientSyntaxError(c)
		return
	}
	writeOnly := false
	if len(c.Args) == 4 {
		switch {
		case clientArgIs(c, 3, "write"):
			writeOnly = true
		case clientArgIs(c, 3, "all"):
		default:
			c.Error(errs.PauseMode)
			return
		}
	}
	ms, ok := resp.ParseInt(c.Args[2])
	if !ok {
		c.Error(errs.PauseTimeout)
		return
	}
	if ms < 0 {
		c.Error(errs.TimeoutNegative)
		return
	}
	// Pauses run on the wall clock: they hold real connections.
	const maxMs = int64(math.MaxInt64 / int64(time.Millisecond))
	until := time.Now().Add(time.Duration(min(ms, maxMs/2)) * time.Millisecond)
	c.Env.Pause.Start(until, writeOnly)
	c.OK()
}

// CLIENT UNPAUSE
func clientUnpause(c *Ctx) {
	c.Env.Pause.Stop()
	c.OK()
}

// CLIENT REPLY ON | OFF | SKIP
func clientReply(c *Ctx) {
	switch {
	case clientArgIs(c, 2, "on"):
		c.Client.ReplyMode = client.ReplyOn
		c.OK()
	case clientArgIs(c, 2, "off"):
		c.Client.ReplyMode = client.ReplyOff
	case clientArgIs(c, 2, "skip"):
		if c.Client.ReplyMode != client.ReplyOff {
			c.Client.ReplyMode = client.ReplySkip
		}
	default:
		c.Error(errs.Syntax)
	}
}

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
func clientUnblock(c *Ctx) {
	if len(c.Args) > 4 {
		clientSyntaxError(c)
		return
	}
	withError := false
	if len(c.Args) == 4 {
		switch {
		case clientArgIs(c, 3, "timeout"):
		case clientArgIs(c, 3, "error"):
			withError = true
		default:
			c.Error(errs.UnblockReason)
			return
		}
	}
	id, ok := resp.ParseInt(c.Args[2])
	if !ok {
		c.Error(errs.NotInteger)
		return
	}
	if cl := c.Env.Clients.Get(id); cl != nil && cl.Unblock(withError) {
		c.Out.Int(1)
		return
	}
	c.Out.Int(0)
}

// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO are in tracking.go.

// CLIENT HELP
func clientHelp(c *Ctx) {
	writeSubcommandHelp(c, "CLIENT", []string{
		"CACHING (YES|NO)",
		"    With OPTIN or OPTOUT tracking, whether the next command's keys are tracked.",
		"GETNAME",
		"    This connection's name.",
		"GETREDIR",
		"    ID of the client that receives this connection's invalidations, -1 if none.",
		"ID",
		"    This connection's ID.",
		"INFO",
		"    This connection, described as in CLIENT LIST.",
		"KILL <ip:port>",
		"    Close the connection from <ip:port>.",
		"KILL <filter> <value> [<filter> <value> ...]",
		"    Close every connection that matches all the filters:",
		"    * ID <client-id>",
		"    * ADDR <ip:port>       the client's address",
		"    * LADDR <ip:port>      the server address it connected to",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"    * USER <username>",
		"    * SKIPME (YES|NO)      whether to spare this connection (default YES)",
		"LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> ...]",
		"    One line per connection, optionally of one type or with the given IDs.",
		"NO-EVICT (ON|OFF)",
		"    Exempt this connection from client eviction, or not.",
		"NO-TOUCH (ON|OFF)",
		"    Keep this connection's reads from updating keys' access time and frequency, or not.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Hold the commands of all clients (or only writes) for <timeout> ms.",
		"REPLY (ON|OFF|SKIP)",
		"    Send replies, stop sending them, or drop the next one only.",
		"SETINFO (LIB-NAME|LIB-VER) <value>",
		"    Record the client library's name or version.",
		"SETNAME <name>",
		"    Name this connection.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> ...] [OPTIN] [OPTOUT] [NOLOOP]",
		"    Server-assisted client-side caching: invalidation pushes for the keys this connection reads.",
		"TRACKINGINFO",
		"    This connection's client-side caching state.",
		"UNBLOCK <client-id> [TIMEOUT|ERROR]",
		"    Wake a client blocked in a blocking command.",
		"UNPAUSE",
		"    End a CLIENT PAUSE.",
	})
}

// clientRequestSize returns the size of args sent as a multibulk request
// and the total length of the arguments.
func clientRequestSize(args [][]byte) (request, argLen int) {
	var digits [20]byte
	request = 1 + len(strconv.AppendInt(digits[:0], int64(len(args)), 10)) + 2
	for _, a := range args {
		request += 1 + len(strconv.AppendInt(digits[:0], int64(len(a)), 10)) + 2 + len(a) + 2
		argLen += len(a)
	}
	return request, argLen
}

// pausedCounts counts, per server (by its Pause), the clients waiting out
// CLIENT PAUSE.
var pausedCounts sync.Map // *Pause -> *atomic.Int64

func pausedCounter(p *Pause) *atomic.Int64 {
	if v, ok := pausedCounts.Load(p); ok {
		return v.(*atomic.Int64)
	}
	v, _ := pausedCounts.LoadOrStore(p, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// PausedClients is how many clients wait out CLIENT PAUSE now.
func PausedClients(p *Pause) int64 { return pausedCounter(p).Load() }

// WaitPaused holds c, whose command spec must wait out CLIENT PAUSE, until
// ch closes. Meanwhile, as in Redis, CLIENT LIST shows it blocked (flag b)
// on its command and INFO counts it among blocked_clients.
func WaitPaused(env *Env, c *client.Client, spec *command.Spec, ch <-chan struct{}) {
	n := pausedCounter(env.Pause)
	c.Seen(spec, time.Now())
	c.SetFlag(client.FlagBlocked, true)
	n.Add(1)
	<-ch
	n.Add(-1)
	c.SetFlag(client.FlagBlocked, false)
}
