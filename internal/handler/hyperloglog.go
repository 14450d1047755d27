package handler

import (
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
)

func init() {
	register(map[string]Func{
		"pfadd":      pfadd,
		"pfcount":    pfcount,
		"pfmerge":    pfmerge,
		"pfdebug":    pfdebug,
		"pfselftest": pfselftest,
	})
}

// HyperLogLogs are strings in Redis's HLL layout (see value/hll.go); the
// commands check the layout's header before using one.

// hllValue returns the HLL string an entry holds (nil for a missing key).
// ok is false after a reply: plain WRONGTYPE for another type, the HLL
// WRONGTYPE for a string that is not an HLL.
func hllValue(c *Ctx, e *keyspace.Entry) (value.StringValue, bool) {
	s, ok := strValue(c, e)
	if !ok || s == nil {
		return s, ok
	}
	if s.Encoding() == value.EncInt || !value.HLLValid(s.Bytes()) {
		c.Error(errs.HLLWrongType)
		return nil, false
	}
	return s, true
}

// hllSparseMax is the hll-sparse-max-bytes directive.
func hllSparseMax(c *Ctx) int64 { return c.Env.Config.Int("hll-sparse-max-bytes") }

// PFADD key [element [element ...]]
func pfadd(c *Ctx) {
	key := c.Args[1]
	e := c.DB.Write(key)
	sv, ok := hllValue(c, e)
	if !ok {
		return
	}
	updated := 0
	var s *value.String
	if sv == nil {
		s = value.NewHLL()
		c.DB.Set(key, s)
		updated++
	} else {
		s = c.DB.Unshare(key, e)
		s.SetRaw() // Redis unshares the string it changes: "raw"
	}
	limit := hllSparseMax(c)
	for _, ele := range c.Args[2:] {
		switch value.HLLAdd(s, ele, limit) {
		case 1:
			updated++
		case -1:
			c.Error(errs.HLLCorrupt)
			return
		}
	}
	if updated > 0 {
		value.HLLInvalidate(s.B)
		c.Notify(notify.String, "pfadd", key)
		c.Out.Int(1)
		return
	}
	c.Out.Int(0)
}

// PFCOUNT key [key ...]
func pfcount(c *Ctx) {
	if len(c.Args) > 2 {
		var regs [value.HLLRegisters]uint8
		for _, key := range c.Args[1:] {
			s, ok := hllValue(c, c.DB.Read(key))
			if !ok {
				return
			}
			if s == nil {
				continue
			}
			if !value.HLLMerge(&regs, s.Bytes()) {
				c.Error(errs.HLLCorrupt)
				return
			}
		}
		c.Out.Int(int64(value.HLLCountRegisters(&regs)))
		return
	}
	key := c.Args[1]
	e := c.DB.Read(key)
	sv, ok := hllValue(c, e)
	if !ok {
		return
	}
	if sv == nil {
		c.Out.Int(0)
		return
	}
	// Counting caches the cardinality in the string.
	s := c.DB.Unshare(key, e)
	s.SetRaw()
	card, cached := value.HLLCached(s.B)
	if !cached {
		card, ok = value.HLLCount(s.B)
		if !ok {
			c.Error(errs.HLLCorrupt)
			return
		}
		value.HLLSetCached(s.B, card)
	}
	c.Out.Int(int64(card))
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
func pfmerge(c *Ctx) {
	var regs [value.HLLRegisters]uint8
	dense := false
	for _, key := range c.Args[1:] {
		s, ok := hllValue(c, c.DB.Read(key))
		if !ok {
			return
		}
		if s == nil {
			continue
		}
		if value.HLLIsDense(s.Bytes()) {
			dense = true
		}
		if !value.HLLMerge(&regs, s.Bytes()) {
			c.Error(errs.HLLCorrupt)
			return
		}
	}
	key := c.Args[1]
	var dst *value.String
	if e := c.DB.Write(key); e != nil {
		dst = c.DB.Unshare(key, e) // a string: checked above
		dst.SetRaw()
	} else {
		dst = value.NewHLL()
		c.DB.Set(key, dst)
	}
	if dense {
		if _, ok := value.HLLToDense(dst); !ok {
			c.Error(errs.HLLCorrupt)
			return
		}
	}
	limit := hllSparseMax(c)
	for i, v := range regs {
		if v != 0 {
			value.HLLSetRegister(dst, i, v, limit)
		}
	}
	value.HLLInvalidate(dst.B)
	// Redis calls a merge a "pfadd" too.
	c.Notify(notify.String, "pfadd", key)
	c.OK()
}

// PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key
func pfdebug(c *Ctx) {
	key := c.Args[2]
	e := c.DB.Write(key)
	sv, ok := hllValue(c, e)
	if !ok {
		return
	}
	if sv == nil {
		c.Error(errs.HLLNoKey)
		return
	}
	s := c.DB.Unshare(key, e)
	s.SetRaw()
	switch sub := c.Args[1]; {
	case strOptIs(sub, "GETREG"):
		if _, ok := value.HLLToDense(s); !ok {
			c.Error(errs.HLLCorrupt)
			return
		}
		regs := value.HLLRegistersOf(s.B)
		c.Out.Array(len(regs))
		for _, v := range regs {
			c.Out.Int(int64(v))
		}
	case strOptIs(sub, "DECODE"):
		if value.HLLIsDense(s.B) {
			c.Error(errs.HLLNotSparse)
			return
		}
		c.Out.BulkString(value.HLLDecode(s.B))
	case strOptIs(sub, "ENCODING"):
		if value.HLLIsDense(s.B) {
			c.Out.Simple("dense")
		} else {
			c.Out.Simple("sparse")
		}
	case strOptIs(sub, "TODENSE"):
		converted, ok := value.HLLToDense(s)
		if !ok {
			c.Error(errs.HLLCorrupt)
			return
		}
		if converted {
			c.Out.Int(1)
		} else {
			c.Out.Int(0)
		}
	default:
		c.Error(errs.PFDebugUnknown(sub))
	}
}

// PFSELFTEST
func pfselftest(c *Ctx) {
	if msg := value.HLLSelfTest(hllSparseMax(c)); msg != "" {
		c.Error(msg)
		return
	}
	c.OK()
}
