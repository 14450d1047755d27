package pubsub

import (
	"bytes"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/client"
)

// fakeConn records what is written to it and reports a queue size.
type fakeConn struct {
	net.Conn // nil: only the methods below are used
	mu       sync.Mutex
	buf      bytes.Buffer
	queued   int
	closed   bool
}

func (f *fakeConn) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buf.Write(b)
	return len(b), nil
}
func (f *fakeConn) Close() error         { f.mu.Lock(); f.closed = true; f.mu.Unlock(); return nil }
func (f *fakeConn) Queued() int          { f.mu.Lock(); defer f.mu.Unlock(); return f.queued }
func (f *fakeConn) RemoteAddr() net.Addr { return &net.TCPAddr{} }
func (f *fakeConn) LocalAddr() net.Addr  { return &net.TCPAddr{} }
func (f *fakeConn) Read([]byte) (int, error) {
	select {}
}
func (f *fakeConn) take() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.buf.String()
	f.buf.Reset()
	return s
}

func newClient(id int64) (*client.Client, *fakeConn) {
	fc := &fakeConn{}
	return client.New(id, fc, time.Now()), fc
}

func TestSubscribeCounts(t *testing.T) {
	tb := New()
	a, _ := newClient(1)
	b, _ := newClient(2)
	if Active() {
		t.Fatal("active before any subscription")
	}
	if !tb.Subscribe(a, Channel, []byte("x")) || tb.Subscribe(a, Channel, []byte("x")) {
		t.Fatal("Subscribe's report")
	}
	tb.Subscribe(a, Pattern, []byte("x*"))
	tb.Subscribe(a, Shard, []byte("s"))
	tb.Subscribe(b, Channel, []byte("x"))
	tb.Subscribe(b, Channel, []byte("y"))
	if !Active() {
		t.Fatal("not active")
	}
	if ch, pat, sh := a.Subscriptions(); ch != 1 || pat != 1 || sh != 1 {
		t.Fatalf("a counts %d %d %d", ch, pat, sh)
	}
	if Total(a, Channel) != 2 || Total(a, Pattern) != 2 || Total(a, Shard) != 1 {
		t.Fatal("Total")
	}
	if tb.NumSub(Channel, []byte("x")) != 2 || tb.NumSub(Channel, []byte("y")) != 1 || tb.NumSub(Shard, []byte("x")) != 0 {
		t.Fatal("NumSub")
	}
	if tb.Count(Channel) != 2 || tb.Count(Pattern) != 1 || tb.Count(Shard) != 1 {
		t.Fatal("Count")
	}
	if got := tb.Names(Channel, nil); len(got) != 2 || got[0] != "x" || got[1] != "y" {
		t.Fatalf("Names %q", got)
	}
	if got := tb.Names(Channel, []byte("y*")); len(got) != 1 || got[0] != "y" {
		t.Fatalf("Names y* %q", got)
	}
	if !tb.Subscribed(2, Channel, "y") || tb.Subscribed(1, Channel, "y") {
		t.Fatal("Subscribed")
	}
	if tb.Unsubscribe(a, Channel, []byte("nope")) || !tb.Unsubscribe(a, Channel, []byte("x")) {
		t.Fatal("Unsubscribe's report")
	}
	if got := tb.UnsubscribeAll(b, Channel); len(got) != 2 || got[0] != "x" || got[1] != "y" {
		t.Fatalf("UnsubscribeAll %q", got)
	}
	if b.PubSub() || tb.Count(Channel) != 0 {
		t.Fatal("b still subscribed")
	}
	tb.Remove(a)
	if a.PubSub() || tb.Count(Pattern) != 0 || tb.Count(Shard) != 0 || Active() {
		t.Fatal("Remove left subscriptions")
	}
}

