package keyspace

import "time"

// Active expiry, as Redis's activeExpireCycle: keys that expire and are
// never touched again are found by sampling the keys that have a time to
// live, a few at a time, with each shard locked only for one small batch.

const (
	// expireSample is how many keys with a TTL are sampled per batch.
	expireSample = 20
	// expireStalePct: a table is sampled again while more than this share
	// of a batch had expired.
	expireStalePct = 10
)

// ActiveExpireCycle runs one cycle of active expiry over every database and
// shard, deleting expired keys it samples, until the tables look clean or
// budget is spent. now gives the current time in Unix ms. It locks shards
// itself, one batch at a time, and returns how many keys it deleted.
func (ks *Keyspace) ActiveExpireCycle(now func() int64, budget time.Duration) int {
	if !ks.ActiveExpire() || (ks.ExpiryPaused != nil && ks.ExpiryPaused()) {
		return 0
	}
	start := time.Now()
	deleted := 0
	n := len(ks.shards)
	first := ks.expireNext
	for i := 0; i < n; i++ {
		si := (first + i) % n
		ks.expireNext = (si + 1) % n
		for db := 0; db < ks.numDB; db++ {
			for iter := 0; ; iter++ {
				sampled, expired := ks.expireBatch(si, db, now)
				deleted += expired
				if sampled == 0 || expired*100 <= sampled*expireStalePct {
					break
				}
				if iter&15 == 15 && time.Since(start) > budget {
					return deleted
				}
			}
		}
		if time.Since(start) > budget {
			return deleted
		}
	}
	return deleted
}

// expireBatch samples one batch of keys with a TTL in one shard's database.
// It reads the clock only when the database has such keys: most of a
// cycle's shard databases have none.
func (ks *Keyspace) expireBatch(si, dbIndex int, clock func() int64) (sampled, expired int) {
	s := &ks.shards[si]
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.dbs[dbIndex]
	if t.volatile.Len() == 0 {
		return 0, 0
	}
	now := clock()
	var victims [expireSample]string
	nv := 0
	t.volatile.Sample(expireSample, rnd, func(key string, at int64) bool {
		sampled++
		if at < now {
			victims[nv] = key
			nv++
		}
		return sampled < expireSample
	})
	db := DB{ks: ks, Index: dbIndex, Now: now}
	for _, k := range victims[:nv] {
		if db.expire(s, t, []byte(k)) {
			expired++
		}
	}
	return sampled, expired
}
