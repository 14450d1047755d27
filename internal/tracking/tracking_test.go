package tracking

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/client"
)

// memConn records what is written to a client.
type memConn struct {
	net.Conn // nil: only Write is used
	mu       sync.Mutex
	b        strings.Builder
}

func (m *memConn) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.b.Write(p)
}

func (m *memConn) take() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.b.String()
	m.b.Reset()
	return s
}

type fixture struct {
	reg   *client.Registry
	table *Table
	conns map[int64]*memConn
}

func newFixture() *fixture {
	reg := client.NewRegistry()
	return &fixture{reg: reg, table: New(reg), conns: map[int64]*memConn{}}
}

// client adds a RESP3 (or RESP2) client writing into a memConn.
func (f *fixture) client(proto int) *client.Client {
	c := client.New(f.reg.NextID(), nil, time.Now())
	m := &memConn{}
	c.Conn = m
	c.SetProto(proto)
	f.reg.Add(c)
	f.conns[c.ID] = m
	return c
}

func (f *fixture) out(c *client.Client) string { return f.conns[c.ID].take() }

func args(s ...string) ([][]byte, []int) {
	a := make([][]byte, len(s)+1)
	a[0] = []byte("get")
	pos := make([]int, len(s))
	for i, k := range s {
		a[i+1] = []byte(k)
		pos[i] = i + 1
	}
	return a, pos
}

func keys(s ...string) [][]byte {
	a, _ := args(s...)
	return a[1:]
}

func push(ks ...string) string {
	return string(appendKeysPush(nil, keys(ks...)))
}

func (f *fixture) read(c *client.Client, ks ...string) {
	a, pos := args(ks...)
	f.table.Remember(f.table.State(c.ID), a, pos)
}

func TestDefaultMode(t *testing.T) {
	f := newFixture()
	a, b := f.client(3), f.client(3)
	f.table.Enable(a, 0, 0, nil)
	if !Active() || f.table.Clients() != 1 {
		t.Fatal("not active")
	}
	f.table.Flushed(a) // Enable's reply went out
	f.read(a, "k1", "k2")
	f.read(a, "k1")
	if f.table.Keys() != 2 || f.table.Items() != 2 {
		t.Fatalf("keys %d items %d", f.table.Keys(), f.table.Items())
	}
	f.table.Invalidate(b.ID, keys("k1", "other"))
	if got := f.out(a); got != push("k1") {
		t.Fatalf("push %q", got)
	}
	// Forgotten after one invalidation.
	f.table.Invalidate(b.ID, keys("k1"))
	if got := f.out(a); got != "" {
		t.Fatalf("second push %q", got)
	}
	if f.table.Keys() != 1 {
		t.Fatalf("keys %d", f.table.Keys())
	}
	// Busy: the push waits for the client's replies.
	st := f.table.State(a.ID)
	st.Begin()
	f.table.Invalidate(b.ID, keys("k2"))
	if got := f.out(a); got != "" {
		t.Fatalf("push while busy %q", got)
	}
	f.table.Flushed(a)
	if got := f.out(a); got != push("k2") {
		t.Fatalf("push after flush %q", got)
	}
	// Flush: a null invalidation and an empty table.
	f.read(a, "k3")
	f.table.InvalidateAll()
	if got := f.out(a); got != ">2\r\n$10\r\ninvalidate\r\n_\r\n" {
		t.Fatalf("flush push %q", got)
	}
	if f.table.Keys() != 0 || f.table.Items() != 0 {
		t.Fatalf("after flush keys %d items %d", f.table.Keys(), f.table.Items())
	}
	f.table.Invalidate(b.ID, keys("k3"))
	if got := f.out(a); got != "" {
		t.Fatalf("push after flush %q", got)
	}
	f.table.Disable(a.ID)
	if f.table.Clients() != 0 {
		t.Fatal("still tracking")
	}
}

func TestNoLoopOptInOptOut(t *testing.T) {
	f := newFixture()
	a, b := f.client(3), f.client(3)
	f.table.Enable(a, NoLoop, 0, nil)
	f.table.Flushed(a)
	f.read(a, "k")
	f.table.Invalidate(a.ID, keys("k"))
	if got := f.out(a); got != "" {
		t.Fatalf("noloop push %q", got)
	}
	f.table.Disable(a.ID)

	f.table.Enable(a, OptIn, 0, nil)
	f.table.Flushed(a)
	f.read(a, "no")
	st := f.table.State(a.ID)
	st.SetCaching()
	f.read(a, "yes")
	st.ClearCaching()
	f.table.Invalidate(b.ID, keys("no", "yes"))
	if got := f.out(a); got != push("yes") {
		t.Fatalf("optin push %q", got)
	}
	f.table.Disable(a.ID)

	f.table.Enable(a, OptOut, 0, nil)
	f.table.Flushed(a)
	st = f.table.State(a.ID)
	st.SetCaching()
	f.read(a, "no")
	st.ClearCaching()
	f.read(a, "yes")
	f.table.Invalidate(b.ID, keys("no", "yes"))
	if got := f.out(a); got != push("yes") {
		t.Fatalf("optout push %q", got)
	}
}

