package keyspace

// TryLockShard locks shard i if no one holds it, reporting whether it did.
// The blocking machinery (internal/blocking) uses it to take one more
// shard while it already holds others, which may break the ascending lock
// order only because it never waits.
func (ks *Keyspace) TryLockShard(i int) bool { return ks.shards[i].mu.TryLock() }

// UnlockShard unlocks a shard locked by TryLockShard.
func (ks *Keyspace) UnlockShard(i int) {
	s := &ks.shards[i]
	if len(s.pending) > 0 {
		ks.settle(s)
	}
	s.mu.Unlock()
}
