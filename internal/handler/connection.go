package handler

import (
	"crypto/subtle"
	"strings"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"ping":  ping,
		"echo":  echo,
		"quit":  quit,
		"hello": hello,
		"auth":  auth,
		"reset": reset,
	})
}

// PING [message]
//
// A RESP2 client in the subscriber context gets the reply in the shape of
// a message: ["pong", message or ""].
func ping(c *Ctx) {
	if len(c.Args) <= 2 && c.Client.PubSub() && c.Client.Proto() == 2 {
		c.Out.Array(2)
		c.Out.BulkString("pong")
		if len(c.Args) == 2 {
			c.Out.Bulk(c.Args[1])
		} else {
			c.Out.BulkString("")
		}
		return
	}
	switch len(c.Args) {
	case 1:
		c.Out.Simple("PONG")
	case 2:
		c.Out.Bulk(c.Args[1])
	default:
		c.Error(errs.WrongArity(c.Spec.Name))
	}
}

// ECHO message
func echo(c *Ctx) { c.Out.Bulk(c.Args[1]) }

// QUIT
func quit(c *Ctx) {
	c.OK()
	c.Client.CloseAfterReply = true
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func hello(c *Ctx) {
	ver := int64(0) // 0: keep the current protocol
	next := 1
	if len(c.Args) >= 2 {
		v, ok := resp.ParseInt(c.Args[1])
		if !ok {
			c.Error(errs.HelloProtoVersion)
			return
		}
		if v < 2 || v > 3 {
			c.Error(errs.NoProto)
			return
		}
		ver, next = v, 2
	}
	// Options take effect in order: an AUTH that succeeded stays even when
	// a later option fails, as in Redis.
	for j := next; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		opt := c.Args[j]
		switch {
		case strings.EqualFold(string(opt), "auth") && more >= 2:
			if !authenticate(c, c.Args[j+1], c.Args[j+2]) {
				c.Error(errs.WrongPass)
				return
			}
			j += 2
		case strings.EqualFold(string(opt), "setname") && more >= 1:
			if !setClientName(c.Client, c.Args[j+1]) {
				c.Error(errs.ClientNameInvalid)
				return
			}
			j++
		default:
			c.Error(errs.HelloOption(opt))
			return
		}
	}
	if !c.Client.Authenticated {
		c.Error(errs.HelloNoAuth)
		return
	}
	if ver != 0 {
		c.Client.SetProto(int(ver))
	}
	w := c.Out
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(c.Env.Version)
	w.BulkString("proto")
	w.Int(int64(c.Client.Proto()))
	w.BulkString("id")
	w.Int(c.Client.ID)
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
}

// AUTH [username] password
func auth(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(errs.Syntax)
		return
	}
	user, pass := []byte("default"), c.Args[1]
	if len(c.Args) == 2 {
		if c.Env.Config.Get("requirepass") == "" {
			c.Error(errs.AuthNotConfigured)
			return
		}
	} else {
		user, pass = c.Args[1], c.Args[2]
	}
	if !authenticate(c, user, pass) {
		c.Error(errs.WrongPass)
		return
	}
	c.OK()
}

// authenticate checks a username and password against Ember's one user,
// "default", whose password is requirepass (none: any password passes),
// and authenticates the connection when they match. A failure leaves the
// connection's state as it was.
func authenticate(c *Ctx, user, pass []byte) bool {
	if string(user) != "default" {
		return false
	}
	if want := c.Env.Config.Get("requirepass"); want != "" &&
		subtle.ConstantTimeCompare(pass, []byte(want)) != 1 {
		return false
	}
	setAuthenticated(c.Client, true)
	c.Client.User = "default"
	return true
}

// setAuthenticated sets the connection's authentication and the reader's
// limits for unauthenticated clients with it.
func setAuthenticated(cl *client.Client, ok bool) {
	cl.Authenticated = ok
	if cl.Reader != nil {
		cl.Reader.Unauthenticated = !ok
	}
}

// validClientName reports whether name may name a connection: printable
// ASCII without spaces, so that CLIENT LIST lines split on spaces.
func validClientName(name []byte) bool {
	for _, b := range name {
		if b < '!' || b > '~' {
			return false
		}
	}
	return true
}

// setClientName names the connection (an empty name removes the name), or
// reports false for a name validClientName rejects.
func setClientName(cl *client.Client, name []byte) bool {
	if !validClientName(name) {
		return false
	}
	cl.SetName(string(name))
	return true
}

// resetHooks are the subsystems' parts of RESET, run in registration
// order: leaving MULTI, unsubscribing, ... Other files register theirs
// from init with onClientReset.
var resetHooks []func(c *Ctx)

// onClientReset registers fn to run when a client sends RESET, before the
// connection state this file owns is reset.
func onClientReset(fn func(c *Ctx)) { resetHooks = append(resetHooks, fn) }

// RESET
func reset(c *Ctx) {
	for _, fn := range resetHooks {
		fn(c)
	}
	cl := c.Client
	cl.SetDB(0)
	cl.SetProto(2)
	setAuthenticated(cl, c.Env.Config.Get("requirepass") == "")
	cl.User = "default"
	cl.SetName("")
	// CLIENT REPLY OFF ends; a CLIENT REPLY SKIP sent just before RESET
	// still drops RESET's own reply (the dispatcher applies it), as in Redis.
	if cl.ReplyMode == client.ReplyOff {
		cl.ReplyMode = client.ReplyOn
	}
	c.Out.Simple("RESET")
}
