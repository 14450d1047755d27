package handler

import (
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/errs"
)

// The dispatcher queues the commands sent inside MULTI (see
// internal/server/dispatch.go); these handlers only open, run and drop
// the transaction, and keep the WATCH table.

func init() {
	register(map[string]Func{
		"multi":   multi,
		"exec":    exec,
		"discard": discard,
		"watch":   watchKeys,
		"unwatch": unwatch,
	})
	onClientReset(func(c *Ctx) { EndTransaction(c.Env, c.Client) })
}

// EndTransaction leaves MULTI if the client is in it, forgets its WATCHed
// keys and clears its dirty flag (DISCARD, after EXEC, RESET, disconnect).
func EndTransaction(env *Env, cl *client.Client) {
	cl.EndMulti()
	if env.Watches != nil {
		env.Watches.Unwatch(cl)
	}
	cl.SetFlag(client.FlagDirtyCAS, false)
}

// MULTI
func multi(c *Ctx) {
	if c.Client.MultiLen() >= 0 {
		c.Error(errs.MultiNested)
		return
	}
	c.Client.SetMultiLen(0)
	c.OK()
}

// EXEC
func exec(c *Ctx) {
	if c.Client.MultiLen() < 0 {
		c.Error(errs.ExecWithoutMulti)
		return
	}
	if c.Client.MultiError {
		c.Error(errs.ExecAbort)
		EndTransaction(c.Env, c.Client)
		return
	}
	c.Env.Exec(c)
}

// DISCARD
func discard(c *Ctx) {
	if c.Client.MultiLen() < 0 {
		c.Error(errs.DiscardNoMulti)
		return
	}
	EndTransaction(c.Env, c.Client)
	c.OK()
}

// WATCH key [key ...]
func watchKeys(c *Ctx) {
	cl := c.Client
	if cl.MultiLen() >= 0 {
		c.Error(errs.WatchInMulti)
		return
	}
	// A dirty client's EXEC fails anyway: nothing more to watch.
	if cl.Flags()&client.FlagDirtyCAS == 0 {
		for _, k := range c.Args[1:] {
			c.Env.Watches.Watch(cl, c.DB.Index, k, c.DB.IsExpired(string(k)))
		}
	}
	c.OK()
}

// UNWATCH
func unwatch(c *Ctx) {
	c.Env.Watches.Unwatch(c.Client)
	c.Client.SetFlag(client.FlagDirtyCAS, false)
	c.OK()
}