func TestBroadcast(t *testing.T) {
	f := newFixture()
	a, b, all := f.client(3), f.client(3), f.client(3)
	f.table.Enable(a, BCast|NoLoop, 0, [][]byte{[]byte("u:"), []byte("o:")})
	f.table.Enable(all, BCast, 0, nil)
	f.table.Flushed(a)
	f.table.Flushed(all)
	if f.table.Prefixes() != 3 {
		t.Fatalf("prefixes %d", f.table.Prefixes())
	}
	f.table.Invalidate(b.ID, keys("u:2", "x", "o:1", "u:1", "u:2"))
	if got, want := f.out(a), push("o:1")+push("u:1", "u:2"); got != want {
		t.Fatalf("bcast push %q, want %q", got, want)
	}
	if got, want := f.out(all), push("o:1", "u:1", "u:2", "x"); got != want {
		t.Fatalf("bcast all push %q, want %q", got, want)
	}
	f.table.Invalidate(a.ID, keys("u:3"))
	if got := f.out(a); got != "" {
		t.Fatalf("noloop bcast push %q", got)
	}
	if got := f.out(all); got != push("u:3") {
		t.Fatalf("bcast all push %q", got)
	}
	_, _, prefixes := f.table.Info(a.ID)
	if strings.Join(prefixes, ",") != "o:,u:" {
		t.Fatalf("prefixes %q", prefixes)
	}
	f.table.Disable(a.ID)
	f.table.Disable(all.ID)
	if f.table.Prefixes() != 0 {
		t.Fatalf("prefixes left %d", f.table.Prefixes())
	}
}

func TestRedirect(t *testing.T) {
	f := newFixture()
	a, b, r, old := f.client(3), f.client(3), f.client(3), f.client(2)
	f.table.Enable(a, 0, r.ID, nil)
	f.table.Flushed(a)
	f.read(a, "k")
	f.table.Invalidate(b.ID, keys("k"))
	if got := f.out(r); got != push("k") {
		t.Fatalf("redirected push %q", got)
	}
	if got := f.out(a); got != "" {
		t.Fatalf("push to redirecting client %q", got)
	}
	// The target goes away: the client hears of it.
	f.reg.Remove(r)
	f.read(a, "k")
	f.table.Invalidate(b.ID, keys("k"))
	want := ">2\r\n$21\r\ntracking-redir-broken\r\n:" + itoa(r.ID) + "\r\n"
	if got := f.out(a); got != want {
		t.Fatalf("broken redirect %q", got)
	}
	if m, _, _ := f.table.Info(a.ID); m&BrokenRedir == 0 {
		t.Fatal("no broken_redirect flag")
	}
	// RESP2 clients get nothing.
	f.table.Disable(a.ID)
	f.table.Enable(old, 0, 0, nil)
	f.table.Flushed(old)
	f.read(old, "k")
	f.table.Invalidate(b.ID, keys("k"))
	if got := f.out(old); got != "" {
		t.Fatalf("RESP2 push %q", got)
	}
}

func itoa(n int64) string {
	var b []byte
	if n == 0 {
		return "0"
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// TestConcurrent runs readers, writers and flushes at once (for -race).
func TestConcurrent(t *testing.T) {
	f := newFixture()
	var cs []*client.Client
	for i := 0; i < 4; i++ {
		c := f.client(3)
		f.table.Enable(c, 0, 0, nil)
		cs = append(cs, c)
	}
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := f.table.State(c.ID)
			for j := 0; j < 2000; j++ {
				k := "k" + itoa(int64(j%17))
				st.Begin()
				f.read(c, k)
				f.table.Invalidate(c.ID, keys("k"+itoa(int64((j+i)%17))))
				if j%100 == 0 {
					f.table.InvalidateAll()
				}
				f.table.Flushed(c)
			}
		}()
	}
	wg.Wait()
	for _, c := range cs {
		f.table.Disable(c.ID)
	}
}

// BenchmarkInactive is the dispatcher's cost when nobody tracks.
func BenchmarkInactive(b *testing.B) {
	n := 0
	for b.Loop() {
		if Active() {
			n++
		}
	}
	_ = n
}
