package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults for WriteBehindOptions fields left zero.
const (
	DefaultWriteBehindName  = "wb"
	DefaultWriteBehindGroup = "flushers"
	DefaultShards           = 4
	DefaultBatchSize        = 100
	DefaultBlock            = time.Second
	DefaultMinIdle          = 30 * time.Second
	DefaultMaxDeliveries    = 5
	DefaultRetryMin         = 100 * time.Millisecond
	DefaultRetryMax         = 10 * time.Second
)

// ErrPoison may be wrapped by a flush function's error to say that the
// update can never be stored (invalid data, a constraint it violates):
// when it is flushed alone, it goes to the dead-letter stream at once
// instead of after MaxDeliveries attempts.
var ErrPoison = errors.New("cache: poison update")

// Update is one key's pending change handed to a write-behind flush.
type Update[V any] struct {
	// Key is the caller's key, as given to WriteBehind.Set or Delete.
	Key string
	// Value is the value to store; the zero V when Deleted.
	Value V
	// Deleted says the key was deleted (WriteBehind.Delete).
	Deleted bool
	// ID is the queue entry ID of the write this update carries (the last
	// one for Key in the batch). IDs of one key increase with every write,
	// so a store can use ID as a version: apply the update only if it is
	// newer than what it has. Compare with CompareIDs.
	ID string
	// Writes is how many queued writes of Key this update coalesces (the
	// older ones were superseded).
	Writes int
}

// WriteBehindOptions configures a WriteBehind. All processes sharing a queue
// must use the same Name, Shards and Group.
type WriteBehindOptions struct {
	// Name names the queue; keys are laid out under it (see WriteBehind).
	// It must not contain '{' or '}'. Zero: "wb".
	Name string
	// Shards is the number of queue streams. Each key belongs to one shard
	// (FNV-1a of the key modulo Shards), and each process runs one worker
	// per shard. On Redis Cluster, a shard is one hash slot, so use several
	// shards per primary to spread the load. Changing it re-maps keys: drain
	// the queue first. Zero: 4.
	Shards int
	// Group is the streams' consumer group. Zero: "flushers".
	Group string
	// Consumer is this process's consumer name in the group; it must be
	// unique among live processes. Zero: host name, process id and a
	// random suffix.
	Consumer string
	// TTL is the lifetime of the cached values; zero or less means the
	// Cache's DefaultTTL. It must comfortably exceed the queue's worst lag:
	// a value that expires before it is flushed can be re-read from the
	// store's older copy.
	TTL time.Duration
	// BatchSize is the most entries a worker reads and flushes at once.
	// Zero: 100.
	BatchSize int
	// Block is how long a worker waits for new entries in one read; it
	// also bounds how long a hard stop takes. Zero: one second.
	Block time.Duration
	// MinIdle is how long an entry must have been delivered and not
	// acknowledged before another worker reclaims it (XAUTOCLAIM): the time
	// after which a worker is presumed dead. It must exceed the slowest
	// flush. Zero: 30 seconds.
	MinIdle time.Duration
	// ClaimInterval is how often a worker looks for entries to reclaim.
	// Zero: MinIdle/2.
	ClaimInterval time.Duration
	// MaxDeliveries is how many times an update is attempted (counting
	// deliveries to workers that died) before it is parked in the
	// dead-letter stream. Zero: 5.
	MaxDeliveries int
	// RetryMin and RetryMax bound the exponential backoff between flush
	// attempts of a failed batch. Zero: 100ms and 10s. RetryMax is capped
	// at MinIdle/2.
	RetryMin, RetryMax time.Duration
	// OnError is told about every error a worker handles by itself (op is
	// "read", "claim", "flush", "ack", "touch", "deadletter", "decode"
	// or "group"); shard is the queue shard. It must not block for long.
	OnError func(ctx context.Context, op string, shard int, err error)
}

