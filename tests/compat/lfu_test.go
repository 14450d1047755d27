package compat

import "testing"

// TestObjectFreqFollowsPolicy switches maxmemory-policy at runtime: OBJECT
// FREQ answers only under an LFU policy, OBJECT IDLETIME only under the
// others, as in Redis. (Right after a switch back to LRU, Redis reads its
// LFU counter as an LRU clock and reports a meaningless idle time; Ember
// keeps both, so IDLETIME is not compared there.)
func TestObjectFreqFollowsPolicy(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("CONFIG", "SET", "maxmemory-policy", "noeviction") })
	p.CheckAll(Script(`
		SET k v
		OBJECT FREQ k
		CONFIG SET maxmemory-policy allkeys-lfu
		SET k2 v
		OBJECT FREQ k2
		OBJECT IDLETIME k2
		CONFIG SET lfu-log-factor 0
		CONFIG SET maxmemory-policy volatile-lfu
		OBJECT FREQ nokey
		CONFIG SET maxmemory-policy allkeys-lru
		OBJECT FREQ k2
		CONFIG SET lfu-log-factor 10
	`))
}
