// Package blocking implements the waiting side of Redis's blocking commands
// (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, and later BZPOPMIN, BZPOPMAX,
// BZMPOP and XREAD/XREADGROUP BLOCK) on top of Ember's sharded keyspace.
//
// # How a client blocks
//
// A blocking command's handler runs, like every handler, with the shards of
// all its keys locked. When none of its keys can serve it, the handler
// calls Registry.Block with the keys to wait on and a ServeFunc, and
// returns without a reply. Block registers a Waiter in the queue of every
// key, in the key's shard, under that shard's lock: a writer, which needs
// the same lock, either ran before (and the handler saw its data) or will
// see the waiter. The dispatcher then takes the waiter (Registry.Take),
// flushes the client's earlier replies and calls Waiter.Wait on the
// client's own goroutine, which holds no lock while it waits.
//
// # How a client is served
//
// After every write command, while the dispatcher still holds that
// command's shard locks, it calls Registry.Written with the command's keys
// (all waited keys for commands that lock the whole keyspace). For each of
// those keys that has waiters, in any database, the waiters are tried in
// the order they blocked (first come, first served): the writer's goroutine
// runs the waiter's ServeFunc against the waiter's database, which pops
// and writes the reply into the waiter's output buffer, then wakes the
// waiter's goroutine, which sends the reply. So, as in Redis (where the
// writer's call serves blocked clients in handleClientsBlockedOnKeys before
// the next command runs), the pushed element goes to the blocked clients
// before any other client can take it. A ServeFunc that writes another key
// (BLMOVE's destination) calls Serve.Signal so that the destination's own
// waiters are served next, in the same pass.
//
// # Keys in shards the writer does not hold
//
// BLMOVE's destination may live in a shard the writer has not locked.
// Serve.Lock takes it with TryLock (waiting could deadlock, since the
// writer already holds other shards out of order). When it fails, the
// ServeFunc returns Retry: the waiter is woken and serves itself on its own
// goroutine, having locked all of its keys in order, and serving the key's
// other waiters after it. The writer stops serving that key, so no later
// waiter overtakes it. The gap: between the writer's unlock and the
// waiter's lock, a client that is not blocked may pop the element, in which
// case the waiter simply goes on waiting (Redis has no such window).
//
// # States
//
// A waiter is waiting, claimed (a writer's goroutine is running its
// ServeFunc), retry (it must serve itself), or finished: served, timed out,
// unblocked by CLIENT UNBLOCK (as a timeout or with an error), or gone (its
// connection closed). Transitions are compare-and-swap on one atomic. A
// claim lasts only while a ServeFunc runs, which never waits for a lock, so
// the goroutines that find a waiter claimed (a second writer, the waiter's
// own timeout, CLIENT UNBLOCK) spin briefly until the claim is resolved.
//
// # While blocked
//
// Wait keeps reading the client's socket, so that a disconnect is noticed
// at once (the waiter is removed and never handed an element) and the
// commands the client pipelines meanwhile are kept, in order, for after
// the reply (the dispatcher feeds them to the client's resp.Reader). A
// waker interrupts the read with a past read deadline; the timeout is the
// read deadline itself. Timeouts use the wall clock.
//
// # MULTI, EXEC and scripts
//
// A blocking command must not block inside a transaction or a script: it
// then behaves as its non-blocking form and, when nothing can be served,
// replies as a timeout does. Handlers check Denied before calling Block.
// EXEC keeps the client's MultiLen() >= 0 while it runs the queued
// commands, and calls Registry.Written with the keys of the queued write
// commands before it releases its locks; scripts must do the same.
package blocking

import (
	"errors"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
	"weak"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/resp"
)

// Result is what a ServeFunc did.
type Result uint8

const (
	// NotReady: the key cannot serve this waiter (missing, empty, another
	// type); the waiter keeps waiting and the next waiter is tried.
	NotReady Result = iota
	// Served: the waiter's reply is written; the key may serve more.
	Served
	// ServedLast: the waiter's reply is written and the key is now empty
	// (or gone): the remaining waiters of the key are not tried.
	ServedLast
	// Retry: the ServeFunc needs a key whose shard could not be locked
	// (Serve.Lock failed); it changed nothing. The waiter serves itself on
	// its own goroutine.
	Retry
)

// ServeFunc tries to serve a waiter from key, which the command that just
// ran may have made ready. It runs on the writer's goroutine (or the
// waiter's, on retry) with key's shard locked; it must not wait for
// anything. It looks key up in s.DB, and when it can serve, changes the
// keyspace, writes the complete reply to s.Out and returns Served or
// ServedLast. A reply that is an error (BLMOVE into a key of another type)
// also counts as served.
type ServeFunc func(s *Serve, key []byte) Result