// WriteBehind is write-behind caching: Set updates the cache and queues the
// write for the store in one atomic step, and workers flush queued writes to
// the store in batches, later.
//
// # Nothing acknowledged is lost
//
// Set runs MULTI; SET value; XADD queue; EXEC. When it returns nil, the value
// is cached and the write is queued in a Redis stream, together or not at
// all (as durable as the server's persistence makes them). Workers read the
// stream through a consumer group and XACK (and XDEL) entries only after the
// flush function returned nil for them. A worker that dies holding entries
// leaves them pending in the group; after MinIdle another worker takes them
// over with XAUTOCLAIM. Delivery is therefore at least once: a worker that
// dies after the store accepted a batch but before XACK causes the batch to
// be flushed again. Stores that must see every update exactly once use
// Update.ID as an idempotency key or version.
//
// # Batching, coalescing and order
//
// A worker reads up to BatchSize entries and flushes them in one call,
// coalesced: for each key only the last write in the batch is passed (Update
// says how many it replaces); all of the batch's entries are acknowledged
// together. Writes of one key stay in order within a shard, but a reclaimed
// older entry can reach the store after a newer one was flushed by another
// worker; a store that needs strict per-key order applies an update only if
// its ID is newer (CompareIDs).
//
// # Failures
//
// A failed flush is retried with exponential backoff (RetryMin to RetryMax).
// After a batch fails once, its updates are retried one at a time, so one
// bad update cannot hold up the others. An update that has been attempted
// MaxDeliveries times (or whose flush error wraps ErrPoison), or an entry
// that cannot be decoded, is moved, in one MULTI with its XACK, to the
// shard's dead-letter stream, with fields k, v, op (as queued), id (its
// original ID), deliveries and error.
//
// # Key layout and Redis Cluster
//
// The atomic step needs the value and the queue in one hash slot, so both
// carry the shard's hash tag. For Name "wb" and shard 3, key "user:42" is
// cached as
//
//	<Prefix>{wb:3}v:user:42    the value (read it with WriteBehind.Get)
//	<Prefix>{wb:3}q            shard 3's queue stream
//	<Prefix>{wb:3}dead         shard 3's dead-letter stream
//
// On a cluster each shard lives on the primary that owns its tag's slot.
// Prefix must not contain "{}" (an empty tag disables tags for the key).
//
// # Lifecycle
//
// Set and Delete work in any process. Start runs the workers; Close stops
// them gracefully: they stop waiting for new entries, flush everything
// already delivered to them and everything still queued for their shards,
// and return, bounded by Close's ctx. Canceling Start's ctx is a hard stop:
// workers abandon what they hold (it is reclaimed later).
type WriteBehind[V any] struct {
	c     *Cache
	flush func(ctx context.Context, batch []Update[V]) error

	name, group, consumer string
	shards                int
	ttl                   time.Duration
	batch                 int64
	block, minIdle, claim time.Duration
	maxDeliveries         int
	retryMin, retryMax    time.Duration
	onError               func(ctx context.Context, op string, shard int, err error)

	mu       sync.Mutex
	started  bool
	cancel   context.CancelFunc
	stopping chan struct{}
	done     chan struct{}

	stats wbCounters
}

type wbCounters struct {
	enqueued, flushed, flushedWrites, flushes, retries, deadLettered, claimed atomic.Uint64
}

// NewWriteBehind returns a write-behind cache over c that flushes queued
// writes with flush. flush receives a batch of coalesced updates (at most
// one per key) and returns nil once the store has accepted all of them; a
// non-nil error means none were accepted (it is retried). It panics if flush
// is nil or opts.Name contains a brace.
func NewWriteBehind[V any](c *Cache, flush func(ctx context.Context, batch []Update[V]) error, opts WriteBehindOptions) *WriteBehind[V] {
	if flush == nil {
		panic("cache: NewWriteBehind needs a flush function")
	}
	w := &WriteBehind[V]{
		c: c, flush: flush,
		name: opts.Name, group: opts.Group, consumer: opts.Consumer,
		shards: opts.Shards, ttl: opts.TTL, batch: int64(opts.BatchSize),
		block: opts.Block, minIdle: opts.MinIdle, claim: opts.ClaimInterval,
		maxDeliveries: opts.MaxDeliveries, retryMin: opts.RetryMin, retryMax: opts.RetryMax,
		onError:  opts.OnError,
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
	}
	if w.name == "" {
		w.name = DefaultWriteBehindName
	}
	if strings.ContainsAny(w.name, "{}") {
		panic("cache: WriteBehindOptions.Name must not contain braces")
	}
	if w.group == "" {
		w.group = DefaultWriteBehindGroup
	}
	if w.consumer == "" {
		host, _ := os.Hostname()
		w.consumer = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), rand.Text()[:8])
	}
	if w.shards <= 0 {
		w.shards = DefaultShards
	}
	if w.batch <= 0 {
		w.batch = DefaultBatchSize
	}
	if w.block <= 0 {
		w.block = DefaultBlock
	}
	if w.minIdle <= 0 {
		w.minIdle = DefaultMinIdle
	}
	if w.claim <= 0 {
		w.claim = w.minIdle / 2
	}
	if w.maxDeliveries <= 0 {
		w.maxDeliveries = DefaultMaxDeliveries
	}
	if w.retryMin <= 0 {
		w.retryMin = DefaultRetryMin
	}
	if w.retryMax <= 0 {
		w.retryMax = DefaultRetryMax
	}
	w.retryMax = max(min(w.retryMax, w.minIdle/2), w.retryMin)
	return w
}