func TestPublishDelivery(t *testing.T) {
	tb := New()
	pub, _ := newClient(1)
	a, ca := newClient(2)
	b, cb := newClient(3)
	b.SetProto(3)
	tb.Subscribe(a, Channel, []byte("news"))
	tb.Subscribe(b, Pattern, []byte("n*"))
	tb.Subscribe(b, Channel, []byte("news"))
	// Both are busy until their confirmations are flushed.
	if n := tb.Publish(pub, Channel, []byte("news"), []byte("hi")); n != 3 {
		t.Fatalf("receivers %d", n)
	}
	if ca.take() != "" || cb.take() != "" {
		t.Fatal("delivered to a busy subscriber")
	}
	tb.Flushed(a)
	tb.Flushed(b)
	if got := ca.take(); got != "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n" {
		t.Fatalf("a got %q", got)
	}
	want := ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n>4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
	if got := cb.take(); got != want {
		t.Fatalf("b got %q", got)
	}
	// Idle: written at once.
	tb.Publish(pub, Channel, []byte("news"), []byte("x"))
	if ca.take() == "" {
		t.Fatal("idle subscriber got nothing")
	}
	cb.take()
	// Busy again: Begin moves the waiting frames into its replies.
	tb.Begin(a)
	tb.Publish(pub, Channel, []byte("news"), []byte("y"))
	tb.Begin(a)
	if got := string(a.Out.Bytes()); got != "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\ny\r\n" {
		t.Fatalf("a's replies %q", got)
	}
	a.Out.Reset()
	// Unsubscribing drains the mailbox before the confirmation.
	tb.Publish(pub, Channel, []byte("news"), []byte("z"))
	tb.Unsubscribe(a, Channel, []byte("news"))
	if got := string(a.Out.Bytes()); got != "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\nz\r\n" {
		t.Fatalf("a's replies after unsubscribe %q", got)
	}
	// Publishing to itself: the frame goes into its own replies.
	cb.take()
	b.Out.Reset()
	tb.Publish(b, Shard, []byte("news"), []byte("q"))
	if n := tb.Publish(b, Channel, []byte("nx"), []byte("q")); n != 1 || cb.take() != "" {
		t.Fatal("self publish went to the connection")
	}
	if got := string(b.Out.Bytes()); got != ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$2\r\nnx\r\n$1\r\nq\r\n" {
		t.Fatalf("self %q", got)
	}
	tb.Remove(b)
	if Active() {
		t.Fatal("still active")
	}
}

func TestShardPublish(t *testing.T) {
	tb := New()
	a, ca := newClient(1)
	tb.Subscribe(a, Shard, []byte("s"))
	tb.Subscribe(a, Pattern, []byte("*"))
	tb.Flushed(a)
	if n := tb.Publish(nil, Shard, []byte("s"), []byte("m")); n != 1 {
		t.Fatalf("receivers %d", n)
	}
	if got := ca.take(); got != "*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n" {
		t.Fatalf("got %q", got)
	}
	tb.Remove(a)
}

func TestOutputLimits(t *testing.T) {
	tb := New()
	now := time.Unix(1000, 0)
	tb.SetClock(func() time.Time { return now })
	tb.SetLimits(Limits{Hard: 100, Soft: 50, SoftSeconds: 10})
	a, ca := newClient(1)
	b, cb := newClient(2)
	tb.Subscribe(a, Channel, []byte("c"))
	tb.Subscribe(b, Channel, []byte("c"))
	tb.Flushed(b)
	// a is busy: its mailbox grows past the hard limit.
	msg := bytes.Repeat([]byte("x"), 60)
	tb.Publish(nil, Channel, []byte("c"), msg)
	if a.Killed() {
		t.Fatal("killed under the hard limit")
	}
	tb.Publish(nil, Channel, []byte("c"), msg)
	if !a.Killed() || !ca.closed {
		t.Fatal("not killed past the hard limit")
	}
	// b: its connection's queue passes the soft limit, for too long.
	cb.mu.Lock()
	cb.queued = 60
	cb.mu.Unlock()
	tb.Publish(nil, Channel, []byte("c"), []byte("m"))
	now = now.Add(10 * time.Second)
	tb.Publish(nil, Channel, []byte("c"), []byte("m"))
	if b.Killed() {
		t.Fatal("killed at the soft limit's time")
	}
	now = now.Add(time.Second)
	tb.Publish(nil, Channel, []byte("c"), []byte("m"))
	if !b.Killed() {
		t.Fatal("not killed past the soft limit's time")
	}
	tb.Remove(a)
	tb.Remove(b)
}

func TestParseLimits(t *testing.T) {
	if got := ParseLimits("normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2000 5"); got != (Limits{1048576, 2000, 5}) {
		t.Fatalf("got %+v", got)
	}
	if got := ParseLimits(""); got != DefaultLimits {
		t.Fatalf("default %+v", got)
	}
}

func TestRemoveReturnsPending(t *testing.T) {
	tb := New()
	a, _ := newClient(1)
	tb.Subscribe(a, Channel, []byte("c"))
	tb.Publish(nil, Channel, []byte("c"), []byte("m"))
	if got := string(tb.Remove(a)); got != "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n" {
		t.Fatalf("pending %q", got)
	}
	if n := tb.Publish(nil, Channel, []byte("c"), []byte("m")); n != 0 {
		t.Fatalf("receivers after Remove %d", n)
	}
}