// Serve is the context of one ServeFunc call.
type Serve struct {
	// DB is the waiter's database at the writing command's time.
	DB keyspace.DB
	// Out is the waiter's reply buffer (in the waiter's protocol).
	Out *resp.Writer
	// Client is the waiter.
	Client *client.Client
	run    *pass
}

// Lock makes sure key's shard is locked, taking it without waiting when
// the writer does not hold it already. It reports false when the shard is
// busy: the ServeFunc must then return Retry without changing anything.
func (s *Serve) Lock(key []byte) bool { return s.run.lock(s.run.ks.ShardOf(key)) }

// Signal tells that the ServeFunc wrote key (in s.DB's database, with its
// shard locked): the key's own waiters are served next.
func (s *Serve) Signal(key []byte) { s.run.signal(key) }

// Request describes a client that blocks.
type Request struct {
	Client *client.Client
	DB     int
	// Keys are the keys to wait on, in the command's order; duplicates are
	// ignored. Block copies them.
	Keys [][]byte
	// Extra are other keys the ServeFunc may write (BLMOVE's destination);
	// the waiter locks them too when it serves itself. Block copies them.
	Extra [][]byte
	// Timeout is how long to wait; 0 waits forever.
	Timeout time.Duration
	Serve   ServeFunc
	// OnTimeout writes the reply to a timeout (and to CLIENT UNBLOCK ...
	// TIMEOUT); nil writes a null array, as every Redis 7.0 blocking
	// command on keys replies.
	OnTimeout func(out *resp.Writer)
}

// Outcome is how a wait ended.
type Outcome uint8

// Wait outcomes.
const (
	OutServed Outcome = iota
	OutTimedOut
	OutUnblockedTimeout
	OutUnblockedError
	OutGone
)

// Waiter states.
const (
	stWaiting int32 = iota
	stClaimed
	stRetry
	stServed
	stTimedOut
	stUnblockedTimeout
	stUnblockedError
	stGone
)

// Waiter is one blocked client.
type Waiter struct {
	reg       *Registry
	ks        *keyspace.Keyspace
	client    *client.Client
	db        int
	keys      [][]byte // distinct
	extra     [][]byte
	serve     ServeFunc
	onTimeout func(out *resp.Writer)
	deadline  time.Time // zero: none
	// out receives the reply of a serve. It is not the client's own
	// writer, which the client's goroutine may still be using (flushing
	// earlier replies) when a writer serves the waiter; Reply copies it.
	out *resp.Writer

	state atomic.Int32

	mu      sync.Mutex // guards reading and the read deadline
	reading bool
	conn    net.Conn
}

// Client is the blocked client.
func (w *Waiter) Client() *client.Client { return w.client }

// Registry holds one keyspace's waiters. The queue of a key lives in the
// key's shard and is guarded by that shard's lock.
type Registry struct {
	shards  []shardWaiters
	pending sync.Map     // *client.Client → *Waiter, from Block to Take
	blocked atomic.Int64 // registered waiters
}

type shardWaiters struct {
	keys map[string]*keyWaiters
}

// keyWaiters are the waiters of one key name, per database.
type keyWaiters struct {
	dbs []dbQueue
}

type dbQueue struct {
	db int
	q  []*Waiter // in blocking order
}

// active counts the waiters of every registry of the process, so that a
// write command checks for waiters with one atomic load when none exist.
var active atomic.Int64

// Active reports whether any client of any server in the process is
// blocked. The dispatcher calls Written only then.
func Active() bool { return active.Load() != 0 }

var registries sync.Map // weak.Pointer[keyspace.Keyspace] → *Registry

// forEntry caches the registry For returned last, so that the common case
// (one server per process) costs two loads and a comparison instead of a
// map lookup.
type forEntry struct {
	addr uintptr
	ks   weak.Pointer[keyspace.Keyspace]
	r    *Registry
}

var lastFor atomic.Pointer[forEntry]

// For returns the registry of a keyspace, creating it on first use.
func For(ks *keyspace.Keyspace) *Registry {
	addr := uintptr(unsafe.Pointer(ks))
	if e := lastFor.Load(); e != nil && e.addr == addr && e.ks.Value() == ks {
		return e.r
	}
	key := weak.Make(ks)
	var r *Registry
	if v, ok := registries.Load(key); ok {
		r = v.(*Registry)
	} else {
		nr := &Registry{shards: make([]shardWaiters, ks.NumShards())}
		v, loaded := registries.LoadOrStore(key, nr)
		if !loaded {
			runtime.AddCleanup(ks, func(k weak.Pointer[keyspace.Keyspace]) { registries.Delete(k) }, key)
		}
		r = v.(*Registry)
	}
	lastFor.Store(&forEntry{addr: addr, ks: key, r: r})
	return r
}