// Shard returns the queue shard of key.
func (w *WriteBehind[V]) Shard(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(w.shards))
}

// tag returns shard's hash tag, "{wb:3}".
func (w *WriteBehind[V]) tag(shard int) string {
	return "{" + w.name + ":" + strconv.Itoa(shard) + "}"
}

// CacheKey returns the cache key (without the Cache's Prefix) under which
// key's value is cached.
func (w *WriteBehind[V]) CacheKey(key string) string {
	return w.tag(w.Shard(key)) + "v:" + key
}

// QueueKey returns the Redis key of shard's queue stream.
func (w *WriteBehind[V]) QueueKey(shard int) string { return w.c.prefix + w.tag(shard) + "q" }

// DeadLetterKey returns the Redis key of shard's dead-letter stream.
func (w *WriteBehind[V]) DeadLetterKey(shard int) string { return w.c.prefix + w.tag(shard) + "dead" }

// Set caches v under key and queues it for the store, atomically (MULTI).
// When it returns nil the write will reach the store; any error means it
// was not queued (ErrCircuitOpen: the circuit breaker is open and Redis was
// not asked). The MULTI is one call under Options.Timeout and the breaker,
// its failures counted in the Cache's Stats.Errors. Two Sets of one key
// reach the store in order, or coalesced into the later one.
func (w *WriteBehind[V]) Set(ctx context.Context, key string, v V) error {
	data, err := w.c.codec.Marshal(v)
	if err == nil && bytes.Equal(data, negativeMarker) {
		err = errors.New("value collides with the negative marker")
	}
	if err != nil {
		return fmt.Errorf("cache: encode %q: %w", key, err)
	}
	return w.enqueue(ctx, key, data, "set", w.c.ttl(w.ttl))
}

// Delete caches "not found" for key (Get returns ErrNotFound) and queues
// its deletion from the store, atomically. The marker lives as long as a
// value would (TTL), so a reader does not re-read the store's old copy
// before the deletion is flushed.
func (w *WriteBehind[V]) Delete(ctx context.Context, key string) error {
	return w.enqueue(ctx, key, negativeMarker, "del", w.c.ttl(w.ttl))
}

func (w *WriteBehind[V]) enqueue(ctx context.Context, key string, data []byte, op string, ttl time.Duration) error {
	shard := w.Shard(key)
	rk := w.c.key(w.tag(shard) + "v:" + key)
	q := w.QueueKey(shard)
	// One call under the breaker and Options.Timeout. Its error is the
	// caller's: an update is acknowledged only once it is queued.
	err := w.c.call(ctx, func(ctx context.Context) error {
		_, err := w.c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, rk, data, ttl)
			values := []any{"k", key, "op", op}
			if op == "set" {
				values = append(values, "v", data)
			}
			p.XAdd(ctx, &redis.XAddArgs{Stream: q, Values: values})
			return nil
		})
		return err
	})
	if err != nil {
		return err
	}
	w.stats.enqueued.Add(1)
	if err := w.c.PublishInvalidation(ctx, w.tag(shard)+"v:"+key); err != nil {
		w.c.report(ctx, "publish", key, err)
	}
	return nil
}

