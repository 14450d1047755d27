package handler

import (
	"bytes"
	"math"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"expire":      expireCmd,
		"pexpire":     pexpireCmd,
		"expireat":    expireatCmd,
		"pexpireat":   pexpireatCmd,
		"ttl":         ttlCmd,
		"pttl":        pttlCmd,
		"expiretime":  expiretimeCmd,
		"pexpiretime": pexpiretimeCmd,
		"persist":     persistCmd,
	})
}

// expireCond is EXPIRE's optional condition.
type expireCond uint8

const (
	expireNX expireCond = 1 << iota // only when the key has no time to live
	expireXX                        // only when it has one
	expireGT                        // only when the new expiry is later
	expireLT                        // only when it is earlier
)

// expireParseCond parses the options after EXPIRE's time, replying an
// error when they are unknown or contradict each other.
func expireParseCond(c *Ctx) (expireCond, bool) {
	var cond expireCond
	for _, opt := range c.Args[3:] {
		switch {
		case bytes.EqualFold(opt, []byte("nx")):
			cond |= expireNX
		case bytes.EqualFold(opt, []byte("xx")):
			cond |= expireXX
		case bytes.EqualFold(opt, []byte("gt")):
			cond |= expireGT
		case bytes.EqualFold(opt, []byte("lt")):
			cond |= expireLT
		default:
			c.Error(errs.ExpireUnsupportedOption(opt))
			return 0, false
		}
	}
	if cond&expireNX != 0 && cond&(expireXX|expireGT|expireLT) != 0 {
		c.Error(errs.ExpireNXConflict)
		return 0, false
	}
	if cond&expireGT != 0 && cond&expireLT != 0 {
		c.Error(errs.ExpireGTLTConflict)
		return 0, false
	}
	return cond, true
}

// expireAllowed reports whether cond lets a key whose expiry time is cur
// (0: none, which counts as infinitely far away) get the expiry time at.
func expireAllowed(cond expireCond, cur, at int64) bool {
	switch {
	case cond&expireNX != 0 && cur != 0:
		return false
	case cond&expireXX != 0 && cur == 0:
		return false
	case cond&expireGT != 0 && (cur == 0 || at <= cur):
		return false
	case cond&expireLT != 0 && cur != 0 && at >= cur:
		return false
	}
	return true
}

// EXPIRE key seconds [NX | XX | GT | LT]
func expireCmd(c *Ctx) { expireGeneric(c, c.DB.Now, true) }

// PEXPIRE key milliseconds [NX | XX | GT | LT]
func pexpireCmd(c *Ctx) { expireGeneric(c, c.DB.Now, false) }

// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
func expireatCmd(c *Ctx) { expireGeneric(c, 0, true) }

// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
func pexpireatCmd(c *Ctx) { expireGeneric(c, 0, false) }

// expireGeneric sets a key's expiry time to base plus the time argument
// (in seconds when secs), in milliseconds. A time already past deletes the
// key, and still replies 1.
func expireGeneric(c *Ctx, base int64, secs bool) {
	cond, ok := expireParseCond(c)
	if !ok {
		return
	}
	at, ok := resp.ParseInt(c.Args[2])
	if !ok {
		c.Error(errs.NotInteger)
		return
	}
	if secs {
		if at > math.MaxInt64/1000 || at < math.MinInt64/1000 {
			c.Error(errs.InvalidExpire(c.Spec.Name))
			return
		}
		at *= 1000
	}
	if at > math.MaxInt64-base {
		c.Error(errs.InvalidExpire(c.Spec.Name))
		return
	}
	at += base
	key := c.Args[1]
	e := c.DB.Write(key)
	if e == nil || !expireAllowed(cond, c.DB.ExpireAt(key, e), at) {
		c.Out.Int(0)
		return
	}
	if at <= c.DB.Now {
		c.DB.Delete(key)
		c.Notify(notify.Generic, "del", key)
		c.Out.Int(1)
		return
	}
	c.DB.SetExpire(key, at)
	// Redis replies before it notifies here (a RESP3 client subscribed to
	// its own events sees the reply first).
	c.Out.Int(1)
	c.Notify(notify.Generic, "expire", key)
}

// TTL key
func ttlCmd(c *Ctx) { ttlGeneric(c, false, false) }

// PTTL key
func pttlCmd(c *Ctx) { ttlGeneric(c, true, false) }

// EXPIRETIME key
func expiretimeCmd(c *Ctx) { ttlGeneric(c, false, true) }

// PEXPIRETIME key
func pexpiretimeCmd(c *Ctx) { ttlGeneric(c, true, true) }

// ttlGeneric replies a key's time to live (abs: its expiry time), in
// milliseconds or in rounded seconds; -2 for no key, -1 for no expiry.
func ttlGeneric(c *Ctx, ms, abs bool) {
	e := c.DB.Lookup(c.Args[1], keyspace.NoTouch)
	switch {
	case e == nil:
		c.Out.Int(-2)
		return
	}
	ttl := c.DB.ExpireAt(c.Args[1], e)
	if ttl == 0 {
		c.Out.Int(-1)
		return
	}
	if !abs {
		ttl -= c.DB.Now
	}
	ttl = max(ttl, 0)
	if !ms {
		// Rounded to the nearest second; computed unsigned, as the sum
		// may pass the int64 range for expiry times near it.
		ttl = int64((uint64(ttl) + 500) / 1000)
	}
	c.Out.Int(ttl)
}

// PERSIST key
func persistCmd(c *Ctx) {
	key := c.Args[1]
	if c.DB.Write(key) != nil && c.DB.Persist(key) {
		c.Notify(notify.Generic, "persist", key)
		c.Out.Int(1)
		return
	}
	c.Out.Int(0)
}
