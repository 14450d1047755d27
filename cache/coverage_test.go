package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-kv/ember/cache/internal/clustertest"
	"github.com/redis/go-redis/v9"
)

// TestFastJSON: the decode fast paths give exactly what json.Unmarshal
// gives, and leave to it what they cannot decode the same way.
func TestFastJSON(t *testing.T) {
	docs := []string{
		`"plain"`, `""`, `"caf\u00e9"`, `"café"`, "\"bad \xff utf8\"", `"tab\there"`,
		`"with \"quote\""`, ` "spaced" `, `"aGVsbG8="`, `"aGVsbG8"`, `"aGVs\nbG8="`,
		`"@@@@"`, `null`, `42`, `{"a":1}`, `[1,2]`, `{"a":1} `, `{"a":`, `"`, ``,
		`"AAECAw=="`, `"////"`,
	}
	for _, doc := range docs {
		checkFast[string](t, doc)
		checkFast[[]byte](t, doc)
		checkFast[json.RawMessage](t, doc)
	}
	// Other types never take a fast path.
	var n int
	if fastJSON(&n, `42`) {
		t.Fatal("fastJSON decoded an int")
	}
	type name string
	var nm name
	if fastJSON(&nm, `"x"`) {
		t.Fatal("fastJSON decoded a named string type")
	}
}

func checkFast[T any](t *testing.T, doc string) {
	t.Helper()
	var want T
	werr := json.Unmarshal([]byte(doc), &want)
	var got T
	if fastJSON(&got, doc) {
		if werr != nil {
			t.Fatalf("%T %q: fast path decoded %#v, json.Unmarshal fails: %v", got, doc, got, werr)
		}
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Fatalf("%T %q: fast path %#v, json.Unmarshal %#v", got, doc, got, want)
		}
	}
	// Through the Cache's decode, fast path or not, the same.
	c := New(nil, Options{})
	v, err := decode[T](c, "k", doc)
	if (err != nil) != (werr != nil) || (err == nil && fmt.Sprintf("%#v", v) != fmt.Sprintf("%#v", want)) {
		t.Fatalf("%T %q: decode = %#v, %v; json.Unmarshal = %#v, %v", v, doc, v, err, want, werr)
	}
}

// TestFastJSONThroughCache: strings and byte slices round-trip through Set,
// Get and GetOrLoad, stored as the JSON any client reads; a RawMessage hit
// is the caller's own copy.
func TestFastJSONThroughCache(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "f:"})
	if err := c.Set(ctx, "s", "héllo", time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := Get[string](ctx, c, "s"); err != nil || got != "héllo" {
		t.Fatalf("Get[string] = %q, %v", got, err)
	}
	if raw := rdb.Get(ctx, "f:s").Val(); raw != `"héllo"` {
		t.Fatalf("stored %q", raw)
	}
	b := []byte{0, 1, 2, 250}
	got, err := GetOrLoad(ctx, c, "b", time.Minute, func(context.Context) ([]byte, error) { return b, nil })
	if err != nil || !slices.Equal(got, b) {
		t.Fatalf("GetOrLoad[[]byte] = %v, %v", got, err)
	}
	got, err = GetOrLoad(ctx, c, "b", time.Minute, func(context.Context) ([]byte, error) { return nil, errors.New("loaded again") })
	if err != nil || !slices.Equal(got, b) {
		t.Fatalf("GetOrLoad[[]byte] hit = %v, %v", got, err)
	}
	r1, err := Get[json.RawMessage](ctx, c, "s")
	if err != nil || string(r1) != `"héllo"` {
		t.Fatalf("Get[RawMessage] = %q, %v", r1, err)
	}
	r1[1] = 'X'
	if r2, _ := Get[json.RawMessage](ctx, c, "s"); string(r2) != `"héllo"` {
		t.Fatalf("a RawMessage hit shares memory: %q", r2)
	}
	if s := c.Stats(); s.Loads != 1 || s.Hits != 4 {
		t.Fatalf("Stats = %+v, want 1 load, 4 hits", s)
	}
}

