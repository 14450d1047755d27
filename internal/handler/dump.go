package handler

import (
	"bytes"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"dump":    dumpCmd,
		"restore": restoreCmd,
	})
}

// DUMP key
func dumpCmd(c *Ctx) {
	e := c.DB.Read(c.Args[1])
	if e == nil {
		c.Out.Null()
		return
	}
	p, err := value.DumpPayloadWith(e.Value, c.Env.Config.Bool("rdbcompression"))
	if err != nil {
		c.Error(errs.DumpUnsupported)
		return
	}
	c.Out.Bulk(p)
}

// restoreOptions are RESTORE's options after the payload.
type restoreOptions struct {
	replace, absTTL bool
	idle, freq      int64 // -1 when not given
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency]
func restoreCmd(c *Ctx) {
	o := restoreOptions{idle: -1, freq: -1}
	for j := 4; j < len(c.Args); j++ {
		a, more := c.Args[j], len(c.Args)-j-1
		switch {
		case bytes.EqualFold(a, []byte("replace")):
			o.replace = true
		case bytes.EqualFold(a, []byte("absttl")):
			o.absTTL = true
		case bytes.EqualFold(a, []byte("idletime")) && more >= 1 && o.freq == -1:
			n, ok := c.Int(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				c.Error(errs.RestoreIdle)
				return
			}
			o.idle = n
			j++
		case bytes.EqualFold(a, []byte("freq")) && more >= 1 && o.idle == -1:
			n, ok := c.Int(j + 1)
			if !ok {
				return
			}
			if n < 0 || n > 255 {
				c.Error(errs.RestoreFreq)
				return
			}
			o.freq = n
			j++
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	key := c.Args[1]
	if !o.replace && c.DB.Write(key) != nil {
		c.Error(errs.BusyKey)
		return
	}
	ttl, ok := resp.ParseInt(c.Args[2])
	if !ok {
		c.Error(errs.NotInteger)
		return
	}
	if ttl < 0 {
		c.Error(errs.RestoreTTL)
		return
	}
	payload := c.Args[3]
	if !value.CheckPayload(payload) {
		c.Error(errs.DumpPayload)
		return
	}
	hashEntries, hashValue := hashLimits(c)
	v, err := value.LoadPayload(payload, value.RDBLimits{
		HashEntries: hashEntries,
		HashValue:   hashValue,
		SetIntset:   setsMaxIntset(c),
		ZSet:        zsetLimits(c),
	})
	if err != nil {
		c.Error(errs.DumpBadFormat)
		return
	}
	deleted := o.replace && c.DB.Delete(key)
	if ttl != 0 && !o.absTTL {
		ttl += c.DB.Now
	}
	if ttl != 0 && ttl <= c.DB.Now {
		// Already expired: nothing is created (a replaced key is gone).
		if deleted {
			c.Notify(notify.Generic, "del", key)
		}
		c.OK()
		return
	}
	c.DB.SetEntry(key, keyspace.Item{Value: v, ExpireAt: ttl})
	if o.idle >= 0 || o.freq >= 0 {
		if e := c.DB.Lookup(key, keyspace.NoTouch|keyspace.NoStats); e != nil {
			c.DB.SetAccessStats(e, min(o.idle, 1<<32)*1000, int(o.freq))
		}
	}
	c.Notify(notify.Generic, "restore", key)
	c.OK()
}
