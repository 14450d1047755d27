package handler

import (
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/value"
)

// typedValue is Redis's checkType: it returns the value of type T an entry
// holds, the zero T (and ok) for a missing key, and ok false, after
// replying WRONGTYPE, when the key holds another type.
func typedValue[T value.Value](c *Ctx, e *keyspace.Entry) (v T, ok bool) {
	if e == nil {
		return v, true
	}
	v, ok = e.Value.(T)
	if !ok {
		c.Error(errs.WrongType)
	}
	return v, ok
}

// scanOptions are the options of SCAN, HSCAN, SSCAN and ZSCAN.
type scanOptions struct {
	count int64
	// pattern is nil when every element matches (no MATCH, or MATCH *).
	pattern []byte
	// typeName is SCAN's TYPE filter, nil when absent.
	typeName []byte
}

// parseScanOptions parses [MATCH pattern] [COUNT count] from argument from
// on, and [TYPE type] when withType (SCAN only), as Redis's
// scanGenericCommand: a COUNT below 1 and any other word are syntax errors.
func parseScanOptions(c *Ctx, from int, withType bool) (o scanOptions, ok bool) {
	o.count = 10
	args := c.Args
	for i := from; i < len(args); i += 2 {
		more := i+1 < len(args)
		switch opt := args[i]; {
		case more && strOptIs(opt, "COUNT"):
			n, ok := c.Int(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				c.Error(errs.Syntax)
				return o, false
			}
			o.count = n
		case more && strOptIs(opt, "MATCH"):
			o.pattern = args[i+1]
			if len(o.pattern) == 1 && o.pattern[0] == '*' {
				o.pattern = nil
			}
		case more && withType && strOptIs(opt, "TYPE"):
			o.typeName = args[i+1]
		default:
			c.Error(errs.Syntax)
			return o, false
		}
	}
	return o, true
}

// scanPrologue is the common start of HSCAN, SSCAN and ZSCAN, in Redis's
// order: parse the cursor, look the key up (WRONGTYPE; an empty scan for a
// missing key, whatever options follow), then parse the options. ok is
// false when it has replied.
func scanPrologue[T value.Value](c *Ctx) (v T, cursor uint64, opts scanOptions, ok bool) {
	if cursor, ok = genParseCursor(c.Args[2]); !ok {
		c.Error(errs.InvalidCursor)
		return v, 0, opts, false
	}
	e := c.DB.Read(c.Args[1])
	if v, ok = typedValue[T](c, e); !ok {
		return v, 0, opts, false
	}
	if e == nil {
		c.Out.Array(2)
		c.Out.BulkString("0")
		c.Out.Array(0)
		return v, 0, opts, false
	}
	opts, ok = parseScanOptions(c, 3, false)
	return v, cursor, opts, ok
}
