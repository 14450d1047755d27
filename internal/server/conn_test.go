package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/config"
)

// startServer starts a server on a free loopback port with the given
// directives and stops it when the test ends.
func startServer(tb testing.TB, directives ...string) *Server {
	tb.Helper()
	return startServerWith(tb, Options{}, directives...)
}

// startServerWith is startServer with options (its listener and logger
// are set here).
func startServerWith(tb testing.TB, opts Options, directives ...string) *Server {
	tb.Helper()
	cfg := config.New()
	for i := 0; i+1 < len(directives); i += 2 {
		if err := cfg.Set(directives[i], directives[i+1], true); err != nil {
			tb.Fatalf("directive %s: %v", directives[i], err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	opts.Listeners, opts.Logger = []net.Listener{ln}, log.New(io.Discard, "", 0)
	s, err := New(cfg, opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func dial(tb testing.TB, s *Server) net.Conn {
	tb.Helper()
	c, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func encodeCmd(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// TestPipelineWithoutReading is the slow reader: a client writes a long
// pipeline without reading a single reply, and only then reads. Redis keeps
// reading while replies wait in its output buffer, so the client never
// blocks; Ember must not deadlock either (a server that stops reading while
// its writes block would leave both sides blocked in write).
func TestPipelineWithoutReading(t *testing.T) {
	s := startServer(t)
	cases := []struct {
		name  string
		cmd   []byte
		n     int
		reply []byte
	}{
		{"100k PING", encodeCmd("PING"), 100000, []byte("+PONG\r\n")},
		{"100k inline PING", []byte("PING\r\n"), 100000, []byte("+PONG\r\n")},
		// 20 MB of replies: far beyond any socket buffer.
		{"20k ECHO 1KB", encodeCmd("ECHO", strings.Repeat("x", 1024)), 20000,
			[]byte("$1024\r\n" + strings.Repeat("x", 1024) + "\r\n")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s)
			deadline := time.Now().Add(60 * time.Second)
			c.SetDeadline(deadline)
			if _, err := c.Write(bytes.Repeat(tc.cmd, tc.n)); err != nil {
				t.Fatalf("write (server stopped reading?): %v", err)
			}
			want := len(tc.reply) * tc.n
			got := make([]byte, want)
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatalf("read: %v", err)
			}
			for i := 0; i < tc.n; i++ {
				if r := got[i*len(tc.reply) : (i+1)*len(tc.reply)]; !bytes.Equal(r, tc.reply) {
					t.Fatalf("reply %d: %q", i, r[:min(len(r), 40)])
				}
			}
			// Nothing more: the next command gets the next reply.
			c.Write(encodeCmd("PING"))
			one := make([]byte, 7)
			if _, err := io.ReadFull(c, one); err != nil || string(one) != "+PONG\r\n" {
				t.Fatalf("after the pipeline: %q %v", one, err)
			}
		})
	}
}

// TestQuitAfterBacklog checks that QUIT's reply, and every reply queued
// before it, is written before the connection closes, even when the
// client reads them only afterwards.
func TestQuitAfterBacklog(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	const n = 5000
	val := strings.Repeat("v", 4096)
	var b bytes.Buffer
	for range n {
		b.Write(encodeCmd("ECHO", val))
	}
	b.Write(encodeCmd("QUIT"))
	b.Write(encodeCmd("PING")) // never runs
	if _, err := c.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("$4096\r\n"+val+"\r\n", n) + "+OK\r\n"
	if string(all) != want {
		t.Fatalf("got %d bytes, want %d (ends %q)", len(all), len(want), all[max(0, len(all)-20):])
	}
}

// TestProtocolErrorAfterBacklog checks that a protocol error is answered
// after the replies of the commands before it, then the connection closes.
func TestProtocolErrorAfterBacklog(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	val := strings.Repeat("v", 8192)
	var b bytes.Buffer
	for range 2000 {
		b.Write(encodeCmd("ECHO", val))
	}
	b.WriteString("*1\r\nx\r\n")
	if _, err := c.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("$8192\r\n"+val+"\r\n", 2000) + "-ERR Protocol error: expected '$', got 'x'\r\n"
	if string(all) != want {
		t.Fatalf("got %d bytes, want %d (ends %q)", len(all), len(want), all[max(0, len(all)-60):])
	}
}

// TestKillUnblocksBacklog checks that closing a client whose replies are
// stuck behind a client that never reads ends its connection goroutine.
func TestKillUnblocksBacklog(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	val := strings.Repeat("v", 64*1024)
	cmd := encodeCmd("ECHO", val)
	c.SetWriteDeadline(time.Now().Add(30 * time.Second))
	for range 300 { // ~20 MB of replies nobody reads
		if _, err := c.Write(cmd); err != nil {
			t.Fatal(err)
		}
	}
	// Wait until the server has read everything, then close it: Close
	// waits for every connection goroutine, so it returns only if the
	// backlog writer gave up.
	waitFor(t, func() bool { return s.env.Stats.TotalCommands.Load() >= 300 })
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked on a client with unread replies")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestOutConnOrder writes through outConn over a connection without a file
// descriptor (every write goes through the writer goroutine) and over TCP
// (writes go straight to the socket until it is full), with a reader that
// starts late, and checks that the bytes arrive complete and in order.
func TestOutConnOrder(t *testing.T) {
	pipeA, pipeB := net.Pipe()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	tcpA, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	tcpB := <-accepted
	for name, conns := range map[string][2]net.Conn{"pipe": {pipeA, pipeB}, "tcp": {tcpB, tcpA}} {
		t.Run(name, func(t *testing.T) {
			w, r := newOutConn(conns[0]), conns[1]
			defer w.Close()
			if _, err := w.SyscallConn(); (err == nil) != (name == "tcp") {
				t.Fatalf("SyscallConn: %v", err)
			}
			var want bytes.Buffer
			for i := range 20000 {
				chunk := []byte(fmt.Sprintf("%d:%s;", i, strings.Repeat("z", i%700)))
				want.Write(chunk)
				if n, err := w.Write(chunk); err != nil || n != len(chunk) {
					t.Fatalf("write %d: %d %v", i, n, err)
				}
			}
			got := make([]byte, want.Len())
			r.SetReadDeadline(time.Now().Add(30 * time.Second))
			if _, err := io.ReadFull(r, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatal("bytes out of order")
			}
			w.wait()
			w.mu.Lock()
			running, queued := w.running, len(w.queue)
			w.mu.Unlock()
			if running || queued != 0 {
				t.Fatalf("after drain: running %v, %d queued", running, queued)
			}
		})
	}
}

// TestOutConnError checks that a failed background write is reported by
// the next Write and ends wait.
func TestOutConnError(t *testing.T) {
	a, b := net.Pipe()
	w := newOutConn(a)
	if _, err := w.Write([]byte("hello")); err != nil { // queued: nobody reads
		t.Fatal(err)
	}
	b.Close()
	w.wait()
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("write after the peer closed succeeded")
	}
	a.Close()
}

// TestProtoMaxBulkLenLive checks that a new proto-max-bulk-len applies to
// connected clients at once, as CONFIG SET does in Redis.
func TestProtoMaxBulkLenLive(t *testing.T) {
	s := startServer(t, "proto-max-bulk-len", "2mb")
	c := dial(t, s)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	val := strings.Repeat("x", 1500*1024)
	c.Write(encodeCmd("ECHO", val))
	line, _ := br.ReadString('\n')
	if line != "$1536000\r\n" {
		t.Fatalf("ECHO 1.5mb under a 2mb limit: %q", line)
	}
	br.Discard(len(val) + 2)
	if err := s.cfg.Set("proto-max-bulk-len", "1mb", false); err != nil {
		t.Fatal(err)
	}
	c.Write(encodeCmd("ECHO", val))
	line, _ = br.ReadString('\n')
	if line != "-ERR Protocol error: invalid bulk length\r\n" {
		t.Fatalf("ECHO 1.5mb under a 1mb limit: %q", line)
	}
	if _, err := br.ReadByte(); err != io.EOF && !isReset(err) {
		t.Fatalf("connection not closed: %v", err)
	}
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && strings.Contains(err.Error(), "reset")
}

// pipelineBench sends batches of one command over loopback and reads the
// replies, reporting the cost per command of the whole round trip.
func pipelineBench(b *testing.B, cmd []byte, reply string, batch int) {
	s := startServer(b)
	c := dial(b, s)
	block := bytes.Repeat(cmd, batch)
	want := []byte(strings.Repeat(reply, batch))
	got := make([]byte, len(want))
	b.SetBytes(int64(len(cmd)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		if _, err := c.Write(block); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, got); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if !bytes.Equal(got, want) {
		b.Fatalf("reply %q", got[:min(len(got), 40)])
	}
}

// BenchmarkPipeline runs PING and ECHO through a full connection over
// loopback, 100 commands per write. ns/op and allocs/op are per command
// (client and server together).
func BenchmarkPipeline(b *testing.B) {
	b.Run("PING", func(b *testing.B) { pipelineBench(b, encodeCmd("PING"), "+PONG\r\n", 100) })
	b.Run("ECHO", func(b *testing.B) {
		pipelineBench(b, encodeCmd("ECHO", "hello world"), "$11\r\nhello world\r\n", 100)
	})
	b.Run("inlinePING", func(b *testing.B) { pipelineBench(b, []byte("PING\r\n"), "+PONG\r\n", 100) })
}

// BenchmarkRoundTrip is one PING per round trip, no pipelining.
func BenchmarkRoundTrip(b *testing.B) {
	pipelineBench(b, encodeCmd("PING"), "+PONG\r\n", 1)
}

// dispatchClient returns a server and a client with no connection, whose
// replies accumulate in c.Out.
func dispatchClient(tb testing.TB) (*Server, *client.Client) {
	s, err := New(config.New(), Options{Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		tb.Fatal(err)
	}
	c := client.New(1, nil, time.Now())
	c.Authenticated = true
	return s, c
}

// BenchmarkDispatch calls the dispatcher in-process: command lookup, arity,
// locking, handler and statistics, without the network.
func BenchmarkDispatch(b *testing.B) {
	for _, bm := range []struct {
		name  string
		args  []string
		reply string
	}{
		{"PING", []string{"PING"}, "+PONG\r\n"},
		{"ECHO", []string{"echo", "hello world"}, "$11\r\nhello world\r\n"},
		{"SET", []string{"SET", "key:1", "value"}, "+OK\r\n"},
		{"GET", []string{"GET", "key:1"}, "$-1\r\n"},
		{"INCR", []string{"INCR", "counter"}, ":"},
		{"LPUSH", []string{"LPUSH", "list", "value"}, ":"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			s, c := dispatchClient(b)
			args := make([][]byte, len(bm.args))
			for i, a := range bm.args {
				args[i] = []byte(a)
			}
			b.ReportAllocs()
			for b.Loop() {
				c.Out.Reset()
				s.dispatch(c, args)
			}
			// A reply of ":" is an integer that grows with b.N.
			if got := string(c.Out.Bytes()); got != bm.reply && !(bm.reply == ":" && strings.HasPrefix(got, ":")) {
				b.Fatalf("reply %q", got)
			}
		})
	}
}

// dispatchAllocs is what the dispatcher may allocate per command: nothing
// (the handler context is the connection's, see execute).
const dispatchAllocs = 0

// TestDispatchNoAlloc asserts that PING and ECHO run through the
// dispatcher without allocating beyond dispatchAllocs.
func TestDispatchNoAlloc(t *testing.T) {
	s, c := dispatchClient(t)
	for _, cmd := range [][][]byte{{[]byte("PING")}, {[]byte("ECHO"), []byte("hi")}, {[]byte("ping"), []byte("x")}} {
		s.dispatch(c, cmd)
		if n := testing.AllocsPerRun(1000, func() {
			c.Out.Reset()
			s.dispatch(c, cmd)
		}); n > dispatchAllocs {
			t.Errorf("%s: %v allocations per command", cmd[0], n)
		}
	}
}

// measuredConn starts a server with opts and connects to it, for the
// tests that measure a loopback run (skipped under -short).
func measuredConn(t *testing.T, opts Options) net.Conn {
	t.Helper()
	if testing.Short() {
		t.Skip("measures a loopback run")
	}
	c := dial(t, startServerWith(t, opts))
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return c
}

// roundTrip writes in and reads the replies into got, filling it.
func roundTrip(t *testing.T, c net.Conn, in, got []byte) {
	t.Helper()
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
}

// TestConnNoAlloc asserts that a connection serving pipelined PINGs
// allocates nothing per command in the steady state, measured over the
// whole process while the client reuses its buffers.
func TestConnNoAlloc(t *testing.T) {
	c := measuredConn(t, Options{})
	const batch = 200
	block := bytes.Repeat(encodeCmd("ECHO", "hello"), batch)
	got := make([]byte, batch*len("$5\r\nhello\r\n"))
	round := func() { roundTrip(t, c, block, got) }
	for range 100 {
		round()
	}
	// Per round of 200 commands: the dispatcher's budget per command, and
	// a few from the runtime (timers, the poller); the reader, the writer
	// and the connection loop add none.
	if n := testing.AllocsPerRun(200, round); n > batch*dispatchAllocs+2 {
		t.Errorf("%v allocations per %d pipelined commands", n, batch)
	}
}

// TestLargeRepliesKeepBuffer: a client that keeps asking for replies
// larger than flushAt keeps its reply buffer. The buffer is neither given
// back while the connection waits for the next command nor grown again
// for the next reply, so a round allocates next to nothing once the
// buffer has grown; giving it back at every wait would cost a regrowth of
// the reply's size per round.
func TestLargeRepliesKeepBuffer(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts Options
	}{{"loop", Options{}}, {"goroutine", Options{ConnGoroutines: true}}} {
		t.Run(mode.name, func(t *testing.T) { largeRepliesKeepBuffer(t, mode.opts) })
	}
}

func largeRepliesKeepBuffer(t *testing.T, opts Options) {
	c := measuredConn(t, opts)
	val := strings.Repeat("v", 4096)
	var fill, acks []byte
	for i := 1; i <= 100; i++ {
		fill = append(fill, encodeCmd("RPUSH", "biglist", val)...)
		acks = fmt.Appendf(acks, ":%d\r\n", i)
	}
	got := make([]byte, len(acks))
	if roundTrip(t, c, fill, got); !bytes.Equal(got, acks) {
		t.Fatalf("RPUSH replies %q", got[:min(len(got), 40)])
	}
	want := []byte("*100\r\n" + strings.Repeat("$4096\r\n"+val+"\r\n", 100))
	if len(want) <= flushAt {
		t.Fatalf("a reply of %d bytes does not pass flushAt", len(want))
	}
	cmd := encodeCmd("LRANGE", "biglist", "0", "-1")
	got = make([]byte, len(want))
	round := func() { roundTrip(t, c, cmd, got) }
	// More rounds than idleReleaseAfter, so that a buffer given back at
	// the waits would be given back by now.
	for range 2 * idleReleaseAfter {
		round()
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("LRANGE reply %q...", got[:40])
	}
	const rounds = 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range rounds {
		round()
	}
	runtime.ReadMemStats(&after)
	if perRound := (after.TotalAlloc - before.TotalAlloc) / rounds; perRound > 16<<10 {
		t.Errorf("%d bytes allocated per LRANGE of a %d-byte reply: the reply buffer is regrown", perRound, len(want))
	}
}

// TestBusyConnectionYields: a connection whose reads keep finding input
// waiting yields to the other connections (yieldBusy) instead of holding
// the CPU until the runtime preempts it. The client writes a 4 MB
// pipeline while it reads the replies: loopback delivers it far faster
// than the server runs it, so the server's reads find input waiting.
func TestBusyConnectionYields(t *testing.T) {
	var yields atomic.Int64
	yieldBusy = func() {
		yields.Add(1)
		runtime.Gosched()
	}
	t.Cleanup(func() { yieldBusy = runtime.Gosched })
	s := startServerWith(t, Options{ConnGoroutines: true})
	if !rawReads || s.loops != nil {
		t.Skip("yielding is for connections on goroutines of their own, reading through the raw path")
	}
	c := dial(t, s)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	cmd := encodeCmd("SET", "k", strings.Repeat("x", 100))
	n := 4 << 20 / len(cmd)
	written := make(chan error, 1)
	go func() {
		_, err := c.Write(bytes.Repeat(cmd, n))
		written <- err
	}()
	want := []byte(strings.Repeat("+OK\r\n", n))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("replies: %v", err)
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if yields.Load() == 0 {
		t.Errorf("a connection ran a pipeline of %d commands that kept arriving and never yielded", n)
	}
}

// TestIdleTimeout: with the timeout directive, a connection that sends no
// command for longer is closed, while a subscriber, which waits by
// design, is left open.
func TestIdleTimeout(t *testing.T) {
	s := startServer(t, "timeout", "1")
	idle, sub := dial(t, s), dial(t, s)
	for _, c := range []net.Conn{idle, sub} {
		c.SetDeadline(time.Now().Add(10 * time.Second))
	}
	sr := bufio.NewReader(sub)
	if _, err := sub.Write(encodeCmd("SUBSCRIBE", "ch")); err != nil {
		t.Fatal(err)
	}
	want := "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(sr, got); err != nil || string(got) != want {
		t.Fatalf("SUBSCRIBE: %q, %v", got, err)
	}
	if n, err := idle.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes from an idle connection, want it closed", n)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the idle connection was not closed within 10 s")
	}
	if _, err := sub.Write(encodeCmd("PING")); err != nil {
		t.Fatal(err)
	}
	want = "*2\r\n$4\r\npong\r\n$0\r\n\r\n"
	got = make([]byte, len(want))
	if _, err := io.ReadFull(sr, got); err != nil || string(got) != want {
		t.Fatalf("subscriber after the timeout: %q, %v", got, err)
	}
}