// TestSharedDeadline: calls under a context that cannot be canceled get a
// shared deadline between Timeout and Timeout·(1+1/16), with the caller's
// values; a cancelable context gets its own; and contexts derived from a
// shared one end with it.
func TestSharedDeadline(t *testing.T) {
	const timeout = 40 * time.Millisecond
	c := New(nil, Options{Timeout: timeout})
	type key struct{}
	within := func(what string, ctx context.Context, began time.Time) {
		t.Helper()
		dl, ok := ctx.Deadline()
		if !ok {
			t.Fatalf("%s: no deadline", what)
		}
		if d := dl.Sub(began); d < timeout || d > timeout+timeout/deadlineSlots+5*time.Millisecond {
			t.Fatalf("%s: deadline %v after the call began, want [%v, %v]", what, d, timeout, timeout+timeout/deadlineSlots)
		}
	}
	began := time.Now()
	bg, cancel := c.callCtx(context.Background())
	cancel()
	within("Background", bg, began)
	if bg.Err() != nil {
		t.Fatal("canceled by its release")
	}

	began = time.Now()
	vctx, cancel := c.callCtx(context.WithValue(context.Background(), key{}, "v"))
	defer cancel()
	within("value context", vctx, began)
	if vctx.Value(key{}) != "v" {
		t.Fatal("the caller's value is lost")
	}
	child, stop := context.WithCancel(vctx)
	defer stop()

	parent, pcancel := context.WithCancel(context.Background())
	own, ocancel := c.callCtx(parent)
	within("cancelable context", own, time.Now().Add(-time.Millisecond))
	pcancel()
	<-own.Done() // ends with its parent, not at the deadline
	ocancel()

	// The caller's deadline, when sooner, is left alone.
	soon, scancel := context.WithTimeout(context.Background(), timeout/2)
	defer scancel()
	if got, _ := c.callCtx(soon); got != soon {
		t.Fatal("a sooner caller deadline was replaced")
	}

	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a context derived from a shared deadline never ended")
	}
	if !errors.Is(vctx.Err(), context.DeadlineExceeded) || !errors.Is(context.Cause(child), context.DeadlineExceeded) {
		t.Fatalf("Err = %v, child cause = %v; want deadline exceeded", vctx.Err(), context.Cause(child))
	}
	// A new slot after the old one ran out.
	next, _ := c.callCtx(context.Background())
	if next.Err() != nil || next == bg {
		t.Fatal("an expired slot was handed out again")
	}
}

// deadAddr returns an address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestPatternsUnderBreaker: the patterns' calls go through the circuit
// breaker. Once it is open, the bulk operations stop with ErrCircuitOpen
// without a round trip, write-behind refuses to acknowledge a write, and
// WriteThrough reads degrade to Load.
func TestPatternsUnderBreaker(t *testing.T) {
	rdb := fastFailClient(t, deadAddr(t))
	ctx := testCtx(t)
	var log errorLog
	c := New(rdb, Options{Breaker: BreakerOptions{Failures: 1, CoolDown: time.Hour}, OnError: log.record})
	wb := NewWriteBehind(c, func(context.Context, []Update[int]) error { return nil }, WriteBehindOptions{})

	// The first failure is returned to the caller and counted; it opens
	// the breaker.
	if err := wb.Set(ctx, "k", 1); err == nil || errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("write-behind Set on a dead server = %v, want its connection error", err)
	}
	if s := c.Stats(); s.Errors != 1 || s.Breaker != BreakerOpen {
		t.Fatalf("Stats = %+v, want 1 error and the breaker open", s)
	}
	if err := wb.Set(ctx, "k", 2); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("write-behind Set = %v, want ErrCircuitOpen", err)
	}
	if err := wb.Delete(ctx, "k"); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("write-behind Delete = %v, want ErrCircuitOpen", err)
	}
	if n, err := c.InvalidatePattern(ctx, "*"); !errors.Is(err, ErrCircuitOpen) || n != 0 {
		t.Fatalf("InvalidatePattern = %d, %v; want ErrCircuitOpen", n, err)
	}
	if err := c.SetTagged(ctx, "k", 1, time.Minute, "t"); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("SetTagged = %v, want ErrCircuitOpen", err)
	}
	if n, err := c.InvalidateTags(ctx, "t"); !errors.Is(err, ErrCircuitOpen) || n != 0 {
		t.Fatalf("InvalidateTags = %d, %v; want ErrCircuitOpen", n, err)
	}
	prog, err := WarmMap(ctx, c, map[string]int{"a": 1, "b": 2}, WarmOptions{})
	if !errors.Is(err, ErrCircuitOpen) || prog.Batches != 0 || prog.Written != 0 {
		t.Fatalf("Warm = %+v, %v; want ErrCircuitOpen before any batch", prog, err)
	}

	store := map[string]string{}
	var loads atomic.Int64
	wt := NewWriteThrough(c, WriteThroughOptions[string, string]{
		Load: func(_ context.Context, k string) (string, error) {
			loads.Add(1)
			return "from-store", nil
		},
		Store: func(_ context.Context, k, v string) error { store[k] = v; return nil },
	})
	if v, err := wt.Get(ctx, "w"); err != nil || v != "from-store" || loads.Load() != 1 {
		t.Fatalf("WriteThrough.Get = %q, %v (%d loads); want the store's value", v, err, loads.Load())
	}
	if err := wt.Set(ctx, "w", "new"); err != nil || store["w"] != "new" {
		t.Fatalf("WriteThrough.Set = %v; the store has %q", err, store["w"])
	}
	// Skipped: write-behind Set and Delete, one call each for the pattern,
	// SetTagged, InvalidateTags and Warm, WriteThrough's GET, SET and DEL.
	if s := c.Stats(); s.Errors != 1 || s.Skipped != 9 {
		t.Fatalf("Stats = %+v, want 1 error and the 9 later calls skipped", s)
	}
	// Skipped reads are not reported; the write that could not reach
	// the cache is (its old value would stay cached).
	if got := log.get(); !slices.Equal(got, []string{"breaker ", "invalidate w"}) {
		t.Fatalf("OnError reports = %q", got)
	}
}