// Get returns key's cached value (ErrMiss, ErrNotFound: see Get).
func (w *WriteBehind[V]) Get(ctx context.Context, key string) (V, error) {
	return Get[V](ctx, w.c, w.CacheKey(key))
}

// GetOrLoad returns key's cached value or loads it (see GetOrLoad) and caches
// it for the WriteBehind's TTL.
func (w *WriteBehind[V]) GetOrLoad(ctx context.Context, key string, loader func(ctx context.Context) (V, error)) (V, error) {
	return GetOrLoad(ctx, w.c, w.CacheKey(key), w.ttl, loader)
}

// Start creates the consumer groups (if missing) and starts one worker per
// shard. The workers run until Close, or until ctx ends (a hard stop). It
// returns an error if a group cannot be created; calling it twice is an
// error.
func (w *WriteBehind[V]) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started {
		return errors.New("cache: WriteBehind already started")
	}
	if w.draining() {
		return errors.New("cache: WriteBehind closed")
	}
	for s := range w.shards {
		if err := w.createGroup(ctx, s); err != nil {
			return err
		}
	}
	w.started = true
	rctx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	var wg sync.WaitGroup
	for s := range w.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.work(rctx, s)
		}()
	}
	go func() {
		wg.Wait()
		cancel()
		close(w.done)
	}()
	return nil
}

func (w *WriteBehind[V]) createGroup(ctx context.Context, shard int) error {
	err := w.c.rdb.XGroupCreateMkStream(ctx, w.QueueKey(shard), w.group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("cache: create group on %s: %w", w.QueueKey(shard), err)
	}
	return nil
}

// Close stops the workers gracefully: they flush what they hold and what is
// queued for their shards, then return. If ctx ends first, the workers are
// stopped hard (what they have not flushed stays queued) and Close returns
// ctx's error. Close without Start, or a second Close, only waits.
func (w *WriteBehind[V]) Close(ctx context.Context) error {
	w.mu.Lock()
	started := w.started
	select {
	case <-w.stopping:
	default:
		close(w.stopping)
	}
	w.mu.Unlock()
	if !started {
		return nil
	}
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		w.cancel()
		<-w.done
		return ctx.Err()
	}
}

func (w *WriteBehind[V]) draining() bool {
	select {
	case <-w.stopping:
		return true
	default:
		return false
	}
}

func (w *WriteBehind[V]) report(ctx context.Context, op string, shard int, err error) {
	if w.onError != nil {
		w.onError(ctx, op, shard, err)
	}
}

// wbSleep waits d or until ctx ends; it reports whether ctx is still alive.
func wbSleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// wbSource says where a batch came from.
type wbSource int

const (
	wbNew     wbSource = iota // XREADGROUP >: first delivery
	wbPending                 // our own PEL, from an earlier run
	wbClaimed                 // XAUTOCLAIM from a dead worker
)

// work is one shard's worker loop.
func (w *WriteBehind[V]) work(ctx context.Context, shard int) {
	q := w.QueueKey(shard)
	readPEL := true // first, whatever an earlier run of this consumer left
	var nextClaim time.Time
	claimCursor := "0-0"
	backoff := w.retryMin
	for ctx.Err() == nil {
		draining := w.draining()
		var (
			msgs []redis.XMessage
			err  error
			src  wbSource
		)
		switch {
		case readPEL:
			src = wbPending
			msgs, err = w.read(ctx, q, "0", -1)
			if err == nil && int64(len(msgs)) < w.batch {
				readPEL = false
			}
		case !draining && !time.Now().Before(nextClaim):
			src = wbClaimed
			nextClaim = time.Now().Add(w.claim)
			msgs, claimCursor, err = w.c.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
				Stream: q, Group: w.group, Consumer: w.consumer,
				MinIdle: w.minIdle, Start: claimCursor, Count: w.batch,
			}).Result()
			if err != nil || claimCursor == "" {
				claimCursor = "0-0"
			}
			if err == nil && claimCursor != "0-0" {
				nextClaim = time.Now() // more to scan: go on next round
			}
			if len(msgs) > 0 {
				w.stats.claimed.Add(uint64(len(msgs)))
			}
		default:
			src = wbNew
			block := w.block
			if draining {
				block = -1 // no BLOCK: drain what is there and stop
			}
			msgs, err = w.read(ctx, q, ">", block)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if isNoGroup(err) {
				if gerr := w.createGroup(ctx, shard); gerr != nil {
					w.report(ctx, "group", shard, gerr)
				}
			} else {
				op := "read"
				if src == wbClaimed {
					op = "claim"
				}
				w.report(ctx, op, shard, err)
			}
			if !wbSleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, w.retryMax)
			continue
		}
		backoff = w.retryMin
		if len(msgs) == 0 {
			if draining && src == wbNew {
				return
			}
			continue
		}
		w.handle(ctx, shard, msgs, src)
	}
}

