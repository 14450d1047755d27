// Package cache is the cache-aside pattern as a Go library that holds up in
// production, over any Redis-protocol server reached through go-redis v9's
// redis.UniversalClient: embedded Ember, Redis, Valkey, or Redis Cluster.
//
// # Reading: GetOrLoad
//
// Cache-aside means the application owns the cache: read it, and on a miss
// read the source of truth and store what it said. GetOrLoad does all of
// that in one call:
//
//	c := cache.New(rdb, cache.Options{Prefix: "shop:", Jitter: 0.1, Lock: true})
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
//   - Synchronised expiry. Options.Jitter spreads TTLs (0.1 is ±10%) so keys
//     cached together by a deploy or a warm-up do not all expire in the
//     same second.
//   - Lookups of things that do not exist. A loader that returns ErrNotFound
//     makes GetOrLoad cache a small marker for Options.NegativeTTL, so a
//     flood of requests for a missing id does not reach the database.
//   - A cache outage. If Redis is unreachable or times out, GetOrLoad calls
//     the loader directly and returns its result: the application is slower,
//     not broken. Every swallowed error is counted in Stats.Degraded and
//     passed to Options.OnError for logging.
//   - A panicking loader. The panic is re-raised in the goroutine that ran
//     the loader; the goroutines waiting on it get a *PanicError instead of
//     hanging.
//
// Every value expires: a TTL of zero means Options.DefaultTTL, and a zero
// DefaultTTL means one hour.
//
// # Writing: Delete, do not update
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
// long that stale value lives.) Set is for warming and for values the cache
// itself owns.
//
// # Typed access
//
// Get, GetOrLoad and the loader are generic in the value type. Values are
// encoded with Options.Codec, JSON by default, so other services and
// redis-cli can read them. Get returns ErrMiss when the key is not cached and
// ErrNotFound when a negative marker is.
//
// # Making degradation fast
//
// When the server is down, each GetOrLoad still tries it once before
// falling back, so the cost of an outage is the client's timeouts. Configure
// the client for it:
//
//	rdb := redis.NewClient(&redis.Options{
//		Addr:          addr,
//		DialTimeout:   250 * time.Millisecond,
//		ReadTimeout:   250 * time.Millisecond,
//		WriteTimeout:  250 * time.Millisecond,
//		DialerRetries: 1, // go-redis retries a failed dial 5 times by default
//	})
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
// # Observability
//
// Stats returns atomic counters: hits (and negative hits), misses, loader
// calls and failures, calls that shared a load, lock waits and timeouts,
// and degraded operations.
package cache
