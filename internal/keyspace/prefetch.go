package keyspace

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/ember-kv/ember/internal/dict"
	"github.com/ember-kv/ember/internal/value"
)

// PrefetchMax is the most keys Prefetch warms at once, and the most
// members.
const PrefetchMax = 64

// MemberGroup names members of a collection key that commands will look
// up (SADD's members, HSET's fields, ...).
type MemberGroup struct {
	Key     []byte
	Members [][]byte
}

// prefetchSink keeps the values Prefetch reads, so that the reads are
// made.
var prefetchSink atomic.Uint32

// Prefetch reads, for each key of database db, what looking it up will
// read: its bucket slot, the chain head's hash tag and that entry's key.
// It makes each step for every key before the next step, so that the
// cache misses of a pipeline's keys overlap rather than follow one
// another, and the commands that then look the keys up find them in
// cache. Then, for each group, it warms the members' lookups in the
// key's collection (a large set, hash or sorted set) the same way. It
// only reads, and skips shards another goroutine holds. At most
// PrefetchMax keys are warmed.
func (ks *Keyspace) Prefetch(db int, keys [][]byte, groups []MemberGroup) {
	n := min(len(keys), PrefetchMax)
	if n == 0 {
		return
	}
	var (
		shard  [PrefetchMax]uint16
		hash   [PrefetchMax]uint64
		head   [PrefetchMax]unsafe.Pointer
		locked [4]uint64 // bit set of the shards held (at most 256)
		want   [4]uint64
	)
	for i, k := range keys[:n] {
		h := dict.Hash(k)
		si := ks.shardOfHash(h)
		shard[i], hash[i] = uint16(si), h
		want[si>>6] |= 1 << (si & 63)
	}
	// Ascending order, as the dispatcher locks; TryLock, so that a busy
	// shard is skipped rather than waited for.
	for w := range want {
		for b := want[w]; b != 0; b &= b - 1 {
			si := w<<6 | bits.TrailingZeros64(b)
			if ks.shards[si].mu.TryLock() {
				locked[w] |= 1 << (si & 63)
			}
		}
	}
	for i := range n {
		si := shard[i]
		if locked[si>>6]&(1<<(si&63)) != 0 {
			head[i] = ks.shards[si].dbs[db].keys.Head(hash[i])
		}
	}
	// Two entries deep: a chain's head, then (when the head is another
	// key) the entry after it. Tables are at most full, so longer chains
	// are rare.
	var sink uint32
	for range 2 {
		for i := range n {
			sink += dict.TouchTag(head[i])
		}
		for i := range n {
			if head[i] != nil {
				b, next := ks.shards[shard[i]].dbs[db].keys.TouchKey(head[i], hash[i])
				sink += uint32(b)
				head[i] = next
			}
		}
	}
	for _, g := range groups {
		h := dict.Hash(g.Key)
		si := ks.shardOfHash(h)
		if locked[si>>6]&(1<<(si&63)) == 0 {
			continue
		}
		if e := ks.shards[si].dbs[db].keys.RefHash(g.Key, h); e != nil {
			if v, ok := e.Value.(value.MemberWarmer); ok {
				sink += v.Warm(g.Members)
			}
		}
	}
	for w := range locked {
		for b := locked[w]; b != 0; b &= b - 1 {
			ks.shards[w<<6|bits.TrailingZeros64(b)].mu.Unlock()
		}
	}
	prefetchSink.Store(sink)
}
