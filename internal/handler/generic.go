package handler

import (
	"bytes"
	"strings"
	"time"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"del":       delCmd,
		"unlink":    unlinkCmd,
		"exists":    existsCmd,
		"type":      typeCmd,
		"touch":     touchCmd,
		"rename":    renameCmd,
		"renamenx":  renamenxCmd,
		"copy":      copyCmd,
		"move":      moveCmd,
		"keys":      keysCmd,
		"scan":      scanCmd,
		"randomkey": randomkeyCmd,
		"wait":      waitCmd,
	})
}

// DEL key [key ...]
func delCmd(c *Ctx) {
	n := int64(0)
	for _, k := range c.Args[1:] {
		if c.DB.Delete(k) {
			c.Notify(notify.Generic, "del", k)
			n++
		}
	}
	c.Out.Int(n)
}

// UNLINK key [key ...]
//
// Dropping the last reference is all a delete costs here; the garbage
// collector reclaims the memory in the background, so UNLINK is DEL.
func unlinkCmd(c *Ctx) { delCmd(c) }

// EXISTS key [key ...]
func existsCmd(c *Ctx) {
	n := int64(0)
	for _, k := range c.Args[1:] {
		if c.DB.Lookup(k, keyspace.NoTouch) != nil {
			n++
		}
	}
	c.Out.Int(n)
}

// genTypeName is the name TYPE (and SCAN ... TYPE) gives an entry's type.
func genTypeName(e *keyspace.Entry) string {
	if e == nil {
		return "none"
	}
	return e.Value.Type().String()
}

// TYPE key
func typeCmd(c *Ctx) {
	c.Out.Simple(genTypeName(c.DB.Lookup(c.Args[1], keyspace.NoTouch)))
}

// TOUCH key [key ...]
func touchCmd(c *Ctx) {
	// TOUCH updates access times even for a CLIENT NO-TOUCH client, as in
	// Redis 7.2.
	db := c.DB
	db.NoTouch = false
	n := int64(0)
	for _, k := range c.Args[1:] {
		if db.Read(k) != nil {
			n++
		}
	}
	c.Out.Int(n)
}

// RENAME key newkey
func renameCmd(c *Ctx) { genRename(c, false) }

// RENAMENX key newkey
func renamenxCmd(c *Ctx) { genRename(c, true) }

// genRename moves a key's entry, value, time to live and access data, to
// a new name. With nx it leaves an existing destination alone.
func genRename(c *Ctx, nx bool) {
	src, dst := c.Args[1], c.Args[2]
	if c.DB.Write(src) == nil {
		c.Error(errs.NoSuchKey)
		return
	}
	if bytes.Equal(src, dst) {
		if nx {
			c.Out.Int(0)
		} else {
			c.OK()
		}
		return
	}
	if c.DB.Write(dst) != nil {
		if nx {
			c.Out.Int(0)
			return
		}
		// As Redis, the old destination goes first, so the key is new
		// again ("new" notification).
		c.DB.Delete(dst)
	}
	e, _ := c.DB.Take(src)
	c.DB.Put(dst, e)
	c.Notify(notify.Generic, "rename_from", src)
	c.Notify(notify.Generic, "rename_to", dst)
	if nx {
		c.Out.Int(1)
	} else {
		c.OK()
	}
}

// genDBIndex parses a database index as Redis's getIntFromObjectOrReply
// followed by selectDb: an integer, in the int range, naming a database.
func genDBIndex(c *Ctx, arg []byte) (int, bool) {
	n, ok := dbParseInt32(c, arg, "")
	if !ok {
		return 0, false
	}
	if n < 0 || n >= c.Env.Keyspace.NumDB() {
		c.Error(errs.DBIndex)
		return 0, false
	}
	return n, true
}

