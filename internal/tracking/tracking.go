// Package tracking is server-assisted client-side caching (CLIENT
// TRACKING), as Redis 7.0 does it.
//
// In the default mode the table remembers, for every key name, the IDs of
// the tracking clients that read it; a change to the key sends each of
// them one invalidation push and forgets them for that key. Key names are
// remembered regardless of the database, as in Redis. In BCAST mode a
// client registers prefixes instead, and every change to a key that starts
// with one of them is sent to it, one push per prefix and command.
//
// Delivery order. A push must never overtake the reply that made the
// client cache the key: Ember writes a client's replies to its socket only
// between batches of commands, so a push written by another goroutine
// could reach the socket before a reply still waiting in the client's
// writer. Each tracking client therefore has a mailbox: while it runs a
// command or has replies not yet handed to its connection it is busy, and
// pushes for it are queued; Flushed, called right after its replies are
// handed over, writes the queue behind them. A client that is idle gets
// its pushes written at once, under the same mutex, so they keep their
// order.
//
// When no client of the process tracks, Active is a single atomic load
// and the dispatcher skips everything else.
package tracking

import (
	"bytes"
	"hash/maphash"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/pubsub"
)

// Mode is a tracking client's set of options and state bits.
type Mode uint16

// Tracking modes and state.
const (
	On      Mode = 1 << iota // CLIENT TRACKING ON
	BCast                    // broadcasting mode, with prefixes
	OptIn                    // only reads right after CLIENT CACHING yes
	OptOut                   // every read but those right after CLIENT CACHING no
	NoLoop                   // no invalidations for the client's own writes
	Caching                  // CLIENT CACHING was given for the next command
	// BrokenRedir: the client the invalidations are redirected to is gone.
	BrokenRedir
)

// active counts the tracking clients of every table of the process, plus
// one per table that remembers keys (see addKeys).
var active atomic.Int64

// Active reports whether any client of the process has tracking on, or
// keys read by one are still remembered.
func Active() bool { return active.Load() != 0 }

const numShards = 64

// keyShard is a part of the key table.
type keyShard struct {
	mu   sync.Mutex
	keys map[string][]int64 // key name → IDs of the clients that read it
	_    [40]byte
}

// State is one tracking client's settings and delivery mailbox.
type State struct {
	c *client.Client

	mu       sync.Mutex
	mode     Mode
	redirect int64
	prefixes []string // BCAST prefixes, sorted
	busy     bool     // pushes wait in pending (see the package comment)
	pending  []byte
}

// Table is the tracking state of one server.
type Table struct {
	clients weak.Pointer[client.Registry] // weak: the table lives in tables
	n       atomic.Int64                  // tracking clients of this table
	states  sync.Map                      // client ID → *State, for clients with tracking on
	seed    maphash.Seed
	shards  [numShards]keyShard

	bmu      sync.RWMutex
	bcast    map[string]map[int64]*State // prefix → BCAST clients
	bsorted  []string                    // the prefixes of bcast, sorted
	nbcast   atomic.Int64
	items    atomic.Int64 // remembered (key, client) pairs
	keyCount atomic.Int64 // remembered keys

	// Open broadcast batches (Hold): writer client ID → the keys its
	// commands changed since.
	hmu   sync.Mutex
	held  map[int64][][]byte
	nheld atomic.Int64

	maxKeys   atomic.Int64 // tracking-table-max-keys, 0 for no limit
	limitOnce sync.Once
}

var tables sync.Map // weak.Pointer[client.Registry] → *Table

// For returns the table of the server whose clients are reg, creating it
// on first use.
func For(reg *client.Registry) *Table {
	key := weak.Make(reg)
	if v, ok := tables.Load(key); ok {
		return v.(*Table)
	}
	t := New(reg)
	v, loaded := tables.LoadOrStore(key, t)
	if !loaded {
		runtime.AddCleanup(reg, func(k weak.Pointer[client.Registry]) {
			if v, ok := tables.LoadAndDelete(k); ok {
				v.(*Table).release()
			}
		}, key)
	}
	return v.(*Table)
}

