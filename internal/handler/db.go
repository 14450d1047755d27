package handler

import (
	"bytes"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"dbsize":   dbsizeCmd,
		"flushdb":  flushdbCmd,
		"flushall": flushallCmd,
		"swapdb":   swapdbCmd,
		"select":   selectCmd,
	})
}

// DBSIZE
//
// Keys whose time to live ran out but that were not reclaimed yet are
// counted, as Redis counts them.
func dbsizeCmd(c *Ctx) { c.Out.Int(int64(c.DB.Len())) }

// dbFlushArgs checks FLUSHDB's and FLUSHALL's optional ASYNC | SYNC. Both
// flush at once: dropping the tables is constant-time, the collector
// reclaims them.
func dbFlushArgs(c *Ctx) bool {
	switch {
	case len(c.Args) == 1:
		return true
	case len(c.Args) == 2 && (bytes.EqualFold(c.Args[1], []byte("async")) || bytes.EqualFold(c.Args[1], []byte("sync"))):
		return true
	}
	c.Error(errs.Syntax)
	return false
}

// FLUSHDB [ASYNC | SYNC]
func flushdbCmd(c *Ctx) {
	if !dbFlushArgs(c) {
		return
	}
	c.DB.Flush()
	c.OK()
}

// FLUSHALL [ASYNC | SYNC]
func flushallCmd(c *Ctx) {
	if !dbFlushArgs(c) {
		return
	}
	c.Env.Keyspace.FlushAll()
	c.OK()
}

// dbParseInt32 parses an argument as Redis's getIntFromObjectOrReply: an
// integer in the C int range. msg replaces both errors when not empty.
func dbParseInt32(c *Ctx, arg []byte, msg string) (int, bool) {
	n, ok := resp.ParseInt(arg)
	if ok && n >= -1<<31 && n <= 1<<31-1 {
		return int(n), true
	}
	switch {
	case msg != "":
		c.Error(msg)
	case !ok:
		c.Error(errs.NotInteger)
	default:
		c.Error(errs.IntRange)
	}
	return 0, false
}

// SWAPDB index1 index2
func swapdbCmd(c *Ctx) {
	a, ok := dbParseInt32(c, c.Args[1], errs.SwapDBFirst)
	if !ok {
		return
	}
	b, ok := dbParseInt32(c, c.Args[2], errs.SwapDBSecond)
	if !ok {
		return
	}
	n := c.Env.Keyspace.NumDB()
	if a < 0 || a >= n || b < 0 || b >= n {
		c.Error(errs.DBIndex)
		return
	}
	if a != b {
		c.Env.Keyspace.Swap(a, b)
	}
	c.OK()
}

// SELECT index
//
// SELECT takes no lock and touches no key: it only changes which database
// the connection's later commands see.
func selectCmd(c *Ctx) {
	idx, ok := genDBIndex(c, c.Args[1])
	if !ok {
		return
	}
	c.Client.SetDB(idx)
	c.OK()
}
