// Package watch implements WATCH, the optimistic lock of Redis
// transactions: a table of the keys each client watches, which the
// dispatcher (and the keyspace's expiry) tells about every change of a
// key, marking the watching clients dirty (client.FlagDirtyCAS) so that
// their next EXEC fails.
//
// When no client of the process watches anything, Active reports false
// with one atomic load, and callers skip every other step: a write
// command pays nothing more.
//
// Every call that reports a change (Touch, Apply) is made with the key's
// shard locked, as WATCH is: a change either happened before the WATCH
// (and the client did not see it as a change, as in Redis) or is seen
// by it. The table's own mutex is always taken after shard locks, never
// before, so it cannot deadlock with them.
package watch

import (
	"sync"
	"sync/atomic"

	"github.com/ember-kv/ember/internal/client"
)

// active counts the watched keys of every table of the process.
var active atomic.Int64

// Active reports whether any client of any server in the process watches
// a key.
func Active() bool { return active.Load() != 0 }

type dbKey struct {
	db   int
	name string
}

// entry is one client's watch of one key.
type entry struct {
	c   *client.Client
	key dbKey
	// expired is set when the key existed but had expired when it was
	// watched: its deletion then changes nothing (Redis 7.0's rule), and
	// EXEC does not count its being expired as a change.
	expired bool
	gone    bool // unwatched; pending actions skip it
}

// Table is the watched keys of one server.
type Table struct {
	mu       sync.Mutex
	keys     map[dbKey][]*entry
	byClient map[*client.Client][]*entry
}

// New returns an empty table.
func New() *Table {
	return &Table{keys: make(map[dbKey][]*entry), byClient: make(map[*client.Client][]*entry)}
}

// Watch makes c watch key in database db; expired tells whether the key
// exists but has expired now. Watching a key twice is one watch.
func (t *Table) Watch(c *client.Client, db int, key []byte, expired bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.byClient[c] {
		if e.key.db == db && e.key.name == string(key) {
			return
		}
	}
	e := &entry{c: c, key: dbKey{db, string(key)}, expired: expired}
	t.keys[e.key] = append(t.keys[e.key], e)
	t.byClient[c] = append(t.byClient[c], e)
	active.Add(1)
}

// Unwatch forgets every key c watches (UNWATCH, EXEC, DISCARD, RESET, a
// disconnect). It does not clear c's dirty flag.
func (t *Table) Unwatch(c *client.Client) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unwatchLocked(c)
}

func (t *Table) unwatchLocked(c *client.Client) {
	list, ok := t.byClient[c]
	if !ok {
		return
	}
	delete(t.byClient, c)
	for _, e := range list {
		e.gone = true
		ws := t.keys[e.key]
		for i, o := range ws {
			if o == e {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(t.keys, e.key)
		} else {
			t.keys[e.key] = ws
		}
	}
	active.Add(-int64(len(list)))
}

// Watched reports whether any client watches key in database db.
func (t *Table) Watched(db int, key []byte) bool {
	t.mu.Lock()
	_, ok := t.keys[dbKey{db, string(key)}]
	t.mu.Unlock()
	return ok
}

// Key is one watched key of a client.
type Key struct {
	DB   int
	Name string
	// Expired: the key had expired when it was watched.
	Expired bool
}

// Keys returns the keys c watches.
func (t *Table) Keys(c *client.Client) []Key {
	t.mu.Lock()
	defer t.mu.Unlock()
	list := t.byClient[c]
	if len(list) == 0 {
		return nil
	}
	out := make([]Key, len(list))
	for i, e := range list {
		out[i] = Key{DB: e.key.db, Name: e.key.name, Expired: e.expired}
	}
	return out
}

// Touch reports that key in database db changed; present tells whether
// the key is in the database now (even expired). Its watchers become
// dirty, except those that watched it already expired and find it gone:
// for them the key is only no longer expired. A dirty client's watches
// are dropped, as they can change nothing more.
func (t *Table) Touch(db int, key []byte, present bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ws := t.keys[dbKey{db, string(key)}]
	if len(ws) == 0 {
		return
	}
	var dirty []*client.Client
	for _, e := range ws {
		if e.expired && !present {
			e.expired = false
			continue
		}
		dirty = append(dirty, e.c)
	}
	for _, c := range dirty {
		c.SetFlag(client.FlagDirtyCAS, true)
		t.unwatchLocked(c)
	}
}

// Action is a change that a database-wide command (FLUSHDB, FLUSHALL,
// SWAPDB) makes to one watch; Plan computes them before the command runs,
// Apply applies them once it succeeded.
type Action struct {
	e    *entry
	kind uint8
}

const (
	actDirty uint8 = iota
	actNotExpired
	actExpired
)

// Probe tells, for a key of a database as it is before the change,
// whether it is in the database (even expired) and whether it expired.
type Probe func(db int, key string) (present, expired bool)

// Plan returns what emptying database emptied changes for its watchers;
// replacedWith is the database whose keys take its place (SWAPDB), or -1
// (FLUSHDB, FLUSHALL). As Redis 7.0: a watched key is touched when it is
// in either database, except that a key watched already expired stays
// untouched if it is missing or expired in the replacement (it is then
// no longer expired or still expired), and a missing key replaced by an
// expired one becomes a key watched expired.
func (t *Table) Plan(dst []Action, emptied, replacedWith int, probe Probe) []Action {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, ws := range t.keys {
		if k.db != emptied {
			continue
		}
		inEmptied, _ := probe(emptied, k.name)
		inReplaced, replacedExpired := false, false
		if replacedWith >= 0 {
			inReplaced, replacedExpired = probe(replacedWith, k.name)
		}
		if !inEmptied && !inReplaced {
			continue
		}
		for _, e := range ws {
			switch {
			case e.expired && !inReplaced:
				dst = append(dst, Action{e, actNotExpired})
			case e.expired && replacedExpired:
				// still expired
			case !e.expired && !inEmptied && replacedExpired:
				dst = append(dst, Action{e, actExpired})
			default:
				dst = append(dst, Action{e, actDirty})
			}
		}
	}
	return dst
}

// Apply applies actions from Plan, skipping watches dropped meanwhile.
func (t *Table) Apply(actions []Action) {
	if len(actions) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var dirty []*client.Client
	for _, a := range actions {
		if a.e.gone {
			continue
		}
		switch a.kind {
		case actNotExpired:
			a.e.expired = false
		case actExpired:
			a.e.expired = true
		default:
			dirty = append(dirty, a.e.c)
		}
	}
	for _, c := range dirty {
		c.SetFlag(client.FlagDirtyCAS, true)
		t.unwatchLocked(c)
	}
}