// New returns an empty table delivering to the clients of reg.
func New(reg *client.Registry) *Table {
	t := &Table{clients: weak.Make(reg), seed: maphash.MakeSeed(), bcast: make(map[string]map[int64]*State)}
	for i := range t.shards {
		t.shards[i].keys = make(map[string][]int64)
	}
	return t
}

// release drops the table's share of the process-wide count.
func (t *Table) release() {
	active.Add(-t.n.Swap(0))
	if t.keyCount.Swap(0) > 0 {
		active.Add(-1)
	}
}

// Clients is the number of clients with tracking on (INFO tracking_clients).
func (t *Table) Clients() int64 { return t.n.Load() }

// Keys is the number of keys remembered (INFO tracking_total_keys).
func (t *Table) Keys() int64 { return t.keyCount.Load() }

// addKeys changes the count of remembered keys. While the table holds
// keys it keeps Active true even when no client tracks anymore: as in
// Redis, keys read by a client that turned tracking off stay until they
// change or are flushed, and their reader gets their invalidation if it
// turns tracking on again meanwhile.
func (t *Table) addKeys(d int64) {
	v := t.keyCount.Add(d)
	switch old := v - d; {
	case old == 0 && v > 0:
		active.Add(1)
	case old > 0 && v == 0:
		active.Add(-1)
	}
}

// Items is the number of remembered (key, client) pairs
// (INFO tracking_total_items).
func (t *Table) Items() int64 { return t.items.Load() }

// Prefixes is the number of BCAST prefixes (INFO tracking_total_prefixes).
func (t *Table) Prefixes() int64 { return t.nbcast.Load() }

func (t *Table) shard(key []byte) *keyShard {
	return &t.shards[maphash.Bytes(t.seed, key)&(numShards-1)]
}

// State returns the state of client id, or nil when it does not track.
func (t *Table) State(id int64) *State {
	if v, ok := t.states.Load(id); ok {
		return v.(*State)
	}
	return nil
}