// Blocked is the number of blocked clients (INFO blocked_clients).
func (r *Registry) Blocked() int64 { return r.blocked.Load() }

// Denied reports whether c may not block now: inside MULTI/EXEC or a
// script. The
// handler then replies as the command's timeout would.
func Denied(c *client.Client) bool {
	return c.MultiLen() >= 0 || c.Flags()&client.FlagScript != 0
}

// Block registers a waiter for req, with the shards of req.Keys and
// req.Extra locked by the caller (the handler's command holds them). It
// marks the client blocked (flag 'b' in CLIENT LIST) and installs its
// CLIENT UNBLOCK hook; the dispatcher then takes the waiter and waits.
func (r *Registry) Block(ks *keyspace.Keyspace, req Request) *Waiter {
	w := &Waiter{
		reg:       r,
		ks:        ks,
		client:    req.Client,
		db:        req.DB,
		serve:     req.Serve,
		onTimeout: req.OnTimeout,
		conn:      req.Client.Conn,
		out:       resp.NewWriter(),
	}
	w.out.Proto = req.Client.Proto()
	for _, k := range req.Keys {
		if !slices.ContainsFunc(w.keys, func(o []byte) bool { return string(o) == string(k) }) {
			w.keys = append(w.keys, append([]byte(nil), k...))
		}
	}
	for _, k := range req.Extra {
		w.extra = append(w.extra, append([]byte(nil), k...))
	}
	if req.Timeout > 0 {
		w.deadline = time.Now().Add(req.Timeout)
	}
	for _, k := range w.keys {
		r.shards[ks.ShardOf(k)].add(k, w)
	}
	r.blocked.Add(1)
	active.Add(1)
	req.Client.SetFlag(client.FlagBlocked, true)
	req.Client.SetUnblocker(w.unblock)
	r.pending.Store(req.Client, w)
	return w
}

// Take returns the waiter a handler registered for c during the command
// that just ran, or nil.
func (r *Registry) Take(c *client.Client) *Waiter {
	if v, ok := r.pending.LoadAndDelete(c); ok {
		return v.(*Waiter)
	}
	return nil
}

func (sw *shardWaiters) add(key []byte, w *Waiter) {
	if sw.keys == nil {
		sw.keys = make(map[string]*keyWaiters)
	}
	kw := sw.keys[string(key)]
	if kw == nil {
		kw = &keyWaiters{}
		sw.keys[string(key)] = kw
	}
	for i := range kw.dbs {
		if kw.dbs[i].db == w.db {
			kw.dbs[i].q = append(kw.dbs[i].q, w)
			return
		}
	}
	kw.dbs = append(kw.dbs, dbQueue{db: w.db, q: []*Waiter{w}})
}

func (sw *shardWaiters) remove(key []byte, w *Waiter) {
	kw := sw.keys[string(key)]
	if kw == nil {
		return
	}
	for i := range kw.dbs {
		dq := &kw.dbs[i]
		if dq.db != w.db {
			continue
		}
		if j := slices.Index(dq.q, w); j >= 0 {
			dq.q = slices.Delete(dq.q, j, j+1)
		}
		if len(dq.q) == 0 {
			kw.dbs = slices.Delete(kw.dbs, i, i+1)
		}
		break
	}
	if len(kw.dbs) == 0 {
		delete(sw.keys, string(key))
	}
}

// shardBits is a set of up to 256 shard indexes.
type shardBits [4]uint64

