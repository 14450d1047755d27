package server

import (
	"context"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ember-kv/ember/internal/config"
)

// memClock is a manual clock for the LRU tests.
type memClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *memClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *memClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// memServer starts a server (with clock, when not nil) and returns a
// go-redis client of it.
func memServer(t *testing.T, clock Clock) (*Server, *redis.Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(config.New(), Options{Listeners: []net.Listener{ln}, Logger: log.New(io.Discard, "", 0), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr().String(), PoolSize: 4, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return s, rdb
}

var memCtx = context.Background()

// infoField returns one INFO field as an integer.
func infoField(t *testing.T, rdb *redis.Client, section, name string) int64 {
	t.Helper()
	info, err := rdb.Info(memCtx, section).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", name, v)
			}
			return n
		}
	}
	t.Fatalf("INFO %s has no %s", section, name)
	return 0
}

func mustDo(t *testing.T, rdb *redis.Client, args ...any) any {
	t.Helper()
	v, err := rdb.Do(memCtx, args...).Result()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

func expectErr(t *testing.T, rdb *redis.Client, want string, args ...any) {
	t.Helper()
	_, err := rdb.Do(memCtx, args...).Result()
	if err == nil || err.Error() != want {
		t.Fatalf("%v: got %v, want %q", args, err, want)
	}
}

const oomText = "OOM command not allowed when used memory > 'maxmemory'."

func TestMaxmemoryNoevictionOOM(t *testing.T) {
	_, rdb := memServer(t, nil)
	mustDo(t, rdb, "set", "a", "1")
	mustDo(t, rdb, "config", "set", "maxmemory", "1")
	expectErr(t, rdb, oomText, "set", "b", "2")
	expectErr(t, rdb, oomText, "lpush", "l", "x")
	if v := mustDo(t, rdb, "get", "a"); v != "1" { // reads keep working
		t.Fatalf("GET = %v", v)
	}
	if v := mustDo(t, rdb, "del", "a"); v != int64(1) { // DEL is not denyoom
		t.Fatalf("DEL = %v", v)
	}
	// Inside MULTI every command but EXEC, DISCARD, QUIT, RESET is refused.
	conn := rdb.Conn()
	defer conn.Close()
	if err := conn.Do(memCtx, "multi").Err(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Do(memCtx, "ping").Err(); err == nil || err.Error() != oomText {
		t.Fatalf("PING in MULTI: %v", err)
	}
	if err := conn.Do(memCtx, "exec").Err(); err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
		t.Fatalf("EXEC: %v", err)
	}
	if got := infoField(t, rdb, "stats", "evicted_keys"); got != 0 {
		t.Fatalf("evicted_keys = %d under noeviction", got)
	}
	if got := infoField(t, rdb, "stats", "current_eviction_exceeded_time"); got < 0 {
		t.Fatal(got)
	}
	mustDo(t, rdb, "config", "set", "maxmemory", "0")
	mustDo(t, rdb, "set", "b", "2")
}

// fillUntil writes keys of size bytes until n are written.
func fillKeys(t *testing.T, rdb *redis.Client, prefix string, n, size int, ttl bool) {
	t.Helper()
	val := strings.Repeat("x", size)
	pipe := rdb.Pipeline()
	for i := 0; i < n; i++ {
		if ttl {
			pipe.Set(memCtx, prefix+strconv.Itoa(i), val, time.Hour)
		} else {
			pipe.Set(memCtx, prefix+strconv.Itoa(i), val, 0)
		}
		if i%500 == 499 || i == n-1 {
			if _, err := pipe.Exec(memCtx); err != nil {
				t.Fatalf("key %d: %v", i, err)
			}
		}
	}
}

func TestMaxmemoryPolicies(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random",
		"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			_, rdb := memServer(t, nil)
			volatile := strings.HasPrefix(policy, "volatile-")
			// Keys without a TTL first: a volatile policy never evicts them.
			fillKeys(t, rdb, "plain:", 200, 200, false)
			limit := infoField(t, rdb, "memory", "used_memory") + 256<<10
			mustDo(t, rdb, "config", "set", "maxmemory-policy", policy)
			mustDo(t, rdb, "config", "set", "maxmemory", strconv.FormatInt(limit, 10))
			fillKeys(t, rdb, "ttl:", 5000, 200, true)
			used := infoField(t, rdb, "memory", "used_memory")
			if used > limit {
				t.Fatalf("used_memory %d over maxmemory %d", used, limit)
			}
			evicted := infoField(t, rdb, "stats", "evicted_keys")
			if evicted == 0 {
				t.Fatal("nothing evicted")
			}
			plain := 0
			for i := 0; i < 200; i++ {
				if rdb.Exists(memCtx, "plain:"+strconv.Itoa(i)).Val() == 1 {
					plain++
				}
			}
			if volatile && plain != 200 {
				t.Fatalf("%s evicted %d keys without a TTL", policy, 200-plain)
			}
			if volatile {
				// Only keys without TTL left to fill with: once the volatile
				// keys are gone, writes fail.
				mustDo(t, rdb, "flushall")
				fillKeys(t, rdb, "plain:", 200, 200, false)
				mustDo(t, rdb, "config", "set", "maxmemory", strconv.FormatInt(infoField(t, rdb, "memory", "used_memory")-1, 10))
				expectErr(t, rdb, oomText, "set", "more", "x")
			}
		})
	}
}

