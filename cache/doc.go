// Package cache is a caching toolkit over any Redis-protocol server reached
// through go-redis v9's redis.UniversalClient (embedded Ember, Redis,
// Valkey, Redis Cluster): the caching patterns of the lesson as a library
// that holds up in production. Each section below is one pattern: what it
// does, when to use it, how it fails, and the API for it.
//
// All of it is built on a Cache, created once and shared:
//
//	c := cache.New(rdb, cache.Options{Prefix: "shop:", Jitter: 0.1, Lock: true})
//
// # Choosing a pattern
//
// Each pattern of the lesson, the API for it, and when to reach for it
// (docs/cache.md has the same map as a table, with failure modes):
//
//   - Cache-aside: GetOrLoad, Get, Set, Delete. The default for read-mostly
//     data: the application reads the cache, loads from the source of truth
//     on a miss, and deletes cache keys after writing the source.
//   - Read-through: NewReadThrough, ReadThrough.Get and Invalidate.
//     Cache-aside with the loader bound once, for a component that owns one
//     kind of data, so callers only ever ask the cache.
//   - Write-through: NewWriteThrough, WriteThrough.Set, Get and Delete.
//     Every write goes to the source and then to the cache, so reads right
//     after a write hit and are current.
//   - Write-behind: NewWriteBehind, WriteBehind.Set, Delete, Start, Close
//     and Stats. Writes go to the cache and a durable queue; workers write
//     the source later, in batches: for write bursts the source cannot take.
//   - Warming: Warm, WarmMap. Fill the cache before traffic arrives.
//   - Invalidation: Invalidate (Delete), InvalidatePattern, SetTagged and
//     InvalidateTags. Remove what the source no longer says.
//   - Shared cache with pub/sub invalidation: Options.Near,
//     PublishInvalidation. An in-process tier in front of Redis, kept
//     coherent across instances, for very hot keys.
//   - Graceful degradation: Options.Timeout, Options.Breaker,
//     Options.OnError. The cache going down makes the application slower,
//     never broken.
//   - TTL hygiene: Options.DefaultTTL, Jitter, NegativeTTL,
//     StaleWhileRevalidate, EarlyRefresh. Every value expires, not all at
//     once, and hot keys are refreshed without a stampede.
//   - Metrics: Cache.Stats, WriteBehind.Stats, package cache/cacheprom.
//
// # Cache-aside: GetOrLoad
//
// Cache-aside means the application owns the cache: read it, and on a miss
// read the source of truth and store what it said. GetOrLoad does all of
// that in one call:
//
//	p, err := cache.GetOrLoad(ctx, c, "product:42", time.Hour,
//		func(ctx context.Context) (Product, error) {
//			p, err := db.Product(ctx, 42)
//			if errors.Is(err, sql.ErrNoRows) {
//				return Product{}, cache.ErrNotFound // cached as "not found"
//			}
//			return p, err
//		})
//
// and takes care of what the four-line version in a tutorial does not:
//
//   - Stampedes. When a popular key expires, every request misses at once.
//     GetOrLoad runs one loader per key per process and hands its result to
//     every caller waiting for it. With Options.Lock, the processes sharing
//     the cache also agree, through a short-lived lock key
//     ("<Prefix>lock:<key>", taken with SET NX PX), on which one loads; the
//     others poll the cache for its value for up to Options.LockWait, then
//     load themselves rather than fail. The "lock:" key space under Prefix
//     is reserved for these locks.
//   - Lookups of things that do not exist. A loader that returns ErrNotFound
//     makes GetOrLoad cache a small marker for Options.NegativeTTL, so a
//     flood of requests for a missing id does not reach the database.
//   - A panicking loader. The panic is re-raised in the goroutine that ran
//     the loader; the goroutines waiting on it get a *PanicError instead of
//     hanging.
//
// Use it for read-mostly data whose source can take the load of the misses.
// Failure modes: a value changed in the source stays cached until it is
// deleted or expires (so delete after writes, below); a loader slower than
// LockTTL lets a second instance load too.
//
// After a write to the source of truth, delete the cache key and let the
// next read repopulate it:
//
//	if err := db.UpdateProduct(ctx, p); err != nil {
//		return err
//	}
//	return c.Delete(ctx, "product:42")
//
// Updating the cache instead (Set) races: two writers can commit to the
// database in one order and to the cache in the other, leaving the older
// value cached until it expires. Two deletes cannot disagree. (One race
// remains in any cache-aside design: a read that loaded the old row just
// before the write can store it just after the delete. The TTL bounds how
// long that stale value lives; WriteThrough closes it.) Set is for warming
// and for values the cache itself owns. Get reads without loading: it
// returns ErrMiss when the key is not cached and ErrNotFound when a
// negative marker is.
//
// # Read-through: ReadThrough
//
// NewReadThrough binds a Cache, a TTL, a key function and a loader into a
// ReadThrough[K, V]; its Get(ctx, k) is GetOrLoad with that loader, and
// Invalidate(ctx, ks...) deletes. Use it when one component owns a kind of
// data (users by id, products by SKU) and its callers should never see the
// source of truth. It has GetOrLoad's stampede protection, negative caching
// and degradation, and its failure modes.
//
// # Write-through: WriteThrough
//
// NewWriteThrough wraps Load, Store and Remove functions for the source of
// truth. WriteThrough.Set calls Store and, once it has succeeded, SETs the
// new value in the cache; Delete calls Remove and caches "not found"; Get
// reads and fills misses inside WATCH ... MULTI SET EXEC, so a reader that
// loaded an old row can never store it over a writer's newer value. Use it
// when reads right after writes must hit and be current, and every writer
// goes through it. Failure modes: a cache failure after a successful Store
// does not fail Set (the write is durable); the key is deleted instead, and
// if that fails too the TTL bounds the staleness. Writers that bypass it are
// not covered. A miss holds a pool connection for the duration of Load.
//
// # Write-behind: WriteBehind
//
// NewWriteBehind puts a queue between the cache and the source of truth:
// WriteBehind.Set caches the value and appends the write to a Redis stream
// in one MULTI, and workers (Start, Close) flush queued writes to the store
// in coalesced batches, acknowledging only what the flush function accepted.
// Use it to absorb write bursts the store cannot take (counters, session
// data, telemetry). Failure modes: the store lags the cache (its Stats
// report the lag); delivery is at least once, so the flush function must be
// idempotent; updates that keep failing go to a dead-letter stream; and what
// is queued is only as durable as the Redis server's persistence.
//
// # Warming: Warm
//
// Warm (and WarmMap) stores a sequence of entries in pipelined batches,
// optionally only where nothing is cached yet (WarmOptions.OnlyMissing),
// reporting progress. Use it at deploy or after a flush so the first
// requests do not all miss. Jitter matters most here: values warmed together
// otherwise expire together. Failure modes: a warm-up from a stale snapshot
// can overwrite fresher values (use OnlyMissing); per-entry failures are
// counted and the first returned, a connection failure stops it.
//
// # Invalidation
//
// Delete (or Invalidate, its synonym) removes given keys. InvalidatePattern
// removes every key matching a glob, walking the keyspace with SCAN and
// UNLINK (on every primary of a cluster), never blocking the server like
// KEYS. SetTagged stores a value and registers it under tags (a Redis set per
// tag); InvalidateTags removes every key of the given tags. Use keys when you
// know them, tags for "everything about user 42", patterns as a last resort
// (a scan costs time proportional to the keyspace). Failure modes: keys
// created while a pattern scan runs may survive it; a tag set is only as
// complete as the writers that used SetTagged.
//
// # Shared cache with pub/sub invalidation: the near cache
//
// With Options.Near.Size above zero, each Cache keeps a bounded in-process
// copy of what it read (github.com/maypok86/otter/v2, holding the encoded
// bytes) in front of Redis, so hot keys are served without a round trip.
// Every Cache subscribes to an invalidation channel per prefix
// ("ember-cache:invalidate:<Prefix>"); every write through the package
// (Set, Delete, a GetOrLoad or refresh storing a value, SetTagged, Warm,
// WriteThrough, WriteBehind, InvalidatePattern, InvalidateTags) publishes
// the keys it changed, and every subscriber drops them. A message is the key without
// Prefix; an empty message drops everything. Other services take part by
// publishing the same messages (PublishInvalidation does it for code that
// changes keys another way).
//
// Use it for very hot keys read far more often than written, when a few
// milliseconds of staleness across instances are acceptable. Failure modes:
// an invalidation arrives a little after the write (the publish is in the
// same round trip as the write, delivery is asynchronous), so another
// instance may serve the old value for that long; messages are lost while a
// subscription is down, so the near cache is cleared and bypassed from the
// moment the connection breaks until the server confirms the subscription
// again (go-redis resubscribes on reconnect), and cleared once more then. A
// key that expires in Redis and is rewritten by someone who does not publish
// stays in the near cache until Near.TTL: keep it short. Call Close to stop
// the subscriber.
//
// # Graceful degradation
//
// Every call the Cache makes to Redis carries a deadline (Options.Timeout,
// 100ms by default). When Redis fails or times out, GetOrLoad calls the
// loader directly and returns its result; the error is counted
// (Stats.Errors, Stats.Degraded) and passed to Options.OnError, never
// returned unless the loader itself fails. A circuit breaker
// (Options.Breaker) stops paying timeouts during an outage: after
// BreakerOptions.Failures consecutive failures (or a FailureRate over a
// window) it opens and calls skip Redis entirely (Stats.Skipped, and Get,
// Set and Delete return ErrCircuitOpen); after CoolDown one probe call goes
// through (half-open), and its success closes the breaker. The state is in
// Stats.Breaker and Cache.BreakerState.
//
// The deadline reaches network reads and writes only if the go-redis client
// has ContextTimeoutEnabled; it always bounds dialing and the wait for a
// pooled connection. Configure the client for fast failure:
//
//	rdb := redis.NewClient(&redis.Options{
//		Addr:                  addr,
//		ContextTimeoutEnabled: true,
//		DialTimeout:           250 * time.Millisecond,
//		DialerRetries:         1, // go-redis retries a failed dial 5 times by default
//	})
//
// Every pattern goes through the same deadline and breaker, each round trip
// (a pipeline is one) counted once: reads and fills in ReadThrough and
// WriteThrough.Get degrade to the loader like GetOrLoad; WriteThrough.Set
// and Delete still succeed once the store has (a cache update the breaker
// skipped is reported as "invalidate"); Warm, InvalidatePattern, SetTagged
// and InvalidateTags stop and return ErrCircuitOpen; WriteBehind.Set and
// Delete return their error (ErrCircuitOpen included), because a write is
// acknowledged only once it is queued. Write-behind workers, whose reads
// block, keep their own retries and backoff.
//
// Failure modes: while the breaker is open the source of truth takes every
// read, so size it (or its own limits) for that; a pool too small for the
// concurrency makes callers queue for connections past the Timeout, which
// counts as failures; a Warm batch or invalidation pipeline too large to
// finish within Timeout fails (lower WarmOptions.BatchSize).
//
// # TTL hygiene
//
// Every value expires: a TTL of zero means Options.DefaultTTL, and a zero
// DefaultTTL means one hour. Options.Jitter spreads TTLs (0.1 is ±10%) so
// keys cached together do not all expire in the same second.
// Options.NegativeTTL bounds how long "not found" is believed.
//
// Options.StaleWhileRevalidate keeps each value for a window past its TTL:
// a GetOrLoad in that window returns the stale value at once and starts one
// background refresh (one per key and process; one in the whole cluster with
// Lock), so a popular key's expiry costs nobody a load's latency. The
// value's TTL in Redis is its TTL plus the window, and the Cache learns how
// fresh a value is from PTTL, read in the same pipeline as the GET: no
// envelope, the stored value keeps the codec's plain format. Options.
// EarlyRefresh adds probabilistic early refresh (XFetch): each hit on a
// fresh value refreshes it in the background with a probability that rises
// as expiry approaches, scaled by the measured load time, so hot keys are
// usually refreshed before they expire at all. Failure modes: a stale value
// is served for up to the window after the source changed (use Delete to
// invalidate at once); a failing refresh is reported (op "refresh") and the
// stale value served until the window ends; both cost a PTTL per read.
//
// # Codecs and the stored format
//
// Options.Codec encodes values. The default, JSONCodec, stores plain JSON,
// readable by any service sharing the cache (JSON.parse(await
// redis.get(key)) in Node). GobCodec stores encoding/gob streams: exact for
// Go types, Go-only. CompressCodec wraps either and DEFLATE-compresses values
// from a size threshold; a compressed value starts with the byte 0x02 (raw
// DEFLATE follows), anything else is the inner codec's bytes, so compressed
// and uncompressed values coexist. A negative marker is the bytes
// "\x00ember-cache:not-found". Any type with Marshal and Unmarshal is a
// Codec.
//
// Reads are cheap with the default codec: strings, byte slices and
// json.RawMessage skip reflection, and a hot key read as a plain value type
// (numbers, strings, and arrays and structs of them, without custom
// unmarshalers) is decoded once per change of its bytes, then copied from a
// small per-Cache memo: a copy of such a value shares nothing a caller could
// modify.
//
// # The cross-instance lock
//
// The lock is released with GET, compare the token, DEL: two commands,
// because it must work on servers without EVAL or MULTI. If a load outlives
// Options.LockTTL and another instance takes the expired lock between those
// two commands, that instance's lock is deleted and a third instance may
// load concurrently: a duplicate load, never a wrong value. Keep LockTTL
// well above the slowest load. Where the server has scripting, the release
// is one atomic step with
//
//	if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0
//
// # Metrics: Stats and cacheprom
//
// Stats returns atomic counters: hits (with negative hits, near-cache hits
// and stale serves), misses, loader calls, failures and latency histogram,
// background refreshes, calls that shared a load, lock waits and timeouts,
// cache errors, degraded and skipped calls, and the breaker's state and
// openings. Package cache/cacheprom exports them to Prometheus, so this
// package does not depend on client_golang. Options.OnError receives every
// error the package swallows.
package cache