func (b *shardBits) add(i int)      { b[i>>6] |= 1 << (i & 63) }
func (b *shardBits) has(i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// pass is one run of serving waiters, on the goroutine that holds the
// locks of the keys it serves.
type pass struct {
	r     *Registry
	ks    *keyspace.Keyspace
	now   int64
	all   bool
	held  shardBits
	extra []int    // shards locked by Serve.Lock, unlocked at the end
	queue [][]byte // keys to serve, in order
}

// Written serves the waiters of keys, which the command that just ran may
// have made ready. The caller holds the shards in held (or every shard,
// with all); now is the command's time in Unix ms. With all, keys is
// ignored and every key that has waiters is tried.
func (r *Registry) Written(ks *keyspace.Keyspace, held []int, all bool, keys [][]byte, now int64) {
	if r.blocked.Load() == 0 {
		return
	}
	if !all {
		// Most writes touch keys nobody waits on: find out without
		// allocating.
		waited := false
		for _, k := range keys {
			if r.shards[ks.ShardOf(k)].keys[string(k)] != nil {
				waited = true
				break
			}
		}
		if !waited {
			return
		}
	}
	p := &pass{r: r, ks: ks, now: now, all: all}
	for _, sh := range held {
		p.held.add(sh)
	}
	if all {
		for i := range r.shards {
			for k := range r.shards[i].keys {
				p.queue = append(p.queue, []byte(k))
			}
		}
	} else {
		for _, k := range keys {
			p.signal(k)
		}
	}
	p.serveQueued()
	for _, sh := range p.extra {
		ks.UnlockShard(sh)
	}
}

func (p *pass) lock(sh int) bool {
	if p.all || p.held.has(sh) {
		return true
	}
	if !p.ks.TryLockShard(sh) {
		return false
	}
	p.held.add(sh)
	p.extra = append(p.extra, sh)
	return true
}

// signal queues key when it has waiters.
func (p *pass) signal(key []byte) {
	if p.r.shards[p.ks.ShardOf(key)].keys[string(key)] == nil {
		return
	}
	for _, k := range p.queue {
		if string(k) == string(key) {
			return
		}
	}
	p.queue = append(p.queue, key)
}

func (p *pass) serveQueued() {
	for len(p.queue) > 0 {
		key := p.queue[0]
		p.queue = p.queue[1:]
		kw := p.r.shards[p.ks.ShardOf(key)].keys[string(key)]
		if kw == nil {
			continue
		}
		// Registrations and removals need the key's shard, which this
		// goroutine holds: the queues do not change under us.
		for i := 0; i < len(kw.dbs); i++ {
			p.serveKey(kw.dbs[i].db, key, kw.dbs[i].q)
		}
	}
}

// serveKey tries the waiters of key in database db in blocking order.
func (p *pass) serveKey(db int, key []byte, q []*Waiter) {
	for _, w := range q {
		if !w.claim() {
			continue
		}
		s := Serve{DB: p.ks.DB(db, p.now), Out: w.out, Client: w.client, run: p}
		s.DB.NoTouch = w.client.NoTouch()
		switch w.serve(&s, key) {
		case NotReady:
			w.state.Store(stWaiting)
		case Served:
			w.state.Store(stServed)
			w.wake()
		case ServedLast:
			w.state.Store(stServed)
			w.wake()
			return
		case Retry:
			w.state.Store(stRetry)
			w.wake()
			return
		}
	}
}

// claim takes a waiting waiter for serving, waiting out another goroutine's
// claim. It fails when the waiter has finished or must serve itself.
func (w *Waiter) claim() bool {
	for {
		switch w.state.Load() {
		case stWaiting:
			if w.state.CompareAndSwap(stWaiting, stClaimed) {
				return true
			}
		case stClaimed:
			runtime.Gosched()
		default:
			return false
		}
	}
}

// finish moves the waiter to a final state from its own goroutine or from
// CLIENT UNBLOCK, waiting out a claim. It fails when the waiter had
// already finished.
func (w *Waiter) finish(target int32) bool {
	for {
		switch st := w.state.Load(); st {
		case stWaiting, stRetry:
			if w.state.CompareAndSwap(st, target) {
				return true
			}
		case stClaimed:
			runtime.Gosched()
		default:
			return false
		}
	}
}

// aLongTimeAgo is a read deadline in the past: setting it interrupts a
// blocked Read at once.
var aLongTimeAgo = time.Unix(1, 0)

// wake interrupts the waiter's read so that its goroutine sees its new
// state.
func (w *Waiter) wake() {
	w.mu.Lock()
	if w.reading && w.conn != nil {
		w.conn.SetReadDeadline(aLongTimeAgo)
	}
	w.mu.Unlock()
}

// unblock is the client's CLIENT UNBLOCK hook.
func (w *Waiter) unblock(withError bool) bool {
	target := stUnblockedTimeout
	if withError {
		target = stUnblockedError
	}
	if !w.finish(target) {
		return false
	}
	w.wake()
	return true
}

// maxPending bounds what a blocked client may send before it is
// disconnected, as Redis's client-query-buffer-limit (1 GB) does.
const maxPending = 1 << 30

var readBufs = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// Wait blocks the waiter's goroutine until the waiter is served, times
// out, is unblocked or its connection closes. Bytes the client sends
// meanwhile go to feed. now gives the time (Unix ms) for the waiter's own
// serving, on retry. Wait then unregisters the waiter; Reply writes the
// reply to the client's output buffer.
func (w *Waiter) Wait(feed func([]byte), now func() int64) Outcome {
	out := w.wait(feed, now)
	w.unregister()
	return out
}

func (w *Waiter) wait(feed func([]byte), now func() int64) Outcome {
	if w.conn == nil || w.conn.SetReadDeadline(time.Time{}) != nil {
		// No connection to watch (an in-process client), or one without
		// read deadlines: wait on the clock alone.
		return w.waitNoConn(now)
	}
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	w.mu.Lock()
	w.reading = true
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.reading = false
		w.conn.SetReadDeadline(time.Time{})
		w.mu.Unlock()
	}()
	fed := 0
	for {
		switch w.state.Load() {
		case stServed:
			return OutServed
		case stUnblockedTimeout:
			return OutUnblockedTimeout
		case stUnblockedError:
			return OutUnblockedError
		case stRetry:
			w.retry(now())
			continue
		}
		w.mu.Lock()
		if st := w.state.Load(); st != stWaiting && st != stClaimed {
			w.mu.Unlock()
			continue
		}
		w.conn.SetReadDeadline(w.deadline)
		w.mu.Unlock()
		n, err := w.conn.Read(buf)
		if n > 0 {
			fed += n
			if fed > maxPending {
				err = errors.New("query buffer limit")
			} else {
				feed(buf[:n])
			}
		}
		if err == nil {
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if !w.deadline.IsZero() && !time.Now().Before(w.deadline) && w.finish(stTimedOut) {
				return OutTimedOut
			}
			continue
		}
		if w.finish(stGone) {
			return OutGone
		}
	}
}