func TestMaxmemoryLowerEvictsAtOnce(t *testing.T) {
	_, rdb := memServer(t, nil)
	fillKeys(t, rdb, "k:", 4000, 100, false)
	used := infoField(t, rdb, "memory", "used_memory")
	startup := infoField(t, rdb, "memory", "used_memory_startup")
	mustDo(t, rdb, "config", "set", "maxmemory-policy", "allkeys-lru")
	limit := startup + (used-startup)/2
	mustDo(t, rdb, "config", "set", "maxmemory", strconv.FormatInt(limit, 10))
	// CONFIG SET itself evicts, as much as maxmemory-eviction-tenacity
	// allows; the rest goes on in the background.
	memWaitFor(t, func() bool { return infoField(t, rdb, "memory", "used_memory") <= limit })
	n := rdb.DBSize(memCtx).Val()
	evicted := infoField(t, rdb, "stats", "evicted_keys")
	if n+evicted != 4000 || n < 1000 || n > 2500 {
		t.Fatalf("dbsize %d, evicted_keys %d", n, evicted)
	}
	if got := infoField(t, rdb, "memory", "maxmemory"); got != limit {
		t.Fatalf("INFO maxmemory %d, want %d", got, limit)
	}
	mustDo(t, rdb, "config", "resetstat")
	if got := infoField(t, rdb, "stats", "evicted_keys"); got != 0 {
		t.Fatalf("evicted_keys after RESETSTAT = %d", got)
	}
}

// memWaitFor polls cond for up to 10 seconds.
func memWaitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEvictedKeysAreAnnounced(t *testing.T) {
	_, rdb := memServer(t, nil)
	mustDo(t, rdb, "config", "set", "notify-keyspace-events", "Ee")
	sub := rdb.Subscribe(memCtx, "__keyevent@0__:evicted")
	defer sub.Close()
	if _, err := sub.Receive(memCtx); err != nil { // the subscription
		t.Fatal(err)
	}
	fillKeys(t, rdb, "k:", 1000, 100, false)
	mustDo(t, rdb, "config", "set", "maxmemory-policy", "allkeys-random")
	limit := infoField(t, rdb, "memory", "used_memory") - 2000
	mustDo(t, rdb, "config", "set", "maxmemory", strconv.FormatInt(limit, 10))
	memWaitFor(t, func() bool { return infoField(t, rdb, "memory", "used_memory") <= limit })
	evicted := infoField(t, rdb, "stats", "evicted_keys")
	if evicted == 0 {
		t.Fatal("nothing evicted")
	}
	ch := sub.Channel()
	seen := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for int64(len(seen)) < evicted {
		select {
		case m := <-ch:
			if !strings.HasPrefix(m.Payload, "k:") {
				t.Fatalf("evicted %q", m.Payload)
			}
			if rdb.Exists(memCtx, m.Payload).Val() != 0 {
				t.Fatalf("announced %q still exists", m.Payload)
			}
			seen[m.Payload] = true
		case <-timeout:
			t.Fatalf("%d evicted keys announced, evicted_keys %d", len(seen), evicted)
		}
	}
}

func TestEvictionTouchesWatch(t *testing.T) {
	_, rdb := memServer(t, nil)
	fillKeys(t, rdb, "k:", 500, 100, false)
	conn := rdb.Conn()
	defer conn.Close()
	var watched []any
	for i := 0; i < 500; i++ {
		watched = append(watched, "k:"+strconv.Itoa(i))
	}
	if err := conn.Do(memCtx, append([]any{"watch"}, watched...)...).Err(); err != nil {
		t.Fatal(err)
	}
	mustDo(t, rdb, "config", "set", "maxmemory-policy", "allkeys-random")
	mustDo(t, rdb, "config", "set", "maxmemory", strconv.FormatInt(infoField(t, rdb, "memory", "used_memory")-2000, 10))
	mustDo(t, rdb, "config", "set", "maxmemory", "0")
	conn.Do(memCtx, "multi")
	conn.Do(memCtx, "ping")
	if v, err := conn.Do(memCtx, "exec").Result(); err != redis.Nil {
		t.Fatalf("EXEC after a watched key was evicted: %v %v", v, err)
	}
}

