package handler

import (
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"slowlog|get":   slowlogGetCmd,
		"slowlog|len":   slowlogLenCmd,
		"slowlog|reset": slowlogResetCmd,
		"slowlog|help":  slowlogHelpCmd,
	})
}

// SLOWLOG GET [count]: the newest count entries (10 by default, -1 for
// all), each [id, unix time, microseconds, [arguments], address, name].
func slowlogGetCmd(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(errs.SubcommandSyntax(c.Args[1], "SLOWLOG"))
		return
	}
	count := int64(10)
	if len(c.Args) == 3 {
		n, ok := resp.ParseInt(c.Args[2])
		if !ok || n < -1 {
			c.Error(errs.SlowlogCount)
			return
		}
		count = n
	}
	entries := c.Env.Slowlog.Get(count)
	c.Out.Array(len(entries))
	for _, e := range entries {
		c.Out.Array(6)
		c.Out.Int(e.ID)
		c.Out.Int(e.Time)
		c.Out.Int(e.Duration)
		c.Out.Array(len(e.Args))
		for _, a := range e.Args {
			c.Out.Bulk(a)
		}
		c.Out.BulkString(e.Peer)
		c.Out.BulkString(e.Name)
	}
}

// SLOWLOG LEN
func slowlogLenCmd(c *Ctx) { c.Out.Int(int64(c.Env.Slowlog.Len())) }

// SLOWLOG RESET
func slowlogResetCmd(c *Ctx) {
	c.Env.Slowlog.Reset()
	c.OK()
}

// SLOWLOG HELP
func slowlogHelpCmd(c *Ctx) {
	writeSubcommandHelp(c, "SLOWLOG", []string{
		"GET [<count>]",
		"    The newest <count> entries (10 by default, -1 for all), each: id, Unix",
		"    time, microseconds, arguments, client address and client name.",
		"LEN",
		"    The number of entries.",
		"RESET",
		"    Empty the log.",
	})
}