// read is XREADGROUP on one stream; block < 0 means no BLOCK.
func (w *WriteBehind[V]) read(ctx context.Context, q, id string, block time.Duration) ([]redis.XMessage, error) {
	res, err := w.c.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: w.group, Consumer: w.consumer, Streams: []string{q, id},
		Count: w.batch, Block: block,
	}).Result()
	if err == redis.Nil {
		return nil, nil
	}
	if err != nil || len(res) == 0 {
		return nil, err
	}
	return res[0].Messages, nil
}

// wbItem is one key's coalesced update in a batch being flushed.
type wbItem[V any] struct {
	up       Update[V]
	msgs     []redis.XMessage // every entry it covers, oldest first
	attempts int              // flush attempts so far, earlier workers' deliveries included
	lastErr  error
	poison   bool // the flush said ErrPoison: park it now
}

func (it *wbItem[V]) ids() []string {
	ids := make([]string, len(it.msgs))
	for i, m := range it.msgs {
		ids[i] = m.ID
	}
	return ids
}

// handle flushes one batch until every entry is acknowledged or parked, or
// ctx ends.
func (w *WriteBehind[V]) handle(ctx context.Context, shard int, msgs []redis.XMessage, src wbSource) {
	// Deliveries so far, for entries that were delivered before.
	var deliveries map[string]int64
	if src != wbNew {
		deliveries = w.deliveries(ctx, shard, msgs)
	}
	var items []*wbItem[V]
	index := map[string]*wbItem[V]{}
	for _, m := range msgs {
		key, _ := m.Values["k"].(string)
		op, _ := m.Values["op"].(string)
		var up Update[V]
		var derr error
		switch {
		case key == "":
			derr = errors.New("entry has no key")
		case op == "del":
			up = Update[V]{Key: key, Deleted: true}
		case op == "set":
			data, _ := m.Values["v"].(string)
			up.Key = key
			if err := w.c.codec.Unmarshal([]byte(data), &up.Value); err != nil {
				derr = fmt.Errorf("decode %q: %w", key, err)
			}
		default:
			derr = fmt.Errorf("unknown op %q", op)
		}
		if derr != nil {
			w.report(ctx, "decode", shard, derr)
			w.deadLetter(ctx, shard, &wbItem[V]{msgs: []redis.XMessage{m}, lastErr: derr})
			continue
		}
		up.ID = m.ID
		it := index[key]
		if it == nil {
			it = &wbItem[V]{}
			index[key] = it
			items = append(items, it)
		}
		up.Writes = len(it.msgs) + 1
		it.up = up // last write wins
		it.msgs = append(it.msgs, m)
		if d := int(deliveries[m.ID]) - 1; d > it.attempts {
			it.attempts = d
		}
	}

	backoff := w.retryMin
	alone := false // after a failure, flush updates one at a time
	for round := 0; len(items) > 0; round++ {
		if round > 0 {
			w.stats.retries.Add(1)
			if !wbSleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, w.retryMax)
			w.touch(ctx, shard, items)
		}
		live := items[:0]
		for _, it := range items {
			if it.attempts >= w.maxDeliveries {
				w.deadLetter(ctx, shard, it)
			} else {
				live = append(live, it)
			}
		}
		items = live
		groups := [][]*wbItem[V]{items}
		if alone {
			groups = make([][]*wbItem[V], len(items))
			for i, it := range items {
				groups[i] = []*wbItem[V]{it}
			}
		}
		var failed []*wbItem[V]
		for _, g := range groups {
			if len(g) == 0 {
				continue
			}
			if ctx.Err() != nil {
				return // hard stop: leave the rest pending
			}
			ups := make([]Update[V], len(g))
			for i, it := range g {
				ups[i] = it.up
			}
			w.stats.flushes.Add(1)
			err := w.flush(ctx, ups)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				w.report(ctx, "flush", shard, err)
				if len(g) == 1 {
					g[0].attempts++
					g[0].lastErr = err
					g[0].poison = errors.Is(err, ErrPoison)
				}
				failed = append(failed, g...)
				continue
			}
			w.ack(ctx, shard, g)
		}
		if len(failed) > 1 {
			alone = true
		}
		// Park what has had its attempts now, not after another backoff.
		items = failed[:0]
		for _, it := range failed {
			if it.attempts >= w.maxDeliveries || it.poison {
				w.deadLetter(ctx, shard, it)
			} else {
				items = append(items, it)
			}
		}
	}
}