func TestMaxmemoryLRUKeepsRecentKeys(t *testing.T) {
	clock := &memClock{t: time.Unix(1_700_000_000, 0)}
	_, rdb := memServer(t, clock)
	const n = 4000
	fillKeys(t, rdb, "k:", n, 100, false)
	clock.Advance(time.Minute)
	pipe := rdb.Pipeline()
	for i := 0; i < n/2; i++ {
		pipe.Get(memCtx, "k:"+strconv.Itoa(i))
	}
	if _, err := pipe.Exec(memCtx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	used := infoField(t, rdb, "memory", "used_memory")
	startup := infoField(t, rdb, "memory", "used_memory_startup")
	mustDo(t, rdb, "config", "set", "maxmemory-policy", "allkeys-lru")
	limit := startup + (used-startup)*45/100
	mustDo(t, rdb, "config", "set", "maxmemory", strconv.FormatInt(limit, 10))
	memWaitFor(t, func() bool { return infoField(t, rdb, "memory", "used_memory") <= limit })
	recent, all := 0, 0
	kept := "" // a recently read key that survived
	for i := 0; i < n; i++ {
		if rdb.Exists(memCtx, "k:"+strconv.Itoa(i)).Val() == 1 {
			all++
			if i < n/2 {
				recent++
				if kept == "" {
					kept = "k:" + strconv.Itoa(i)
				}
			}
		}
	}
	t.Logf("%d survivors, %d recently read", all, recent)
	if all == 0 || recent < all*9/10 {
		t.Fatalf("%d survivors, only %d recently read", all, recent)
	}
	// OBJECT IDLETIME follows the clock; OBJECT FREQ needs an LFU policy.
	if v := mustDo(t, rdb, "object", "idletime", kept); v != int64(60) {
		t.Fatalf("OBJECT IDLETIME = %v", v)
	}
	expectErr(t, rdb, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.", "object", "freq", kept)
	mustDo(t, rdb, "config", "set", "maxmemory-policy", "allkeys-lfu")
	if v := mustDo(t, rdb, "object", "freq", kept); v.(int64) < 0 {
		t.Fatalf("OBJECT FREQ = %v", v)
	}
}

func TestMemoryUsageTracksWrites(t *testing.T) {
	_, rdb := memServer(t, nil)
	// The keyspace's share: used memory without the clients'.
	keyspaceMem := func() int64 {
		return infoField(t, rdb, "memory", "used_memory") - infoField(t, rdb, "memory", "mem_clients_normal")
	}
	before := keyspaceMem()
	pipe := rdb.Pipeline()
	for i := 0; i < 2000; i++ {
		pipe.HSet(memCtx, "h", "field:"+strconv.Itoa(i), strings.Repeat("v", 50))
	}
	if _, err := pipe.Exec(memCtx); err != nil {
		t.Fatal(err)
	}
	usage := mustDo(t, rdb, "memory", "usage", "h").(int64)
	after := keyspaceMem()
	// used_memory also holds the table's bucket array: one first table
	// of four buckets (8 bytes each), which the key's MEMORY USAGE does
	// not include, as Redis's does not.
	const firstTable = 4 * 8
	if usage < 2000*60 || after-before != usage+firstTable {
		t.Fatalf("MEMORY USAGE h = %d, used_memory grew %d", usage, after-before)
	}
	mustDo(t, rdb, "hdel", "h", "field:1", "field:2")
	if u := mustDo(t, rdb, "memory", "usage", "h").(int64); u >= usage {
		t.Fatalf("MEMORY USAGE after HDEL %d, before %d", u, usage)
	}
	mustDo(t, rdb, "del", "h")
	if got := keyspaceMem(); got != before+firstTable { // the table stays
		t.Fatalf("used_memory %d after DEL, %d before", got, before)
	}
	if err := rdb.Do(memCtx, "memory", "usage", "h").Err(); err != redis.Nil {
		t.Fatalf("MEMORY USAGE of a missing key: %v", err)
	}
}

// TestReturnFreed: freed heap goes back to the system once the keyspace
// shrank by a quarter and 16 MB, stopped shrinking, and the server is idle.
func TestReturnFreed(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		name             string
		last, used, prev int64
		idle, want       bool
	}{
		{"shrank, settled, idle", 400 * mb, 100 * mb, 100 * mb, true, true},
		{"shrank, settled, busy", 400 * mb, 100 * mb, 100 * mb, false, false},
		{"still shrinking", 400 * mb, 100 * mb, 150 * mb, true, false},
		{"less than a quarter", 400 * mb, 310 * mb, 310 * mb, true, false},
		{"less than 16 MB", 40 * mb, 25 * mb, 25 * mb, true, false},
		{"settled within 1 MB", 400 * mb, 100 * mb, 100*mb + mb/2, true, true},
	} {
		if got := returnFreed(tc.last, tc.used, tc.prev, tc.idle); got != tc.want {
			t.Errorf("%s: returnFreed = %v, want %v", tc.name, got, tc.want)
		}
	}
}