// blackhole returns the address of a server that accepts connections and
// never answers.
func blackhole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// TestPatternsTimeout: against a server that never answers, each pattern's
// call costs Options.Timeout, not the client's 10-second read timeout, and
// counts as a failure.
func TestPatternsTimeout(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{
		Addr:                  blackhole(t),
		ReadTimeout:           10 * time.Second,
		MaxRetries:            -1,
		ContextTimeoutEnabled: true,
		Protocol:              2,
		DisableIdentity:       true,
		PoolSize:              64,
	})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background() // the shared deadlines
	c := New(rdb, Options{Timeout: 50 * time.Millisecond, Breaker: BreakerOptions{Failures: -1}})
	wb := NewWriteBehind(c, func(context.Context, []Update[int]) error { return nil }, WriteBehindOptions{})
	calls := map[string]func() error{
		"write-behind Set": func() error { return wb.Set(ctx, "k", 1) },
		"InvalidatePattern": func() error {
			_, err := c.InvalidatePattern(ctx, "*")
			return err
		},
		"SetTagged": func() error { return c.SetTagged(ctx, "k", 1, time.Minute, "t") },
		"InvalidateTags": func() error {
			_, err := c.InvalidateTags(ctx, "t")
			return err
		},
		"Warm": func() error {
			_, err := WarmMap(ctx, c, map[string]int{"a": 1}, WarmOptions{})
			return err
		},
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("%s took %v: the 50ms Timeout was not applied", name, el)
		}
		if err == nil || errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("%s = %v, want a timeout", name, err)
		}
	}
	if s := c.Stats(); s.Errors != uint64(len(calls)) {
		t.Fatalf("Stats.Errors = %d, want %d", s.Errors, len(calls))
	}
}