// waitNoConn waits for a client without a socket, polling its state.
func (w *Waiter) waitNoConn(now func() int64) Outcome {
	for {
		switch w.state.Load() {
		case stServed:
			return OutServed
		case stUnblockedTimeout:
			return OutUnblockedTimeout
		case stUnblockedError:
			return OutUnblockedError
		case stRetry:
			w.retry(now())
			continue
		}
		if w.client.Killed() && w.finish(stGone) {
			return OutGone
		}
		if !w.deadline.IsZero() && !time.Now().Before(w.deadline) && w.finish(stTimedOut) {
			return OutTimedOut
		}
		time.Sleep(time.Millisecond)
	}
}

// retry serves the waiter (and its keys' other waiters) on its own
// goroutine, with all its keys locked in order.
func (w *Waiter) retry(now int64) {
	shards := w.shards(true)
	w.ks.Lock(shards)
	if w.state.CompareAndSwap(stRetry, stWaiting) {
		w.reg.Written(w.ks, shards, false, w.keys, now)
	}
	w.ks.Unlock(shards)
}

// shards returns the sorted distinct shards of the waiter's keys (and of
// its extra keys).
func (w *Waiter) shards(extra bool) []int {
	var set shardBits
	var out []int
	add := func(keys [][]byte) {
		for _, k := range keys {
			sh := w.ks.ShardOf(k)
			if !set.has(sh) {
				set.add(sh)
				out = append(out, sh)
			}
		}
	}
	add(w.keys)
	if extra {
		add(w.extra)
	}
	slices.Sort(out)
	return out
}

// unregister removes the finished waiter from its keys' queues and clears
// the client's blocked state.
func (w *Waiter) unregister() {
	shards := w.shards(false)
	w.ks.Lock(shards)
	for _, k := range w.keys {
		w.reg.shards[w.ks.ShardOf(k)].remove(k, w)
	}
	w.ks.Unlock(shards)
	w.reg.blocked.Add(-1)
	active.Add(-1)
	w.client.SetUnblocker(nil)
	w.client.SetFlag(client.FlagBlocked, false)
}

// Reply writes the reply of the wait to the client's output buffer: the
// served reply, the timeout reply, or unblockedErr for CLIENT UNBLOCK ...
// ERROR. A gone client gets nothing.
func (w *Waiter) Reply(out Outcome, unblockedErr string) {
	switch out {
	case OutServed:
		w.client.Out.Raw(w.out.Bytes())
	case OutTimedOut, OutUnblockedTimeout:
		if w.onTimeout != nil {
			w.onTimeout(w.client.Out)
		} else {
			w.client.Out.NullArray()
		}
	case OutUnblockedError:
		w.client.Out.Error(unblockedErr)
	}
}
