package keyspace

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ember-kv/ember/internal/value"
)

// The threading-model benchmarks behind docs/architecture.md: the same
// GET/SET mix (90% reads) on 100k keys, run by parallel clients under
//   - sharded: one mutex per shard, the model Ember uses;
//   - global: one mutex for the whole keyspace (NewSharded(n, 1));
//   - actor: one goroutine owns the keyspace and clients hand it each
//     command over a channel, as a Redis-style single thread would in Go.
// Run with -cpu 1,2,4,... to see how each scales.

const modelKeys = 100_000

func modelKeyspace(shards int) (*Keyspace, [][]byte) {
	ks := NewSharded(1, shards)
	keys := make([][]byte, modelKeys)
	db := ks.DB(0, 1)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		s := ks.ShardOf(keys[i])
		ks.Lock([]int{s})
		db.Set(keys[i], value.NewPackedString([]byte("value")))
		ks.Unlock([]int{s})
	}
	return ks, keys
}

func modelOp(db DB, key []byte, write bool, v value.Value) {
	if write {
		db.SetKeepTTL(key, v)
		return
	}
	if e := db.Read(key); e == nil {
		panic("missing key")
	}
}

func benchLocked(b *testing.B, shards int) {
	ks, keys := modelKeyspace(shards)
	v := value.NewPackedString([]byte("value"))
	var seed atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		x := seed.Add(0x9e3779b97f4a7c15)
		db := ks.DB(0, 1)
		one := make([]int, 1)
		for i := 0; pb.Next(); i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			key := keys[x%modelKeys]
			one[0] = ks.ShardOf(key)
			ks.Lock(one)
			modelOp(db, key, i%10 == 0, v)
			ks.Unlock(one)
		}
	})
}

func BenchmarkModelSharded(b *testing.B) { benchLocked(b, DefaultShards) }
func BenchmarkModelGlobal(b *testing.B)  { benchLocked(b, 1) }

func BenchmarkModelActor(b *testing.B) {
	ks, keys := modelKeyspace(1)
	v := value.NewPackedString([]byte("value"))
	type req struct {
		key   []byte
		write bool
		done  chan struct{}
	}
	reqs := make(chan req, 1024)
	go func() {
		db := ks.DB(0, 1)
		for r := range reqs {
			modelOp(db, r.key, r.write, v)
			r.done <- struct{}{}
		}
	}()
	defer close(reqs)
	var seed atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		x := seed.Add(0x9e3779b97f4a7c15)
		done := make(chan struct{}, 1)
		for i := 0; pb.Next(); i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			reqs <- req{key: keys[x%modelKeys], write: i%10 == 0, done: done}
			<-done
		}
	})
}