// deliveries returns how many times each of msgs has been delivered
// (XPENDING), or nil if that cannot be read.
func (w *WriteBehind[V]) deliveries(ctx context.Context, shard int, msgs []redis.XMessage) map[string]int64 {
	res, err := w.c.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: w.QueueKey(shard), Group: w.group,
		Start: msgs[0].ID, End: msgs[len(msgs)-1].ID, Count: int64(len(msgs)) + 1,
		Consumer: w.consumer,
	}).Result()
	if err != nil {
		w.report(ctx, "read", shard, err)
		return nil
	}
	out := make(map[string]int64, len(res))
	for _, p := range res {
		out[p.ID] = p.RetryCount
	}
	return out
}

// ack acknowledges and deletes the entries of flushed items, retrying a
// few times: if it still fails, the entries are flushed again after MinIdle.
func (w *WriteBehind[V]) ack(ctx context.Context, shard int, items []*wbItem[V]) {
	var ids []string
	writes := 0
	for _, it := range items {
		ids = append(ids, it.ids()...)
		writes += len(it.msgs)
	}
	w.stats.flushed.Add(uint64(len(items)))
	w.stats.flushedWrites.Add(uint64(writes))
	q := w.QueueKey(shard)
	backoff := w.retryMin
	// The store has the updates: acknowledge them even during a hard stop.
	ctx = context.WithoutCancel(ctx)
	for attempt := 0; attempt < 3; attempt++ {
		_, err := w.c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.XAck(ctx, q, w.group, ids...)
			p.XDel(ctx, q, ids...)
			return nil
		})
		if err == nil {
			return
		}
		w.report(ctx, "ack", shard, err)
		if !wbSleep(ctx, backoff) {
			return
		}
		backoff *= 2
	}
}

// touch resets the idle time of the items' entries (XCLAIM ... JUSTID to
// ourselves), so that a worker retrying a batch is not taken for dead.
func (w *WriteBehind[V]) touch(ctx context.Context, shard int, items []*wbItem[V]) {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ids()...)
	}
	if len(ids) == 0 {
		return
	}
	err := w.c.rdb.XClaimJustID(ctx, &redis.XClaimArgs{
		Stream: w.QueueKey(shard), Group: w.group, Consumer: w.consumer, Messages: ids,
	}).Err()
	if err != nil && ctx.Err() == nil {
		w.report(ctx, "touch", shard, err)
	}
}

// deadLetter parks an item's entries in the shard's dead-letter stream and
// acknowledges them, in one MULTI.
func (w *WriteBehind[V]) deadLetter(ctx context.Context, shard int, it *wbItem[V]) {
	q, dead := w.QueueKey(shard), w.DeadLetterKey(shard)
	reason := "too many deliveries"
	if it.lastErr != nil {
		reason = it.lastErr.Error()
	}
	ids := it.ids()
	_, err := w.c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range it.msgs {
			values := []any{}
			for _, f := range []string{"k", "op", "v"} {
				if v, ok := m.Values[f]; ok {
					values = append(values, f, v)
				}
			}
			values = append(values, "id", m.ID, "deliveries", it.attempts, "error", reason)
			p.XAdd(ctx, &redis.XAddArgs{Stream: dead, Values: values})
		}
		p.XAck(ctx, q, w.group, ids...)
		p.XDel(ctx, q, ids...)
		return nil
	})
	if err != nil {
		w.report(ctx, "deadletter", shard, err)
		return
	}
	w.stats.deadLettered.Add(uint64(len(ids)))
}