// Info describes client id's tracking: its mode (0 when off), the client
// its invalidations go to (0: itself) and its BCAST prefixes.
func (t *Table) Info(id int64) (mode Mode, redirect int64, prefixes []string) {
	st := t.State(id)
	if st == nil {
		return 0, 0, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.mode, st.redirect, slices.Clone(st.prefixes)
}

// Enable turns tracking on for c (Redis's enableTracking): the options
// given replace the previous ones, except the prefixes, which are added to
// those already registered. mode holds BCast, OptIn, OptOut and NoLoop.
func (t *Table) Enable(c *client.Client, mode Mode, redirect int64, prefixes [][]byte) {
	st := t.State(c.ID)
	if st == nil {
		st = &State{c: c, busy: true} // its command's reply is not flushed yet
		t.states.Store(c.ID, st)
		t.n.Add(1)
		active.Add(1)
	}
	st.mu.Lock()
	st.mode = st.mode&Caching | On | mode&(BCast|OptIn|OptOut|NoLoop)
	st.redirect = redirect
	st.mu.Unlock()
	if mode&BCast == 0 {
		return
	}
	if len(prefixes) == 0 {
		t.addPrefix(st, "")
	}
	for _, p := range prefixes {
		t.addPrefix(st, string(p))
	}
}

func (t *Table) addPrefix(st *State, p string) {
	t.bmu.Lock()
	defer t.bmu.Unlock()
	set := t.bcast[p]
	if set == nil {
		set = make(map[int64]*State)
		t.bcast[p] = set
		i, _ := slices.BinarySearch(t.bsorted, p)
		t.bsorted = slices.Insert(t.bsorted, i, p)
		t.nbcast.Add(1)
	}
	set[st.c.ID] = st
	st.mu.Lock()
	if i, found := slices.BinarySearch(st.prefixes, p); !found {
		st.prefixes = slices.Insert(st.prefixes, i, p)
	}
	st.mu.Unlock()
}

// Disable turns tracking off for client id (CLIENT TRACKING OFF, RESET,
// disconnection). It returns the pushes still queued for the client, which
// its own goroutine may write out; keys it read stay in the table until
// they change, as in Redis, and are skipped then if it no longer tracks.
func (t *Table) Disable(id int64) []byte {
	v, ok := t.states.LoadAndDelete(id)
	if !ok {
		return nil
	}
	st := v.(*State)
	t.n.Add(-1)
	active.Add(-1)
	st.mu.Lock()
	prefixes := st.prefixes
	st.prefixes = nil
	st.mode = 0
	pending := st.pending
	st.pending = nil
	st.busy = false
	st.mu.Unlock()
	if len(prefixes) > 0 {
		t.bmu.Lock()
		for _, p := range prefixes {
			set := t.bcast[p]
			delete(set, id)
			if len(set) == 0 {
				delete(t.bcast, p)
				if i, found := slices.BinarySearch(t.bsorted, p); found {
					t.bsorted = slices.Delete(t.bsorted, i, i+1)
				}
				t.nbcast.Add(-1)
			}
		}
		t.bmu.Unlock()
	}
	return pending
}

// SetCaching records CLIENT CACHING for the client's next command.
func (st *State) SetCaching() {
	st.mu.Lock()
	st.mode |= Caching
	st.mu.Unlock()
}

// Mode returns the client's mode bits.
func (st *State) Mode() Mode {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.mode
}

// Begin marks the client as running a command: pushes for it wait until
// its replies are handed to the connection (see Flushed).
func (st *State) Begin() {
	st.mu.Lock()
	st.busy = true
	st.mu.Unlock()
}

// ClearCaching forgets CLIENT CACHING once the command after it ran.
func (st *State) ClearCaching() {
	st.mu.Lock()
	st.mode &^= Caching
	st.mu.Unlock()
}

// Flushed is called by client c's goroutine right after it handed its
// pending replies to the connection: the pushes queued meanwhile follow.
func (t *Table) Flushed(c *client.Client) error {
	st := t.State(c.ID)
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.busy = false
	if len(st.pending) == 0 {
		return nil
	}
	_, err := c.Conn.Write(st.pending)
	st.pending = st.pending[:0]
	if cap(st.pending) > 64<<10 {
		st.pending = nil
	}
	return err
}

// Remember records that the client read keys (the arguments at positions
// keys), if its mode tracks this read (Redis's trackingRememberKeys). It
// is called with the keys' shards locked, so no write can slip between the
// read and the registration.
func (t *Table) Remember(st *State, args [][]byte, keys []int) {
	st.mu.Lock()
	mode := st.mode
	st.mu.Unlock()
	if mode&On == 0 || mode&BCast != 0 {
		return
	}
	caching := mode&Caching != 0
	if mode&OptIn != 0 && !caching || mode&OptOut != 0 && caching {
		return
	}
	id := st.c.ID
	for _, p := range keys {
		key := args[p]
		sh := t.shard(key)
		sh.mu.Lock()
		ids, ok := sh.keys[string(key)]
		if !ok {
			t.addKeys(1)
		}
		if !slices.Contains(ids, id) {
			sh.keys[string(key)] = append(ids, id)
			t.items.Add(1)
		}
		sh.mu.Unlock()
	}
	if max := t.maxKeys.Load(); max > 0 && t.keyCount.Load() > max {
		t.enforceLimit()
	}
}

// Invalidate tells the clients tracking keys that they changed (Redis's
// trackingInvalidateKey for each key, then the broadcast of the command's
// keys). by is the ID of the client whose command changed them, 0 for
// none (expiry). It is called with the keys' shards locked.
func (t *Table) Invalidate(by int64, keys [][]byte) {
	var ids []int64
	for _, key := range keys {
		sh := t.shard(key)
		sh.mu.Lock()
		ids = append(ids[:0], sh.keys[string(key)]...)
		if len(ids) > 0 {
			delete(sh.keys, string(key))
			t.addKeys(-1)
			t.items.Add(-int64(len(ids)))
		}
		sh.mu.Unlock()
		t.sendKey(by, key, ids)
	}
	if t.nbcast.Load() != 0 && !t.holdKeys(by, keys) {
		t.broadcast(by, keys)
	}
}

// sendKey sends the invalidation of key to the clients ids that read it
// (by changed it; 0 for none).
func (t *Table) sendKey(by int64, key []byte, ids []int64) {
	var msg []byte
	for _, id := range ids {
		st := t.State(id)
		if st == nil {
			continue // gone, or tracking off: forgotten with the key
		}
		st.mu.Lock()
		mode := st.mode
		st.mu.Unlock()
		// A client that switched to BCAST gets no invalidation for
		// what it read before.
		if mode&On == 0 || mode&BCast != 0 || mode&NoLoop != 0 && id == by {
			continue
		}
		if msg == nil {
			msg = appendKeysPush(nil, [][]byte{key})
		}
		t.send(st, msg)
	}
}

// InitLimit runs f once per table: the CLIENT TRACKING handler uses it to
// follow tracking-table-max-keys.
func (t *Table) InitLimit(f func()) { t.limitOnce.Do(f) }

// SetMaxKeys sets tracking-table-max-keys (0: no limit) and enforces it.
func (t *Table) SetMaxKeys(n int64) {
	t.maxKeys.Store(n)
	t.enforceLimit()
}

// enforceLimit invalidates keys picked at random until the table holds no
// more than tracking-table-max-keys keys, as Redis's
// trackingLimitUsedSlots: their readers get an invalidation as if the
// keys changed (with no client as the writer, so NOLOOP does not apply).
func (t *Table) enforceLimit() {
	max := t.maxKeys.Load()
	if max <= 0 {
		return
	}
	over := t.keyCount.Load() - max
	start := rand.IntN(numShards)
	for i := 0; over > 0 && i < numShards; i++ {
		sh := &t.shards[(start+i)%numShards]
		for over > 0 {
			sh.mu.Lock()
			var key string
			var ids []int64
			found := false
			for k, v := range sh.keys {
				key, ids, found = k, v, true
				break
			}
			if !found {
				sh.mu.Unlock()
				break
			}
			delete(sh.keys, key)
			t.addKeys(-1)
			t.items.Add(-int64(len(ids)))
			sh.mu.Unlock()
			t.sendKey(0, []byte(key), ids)
			over = t.keyCount.Load() - max
		}
	}
}

// Hold opens a broadcast batch for client by: the keys its commands change
// until Release are broadcast once, one push per prefix, as Redis sends
// the keys a prefix collected since the event loop's last turn. EXEC
// holds for its queued commands, so a transaction's keys arrive together.
func (t *Table) Hold(by int64) {
	t.hmu.Lock()
	defer t.hmu.Unlock()
	if t.held == nil {
		t.held = make(map[int64][][]byte)
	}
	if _, ok := t.held[by]; !ok {
		t.held[by] = nil
		t.nheld.Add(1)
	}
}

// Release closes client by's batch and broadcasts the keys it collected.
func (t *Table) Release(by int64) {
	t.hmu.Lock()
	keys, ok := t.held[by]
	if ok {
		delete(t.held, by)
		t.nheld.Add(-1)
	}
	t.hmu.Unlock()
	if len(keys) > 0 && t.nbcast.Load() != 0 {
		t.broadcast(by, keys)
	}
}

// holdKeys adds keys to client by's open batch, if it has one.
func (t *Table) holdKeys(by int64, keys [][]byte) bool {
	if t.nheld.Load() == 0 {
		return false
	}
	t.hmu.Lock()
	defer t.hmu.Unlock()
	held, ok := t.held[by]
	if !ok {
		return false
	}
	for _, k := range keys {
		held = append(held, bytes.Clone(k))
	}
	t.held[by] = held
	return true
}

// broadcast sends each BCAST client the keys that match its prefixes: one
// push per prefix with the matching keys sorted, as Redis's per-prefix
// batches (which Ember forms per command).
func (t *Table) broadcast(by int64, keys [][]byte) {
	type target struct {
		st  *State
		msg []byte
	}
	var sends []target
	t.bmu.RLock()
	for _, p := range t.bsorted {
		var match [][]byte
		for _, k := range keys {
			if bytes.HasPrefix(k, []byte(p)) {
				match = append(match, k)
			}
		}
		if len(match) == 0 {
			continue
		}
		slices.SortFunc(match, bytes.Compare)
		match = slices.CompactFunc(match, bytes.Equal)
		msg := appendKeysPush(nil, match)
		for id, st := range t.bcast[p] {
			if id == by {
				st.mu.Lock()
				noloop := st.mode&NoLoop != 0
				st.mu.Unlock()
				if noloop {
					continue
				}
			}
			sends = append(sends, target{st, msg})
		}
	}
	t.bmu.RUnlock()
	for _, s := range sends {
		t.send(s.st, s.msg)
	}
}

// InvalidateAll sends every tracking client a null invalidation (all its
// keys) and empties the key table: FLUSHDB and FLUSHALL.
func (t *Table) InvalidateAll() {
	msg := []byte(">2\r\n$10\r\ninvalidate\r\n_\r\n")
	var all []*State
	t.states.Range(func(_, v any) bool {
		all = append(all, v.(*State))
		return true
	})
	slices.SortFunc(all, func(a, b *State) int { return cmpID(a.c.ID, b.c.ID) })
	for _, st := range all {
		t.send(st, msg)
	}
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for _, ids := range sh.keys {
			t.items.Add(-int64(len(ids)))
			t.addKeys(-1)
		}
		clear(sh.keys)
		sh.mu.Unlock()
	}
}

