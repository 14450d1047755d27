package clustertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestStart(t *testing.T) {
	c := Start(t)
	rdb := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Keys in every primary's slots are writable through the cluster client.
	var mu sync.Mutex
	masters := map[string]bool{}
	for i := 0; i < 64; i++ {
		key := "k" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if err := rdb.Set(ctx, key, i, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", key, err)
		}
	}
	err := rdb.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		n, err := m.DBSize(ctx).Result()
		if err != nil {
			return err
		}
		if n == 0 {
			t.Errorf("primary %s holds no keys", m.Options().Addr)
		}
		mu.Lock()
		masters[m.Options().Addr] = true
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(masters) != Nodes {
		t.Fatalf("ForEachMaster visited %d primaries, want %d", len(masters), Nodes)
	}
}