// WriteBehindStats describes a write-behind queue. Pending, Lag and
// DeadLetters are read from the server and cover every process; the
// counters are this process's since NewWriteBehind.
type WriteBehindStats struct {
	// Pending is the number of queued writes delivered to a worker and not
	// yet acknowledged (XPENDING), over all shards.
	Pending int64
	// Lag is the number of queued writes not yet delivered to any worker.
	Lag int64
	// DeadLetters is the number of entries in the dead-letter streams.
	DeadLetters int64
	// Enqueued counts successful Sets and Deletes.
	Enqueued uint64
	// Flushed counts updates the store accepted (after coalescing);
	// FlushedWrites counts the queued writes they covered.
	Flushed, FlushedWrites uint64
	// Flushes counts calls of the flush function.
	Flushes uint64
	// Retries counts rounds of retrying a failed batch.
	Retries uint64
	// DeadLettered counts entries this process parked in a dead-letter
	// stream.
	DeadLettered uint64
	// Claimed counts entries taken over from other workers (XAUTOCLAIM).
	Claimed uint64
}

// Stats reads the queue's pending and lag counts from the server and
// returns them with this process's counters.
func (w *WriteBehind[V]) Stats(ctx context.Context) (WriteBehindStats, error) {
	st := WriteBehindStats{
		Enqueued:      w.stats.enqueued.Load(),
		Flushed:       w.stats.flushed.Load(),
		FlushedWrites: w.stats.flushedWrites.Load(),
		Flushes:       w.stats.flushes.Load(),
		Retries:       w.stats.retries.Load(),
		DeadLettered:  w.stats.deadLettered.Load(),
		Claimed:       w.stats.claimed.Load(),
	}
	type shardCmds struct {
		qlen, dlen *redis.IntCmd
		pending    *redis.XPendingCmd
	}
	cmds := make([]shardCmds, w.shards)
	_, err := w.c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for s := range w.shards {
			cmds[s] = shardCmds{
				qlen:    p.XLen(ctx, w.QueueKey(s)),
				pending: p.XPending(ctx, w.QueueKey(s), w.group),
				dlen:    p.XLen(ctx, w.DeadLetterKey(s)),
			}
		}
		return nil
	})
	if err != nil {
		for _, c := range cmds {
			if e := c.qlen.Err(); e != nil {
				return st, e
			}
			if e := c.dlen.Err(); e != nil {
				return st, e
			}
			if e := c.pending.Err(); e != nil && !isNoGroup(e) {
				return st, e // no group yet: nothing pending
			}
		}
	}
	for _, c := range cmds {
		n := c.qlen.Val()
		var pend int64
		if p, err := c.pending.Result(); err == nil && p != nil {
			pend = p.Count
		}
		st.Pending += pend
		// Acknowledged entries are deleted, so the stream holds exactly the
		// pending and the undelivered ones.
		st.Lag += max(n-pend, 0)
		st.DeadLetters += c.dlen.Val()
	}
	return st, nil
}

func isNoGroup(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOGROUP") }

// CompareIDs compares two queue entry IDs (Update.ID) of the same key: -1,
// 0 or 1 as a is older than, the same as, or newer than b.
func CompareIDs(a, b string) int {
	am, as := splitStreamID(a)
	bm, bs := splitStreamID(b)
	switch {
	case am < bm || am == bm && as < bs:
		return -1
	case am == bm && as == bs:
		return 0
	}
	return 1
}

func splitStreamID(id string) (ms, seq uint64) {
	a, b, _ := strings.Cut(id, "-")
	ms, _ = strconv.ParseUint(a, 10, 64)
	seq, _ = strconv.ParseUint(b, 10, 64)
	return ms, seq
}