func cmpID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// appendKeysPush appends the invalidation push of keys.
func appendKeysPush(b []byte, keys [][]byte) []byte {
	b = append(b, ">2\r\n$10\r\ninvalidate\r\n*"...)
	b = strconv.AppendInt(b, int64(len(keys)), 10)
	b = append(b, "\r\n"...)
	for _, k := range keys {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, "\r\n"...)
		b = append(b, k...)
		b = append(b, "\r\n"...)
	}
	return b
}

// send delivers an invalidation push for st's client: to the client its
// invalidations are redirected to, or to itself. Only RESP3 connections
// get pushes; a RESP2 client that invalidations are redirected to gets
// them as messages on __redis__:invalidate (internal/pubsub).
func (t *Table) send(st *State, msg []byte) {
	st.mu.Lock()
	redirect := st.redirect
	if redirect != 0 && redirect != st.c.ID {
		var target *client.Client
		if reg := t.clients.Value(); reg != nil {
			target = reg.Get(redirect)
		}
		if target == nil || target.Killed() {
			st.mode |= BrokenRedir
			if st.c.Proto() > 2 {
				b := append([]byte(">2\r\n$21\r\ntracking-redir-broken\r\n:"), strconv.FormatInt(redirect, 10)...)
				st.deliverLocked(append(b, "\r\n"...))
			}
			st.mu.Unlock()
			return
		}
		st.mu.Unlock()
		// A RESP2 target gets them as pub/sub messages, if subscribed.
		if target.Proto() < 3 {
			if reg := t.clients.Value(); reg != nil && target.PubSub() {
				pubsub.For(reg).SendInvalidation(target, msg)
			}
			return
		}
		if ts := t.State(redirect); ts != nil {
			ts.mu.Lock()
			ts.deliverLocked(msg)
			ts.mu.Unlock()
			return
		}
		if target.Proto() > 2 && target.Conn != nil {
			target.Conn.Write(msg)
		}
		return
	}
	st.deliverLocked(msg)
	st.mu.Unlock()
}

// deliverLocked queues msg while the client is busy, or writes it to the
// connection at once. st.mu is held.
func (st *State) deliverLocked(msg []byte) {
	if st.c.Proto() < 3 || st.c.Conn == nil || st.mode&On == 0 {
		return
	}
	if st.busy {
		st.pending = append(st.pending, msg...)
		return
	}
	st.c.Conn.Write(msg)
}