// COPY source destination [DB destination-db] [REPLACE]
func copyCmd(c *Ctx) {
	src, dst := c.Args[1], c.Args[2]
	dstDB := c.DB
	replace := false
	for i := 3; i < len(c.Args); i++ {
		switch opt := c.Args[i]; {
		case bytes.EqualFold(opt, []byte("replace")):
			replace = true
		case bytes.EqualFold(opt, []byte("db")) && i+1 < len(c.Args):
			idx, ok := genDBIndex(c, c.Args[i+1])
			if !ok {
				return
			}
			dstDB = c.DB.WithIndex(idx)
			i++
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	if dstDB.Index == c.DB.Index && bytes.Equal(src, dst) {
		c.Error(errs.SameObject)
		return
	}
	e := c.DB.Read(src)
	if e == nil {
		c.Out.Int(0)
		return
	}
	v, expireAt := e.Value, c.DB.ExpireAt(src, e)
	if dstDB.Write(dst) != nil {
		if !replace {
			c.Out.Int(0)
			return
		}
		dstDB.Delete(dst)
	}
	// The copy is a new object: fresh access data, and never one of
	// Redis's shared integers.
	dstDB.SetEntry(dst, keyspace.Item{Value: v.Clone(), ExpireAt: expireAt, Unshared: true})
	genNotifyIn(c, dstDB.Index, notify.Generic, "copy_to", dst)
	c.Out.Int(1)
}

// MOVE key db
func moveCmd(c *Ctx) {
	key := c.Args[1]
	idx, ok := genDBIndex(c, c.Args[2])
	if !ok {
		return
	}
	if idx == c.DB.Index {
		c.Error(errs.SameObject)
		return
	}
	if c.DB.Write(key) == nil {
		c.Out.Int(0)
		return
	}
	dstDB := c.DB.WithIndex(idx)
	if dstDB.Write(key) != nil {
		c.Out.Int(0)
		return
	}
	e, _ := c.DB.Take(key)
	dstDB.Put(key, e)
	c.Notify(notify.Generic, "move_from", key)
	genNotifyIn(c, idx, notify.Generic, "move_to", key)
	c.Out.Int(1)
}

// genNotifyIn publishes a keyspace notification about key in database db,
// which need not be the client's (MOVE, COPY ... DB).
func genNotifyIn(c *Ctx, db int, class notify.Class, event string, key []byte) {
	if c.Env.Notify.Enabled(class) {
		c.Env.Notify.Key(c.Client, class, event, key, db)
	}
}

// KEYS pattern
//
// Keys whose time to live ran out are left out but not deleted, as Redis
// 7.0 does.
func keysCmd(c *Ctx) {
	pattern := string(c.Args[1])
	all := pattern == "*"
	var out []string
	c.DB.Range(func(k string, _ *keyspace.Entry, expireAt int64) bool {
		if (all || glob.MatchString(pattern, k)) && (expireAt == 0 || expireAt >= c.DB.Now) {
			out = append(out, k)
		}
		return true
	})
	c.Out.StringArray(out)
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func scanCmd(c *Ctx) {
	cursor, ok := genParseCursor(c.Args[1])
	if !ok {
		c.Error(errs.InvalidCursor)
		return
	}
	opts, ok := parseScanOptions(c, 2, true)
	if !ok {
		return
	}
	var found []string
	next := c.DB.Scan(cursor, int(min(opts.count, 1<<62)), func(k string) { found = append(found, k) })
	// Filter after collecting, as Redis: by pattern, then by type, then
	// dropping (and deleting) keys whose time to live ran out.
	kept := found[:0]
	pattern := string(opts.pattern)
	for _, k := range found {
		if opts.pattern != nil && !glob.MatchString(pattern, k) {
			continue
		}
		key := []byte(k)
		if opts.typeName != nil {
			name := genTypeName(c.DB.Lookup(key, keyspace.NoTouch))
			if !strings.EqualFold(string(opts.typeName), name) {
				continue
			}
		}
		if c.DB.ExpireIfNeeded(key) {
			continue
		}
		kept = append(kept, k)
	}
	c.Out.Array(2)
	// Redis writes the unsigned cursor as a signed 64-bit integer.
	c.Out.BulkInt(int64(next))
	c.Out.StringArray(kept)
}

// genParseCursor parses a SCAN cursor as Redis does with strtoul: an
// optional sign (a negative value wraps around), decimal digits, nothing
// after them, no leading space, no overflow. An empty cursor is 0.
func genParseCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	i := 0
	neg := false
	switch b[0] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return 0, false
	case '+', '-':
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) {
		return 0, false // a sign with no digits: nothing was converted
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		if v > (1<<64-1-uint64(d-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(d-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// RANDOMKEY
func randomkeyCmd(c *Ctx) {
	k, ok := c.DB.RandomKey()
	if !ok {
		c.Out.Null()
		return
	}
	c.Out.BulkString(k)
}

// waitPoll is how often a blocked WAIT checks whether its client is gone.
const waitPoll = 50 * time.Millisecond

// WAIT numreplicas timeout
//
// Ember has no replicas, so no write is ever acknowledged: WAIT replies 0
// at once when it asks for no replica, and otherwise blocks the
// connection until the timeout (milliseconds, 0 = forever) as Redis does,
// then replies 0. WAIT holds no shard lock while it waits.
func waitCmd(c *Ctx) {
	numReplicas, ok := resp.ParseInt(c.Args[1])
	if !ok {
		c.Error(errs.NotInteger)
		return
	}
	timeout, ok := resp.ParseInt(c.Args[2])
	if !ok {
		c.Error(errs.WaitTimeoutNotInteger)
		return
	}
	if timeout < 0 {
		c.Error(errs.TimeoutNegative)
		return
	}
	if numReplicas > 0 {
		genBlockWait(c, time.Duration(min(timeout, int64(1<<62)/int64(time.Millisecond)))*time.Millisecond)
	}
	c.Out.Int(0)
}

// genBlockWait waits for d (forever when 0), or until the client is killed.
func genBlockWait(c *Ctx, d time.Duration) {
	var deadline <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	for !c.Client.Killed() {
		select {
		case <-deadline:
			return
		case <-tick.C:
		}
	}
}
