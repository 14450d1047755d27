package handler

import (
	"strings"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/value"
)

func init() {
	register(map[string]Func{
		"object|help":     objectHelpCmd,
		"object|encoding": objectEncodingCmd,
		"object|freq":     objectFreqCmd,
		"object|idletime": objectIdletimeCmd,
		"object|refcount": objectRefcountCmd,
	})
}

// objectHelp is OBJECT HELP's reply, one status line each.
var objectHelp = []string{
	"OBJECT <subcommand> <key>, where <subcommand> is one of:",
	"ENCODING <key>",
	"    Name how the value at <key> is represented in memory (int, embstr, raw, ...).",
	"FREQ <key>",
	"    Give the logarithmic access counter of <key>; needs an LFU maxmemory-policy.",
	"IDLETIME <key>",
	"    Give the seconds since <key> was last read or written; not under an LFU policy.",
	"REFCOUNT <key>",
	"    Give how many references hold the value at <key>.",
	"HELP",
	"    Show these lines.",
}

// OBJECT HELP
func objectHelpCmd(c *Ctx) {
	c.Out.Array(len(objectHelp))
	for _, l := range objectHelp {
		c.Out.Simple(l)
	}
}

// objectLookup finds OBJECT's key without touching it (a hit or miss is
// counted, as Redis counts it), replying null when it is missing.
func objectLookup(c *Ctx) *keyspace.Entry {
	e := c.DB.Lookup(c.Args[2], keyspace.NoTouch|keyspace.NoNotify)
	if e == nil {
		c.Out.Null()
	}
	return e
}

// OBJECT ENCODING key
func objectEncodingCmd(c *Ctx) {
	if e := objectLookup(c); e != nil {
		c.Out.BulkString(e.Value.Encoding())
	}
}

// OBJECT FREQ key
func objectFreqCmd(c *Ctx) {
	e := objectLookup(c)
	if e == nil {
		return
	}
	ks := c.Env.Keyspace
	if !ks.LFU() {
		c.Error(errs.ObjectFreqNoLFU)
		return
	}
	c.Out.Int(int64(ks.Freq(e, c.DB.Now)))
}

// OBJECT IDLETIME key
func objectIdletimeCmd(c *Ctx) {
	e := objectLookup(c)
	if e == nil {
		return
	}
	if c.Env.Keyspace.LFU() {
		c.Error(errs.ObjectIdleLFU)
		return
	}
	c.Out.Int(keyspace.IdleMs(e, c.DB.Now) / 1000)
}

// objectSharedRefcount is the reference count Redis reports for its
// shared objects.
const objectSharedRefcount = 1<<31 - 1

// objectSharedInts is how many small integers Redis shares (0..9999).
const objectSharedInts = 10000

// OBJECT REFCOUNT key
//
// Redis stores small non-negative integer strings as shared objects unless
// an LRU or LFU maxmemory policy is in force with maxmemory set; every
// other value has one reference.
func objectRefcountCmd(c *Ctx) {
	e := objectLookup(c)
	if e == nil {
		return
	}
	c.Out.Int(objectRefcount(c, e))
}

func objectRefcount(c *Ctx, e *keyspace.Entry) int64 {
	s, ok := e.Value.(value.StringValue)
	if !ok || e.Unshared() || s.Encoding() != value.EncInt {
		return 1
	}
	if n, ok := s.Int(); !ok || n < 0 || n >= objectSharedInts {
		return 1
	}
	if cfg := c.Env.Config; cfg != nil && cfg.Int("maxmemory") != 0 {
		policy := cfg.Get("maxmemory-policy")
		if strings.Contains(policy, "lru") || strings.Contains(policy, "lfu") {
			return 1
		}
	}
	return objectSharedRefcount
}