// TestStampedeCluster: 1,000 goroutines spread over four instances, each
// with its own client to a real three-primary Redis Cluster, miss the same
// key at once with Lock on: the loader runs once in total.
func TestStampedeCluster(t *testing.T) {
	cl := clustertest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Generous limits: on a loaded machine 1,000 callers queue for the
	// pools' connections, and nothing here must degrade to a second load.
	opts := Options{Prefix: "cs:", Lock: true, LockTTL: time.Minute, LockWait: 45 * time.Second, Timeout: 20 * time.Second}
	const instances, perInstance = 4, 250
	var caches []*Cache
	for range instances {
		caches = append(caches, New(cl.Client(t), opts))
	}
	loader, calls := lockedStampedeLoader(caches, perInstance)
	runStampede(t, ctx, caches, perInstance, "product:{cold}", lamp, loader)
	if got := calls.Load(); got != 1 {
		t.Fatalf("loader ran %d times across instances, want 1", got)
	}
	var loads, waits, timeouts, degraded uint64
	for _, c := range caches {
		s := c.Stats()
		loads += s.Loads
		waits += s.LockWaits
		timeouts += s.LockTimeouts
		degraded += s.Degraded
	}
	if loads != 1 || waits != instances-1 || timeouts != 0 || degraded != 0 {
		t.Fatalf("loads = %d, lock waits = %d, lock timeouts = %d, degraded = %d; want 1, %d, 0, 0", loads, waits, timeouts, degraded, instances-1)
	}
	rdb := cl.Client(t)
	if n, err := rdb.Exists(ctx, "cs:lock:product:{cold}").Result(); err != nil || n != 0 {
		t.Fatalf("lock left behind: %d, %v", n, err)
	}
	for _, c := range caches {
		if got, err := Get[product](ctx, c, "product:{cold}"); err != nil || got != lamp {
			t.Fatalf("cached value = %+v, %v", got, err)
		}
	}
}

type memoWithSlice struct {
	Tags []string `json:"tags"`
}

type memoCustom struct{ N int }

func (m *memoCustom) UnmarshalJSON(b []byte) error { m.N = len(b); return nil }

type memoText struct{ S string }

func (m *memoText) UnmarshalText(b []byte) error { m.S = string(b); return nil }

// TestDecodeMemo: which types the decode memo serves, and that what it
// serves is what a fresh decode gives, never memory shared with another
// caller.
func TestDecodeMemo(t *testing.T) {
	type name string
	type nested struct {
		P   product
		Arr [3]int
		N   name
		F   float64
		ok  bool
	}
	for typ, want := range map[reflect.Type]bool{
		reflect.TypeFor[product]():                true,
		reflect.TypeFor[nested]():                 true,
		reflect.TypeFor[int]():                    true,
		reflect.TypeFor[name]():                   true,
		reflect.TypeFor[memoWithSlice]():          false,
		reflect.TypeFor[*product]():               false,
		reflect.TypeFor[[]int]():                  false,
		reflect.TypeFor[map[string]int]():         false,
		reflect.TypeFor[any]():                    false,
		reflect.TypeFor[time.Time]():              false,
		reflect.TypeFor[memoCustom]():             false,
		reflect.TypeFor[memoText]():               false,
		reflect.TypeFor[[2]memoCustom]():          false,
		reflect.TypeFor[struct{ C memoCustom }](): false,
	} {
		if got := memoable(typ); got != want {
			t.Errorf("memoable(%v) = %v, want %v", typ, got, want)
		}
	}

	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "m:"})
	if err := c.Set(ctx, "p", lamp, time.Minute); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := Get[product](ctx, c, "p")
		if err != nil || got != lamp {
			t.Fatalf("Get = %+v, %v", got, err)
		}
		got.Name = "changed by a caller" // a copy: nobody else sees it
	}
	// New bytes, new value: the memo is keyed by what was read.
	shade := product{ID: 1, Name: "Lamp shade", Price: 999}
	if err := rdb.Set(ctx, "m:p", `{"id":1,"name":"Lamp shade","price":999}`, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := Get[product](ctx, c, "p"); err != nil || got != shade {
		t.Fatalf("Get after a change = %+v, %v", got, err)
	}
	// The same bytes read as another type are decoded as that type.
	type idOnly struct {
		ID int `json:"id"`
	}
	if got, err := Get[idOnly](ctx, c, "p"); err != nil || got.ID != 1 {
		t.Fatalf("Get[idOnly] = %+v, %v", got, err)
	}
	// A type holding a slice is decoded afresh: callers never share it.
	if err := c.Set(ctx, "s", memoWithSlice{Tags: []string{"a", "b"}}, time.Minute); err != nil {
		t.Fatal(err)
	}
	first, err := Get[memoWithSlice](ctx, c, "s")
	if err != nil {
		t.Fatal(err)
	}
	first.Tags[0] = "mutated"
	if again, err := Get[memoWithSlice](ctx, c, "s"); err != nil || again.Tags[0] != "a" {
		t.Fatalf("second read = %+v, %v; the first caller's change leaked", again, err)
	}
	if memoable(reflect.TypeFor[memoWithSlice]()) {
		t.Fatal("memoWithSlice memoable")
	}
}
