//go:build linux

package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startLoopServer starts a server whose connections are served by event
// loops (the default).
func startLoopServer(t *testing.T) *Server {
	t.Helper()
	s := startServer(t)
	if len(s.loops) == 0 {
		t.Skip("event loops are off (EMBER_EVENT_LOOP=0)")
	}
	return s
}

// loopConns counts the connections the server's event loops own.
func loopConns(s *Server) int {
	n := 0
	for _, l := range s.loops {
		l.mu.Lock()
		n += len(l.conns)
		l.mu.Unlock()
	}
	return n
}

// dialTwo opens two connections to s, with deadlines, and their readers.
func dialTwo(t *testing.T, s *Server, limit time.Duration) (a, b net.Conn, ar, br *bufio.Reader) {
	t.Helper()
	a, b = dial(t, s), dial(t, s)
	a.SetDeadline(time.Now().Add(limit))
	b.SetDeadline(time.Now().Add(limit))
	return a, b, bufio.NewReader(a), bufio.NewReader(b)
}

// expectReply reads exactly want from br.
func expectReply(t *testing.T, br *bufio.Reader, want string) {
	t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
		t.Fatalf("reply %q (%v), want %q", got, err, want)
	}
}

// TestEventLoopServes runs a pipeline through a loop-owned connection.
func TestEventLoopServes(t *testing.T) {
	s := startLoopServer(t)
	c := dial(t, s)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	var in []byte
	for _, cmd := range [][]string{{"SET", "k", "v"}, {"GET", "k"}, {"INCR", "n"}, {"INCR", "n"}, {"RPUSH", "l", "a", "b"}, {"LRANGE", "l", "0", "-1"}} {
		in = append(in, encodeCmd(cmd...)...)
	}
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	expectReply(t, br, "+OK\r\n$1\r\nv\r\n:1\r\n:2\r\n:2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n")
	if n := loopConns(s); n != 1 {
		t.Errorf("%d connections in the loops, want 1", n)
	}
	// A command split over several writes waits for the rest.
	for _, part := range []string{"*2\r\n$3\r\nGE", "T\r\n$1\r", "\nk\r\n"} {
		if _, err := c.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	expectReply(t, br, "$1\r\nv\r\n")
}

// TestEventLoopLeavesToBlock: a blocking command takes its connection out
// of the loop, to a goroutine of its own, and the loop goes on serving
// the others; the connection keeps working.
func TestEventLoopLeavesToBlock(t *testing.T) {
	s := startLoopServer(t)
	blocked, other, bb, ob := dialTwo(t, s, 10*time.Second)
	if _, err := blocked.Write(encodeCmd("BLPOP", "q", "0")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return loopConns(s) == 1 })
	if _, err := other.Write(encodeCmd("PING")); err != nil {
		t.Fatal(err)
	}
	expectReply(t, ob, "+PONG\r\n")
	if _, err := other.Write(encodeCmd("LPUSH", "q", "x")); err != nil {
		t.Fatal(err)
	}
	expectReply(t, ob, ":1\r\n")
	expectReply(t, bb, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n")
	if _, err := blocked.Write(encodeCmd("PING")); err != nil {
		t.Fatal(err)
	}
	expectReply(t, bb, "+PONG\r\n")
}

// TestEventLoopKill: CLIENT KILL ends a loop-owned connection (its client
// sees the end of the connection) and the loop forgets it.
func TestEventLoopKill(t *testing.T) {
	s := startLoopServer(t)
	victim, killer, vb, kb := dialTwo(t, s, 10*time.Second)
	if _, err := victim.Write(encodeCmd("CLIENT", "SETNAME", "victim")); err != nil {
		t.Fatal(err)
	}
	expectReply(t, vb, "+OK\r\n")
	if _, err := killer.Write(encodeCmd("CLIENT", "KILL", "ADDR", victim.LocalAddr().String())); err != nil {
		t.Fatal(err)
	}
	expectReply(t, kb, ":1\r\n")
	if b, err := vb.ReadByte(); err == nil {
		t.Fatalf("read %q from a killed connection", b)
	}
	waitFor(t, func() bool { return loopConns(s) == 1 && s.env.Clients.Len() == 1 })
}

// TestEventLoopQuitDrains: QUIT answers, and the connection closes only
// once the replies before it, larger than the socket takes at once, are
// all written.
func TestEventLoopQuitDrains(t *testing.T) {
	s := startLoopServer(t)
	c := dial(t, s)
	c.SetDeadline(time.Now().Add(20 * time.Second))
	val := strings.Repeat("v", 1<<20)
	in := encodeCmd("SET", "big", val)
	want := "+OK\r\n"
	for range 8 {
		in = append(in, encodeCmd("GET", "big")...)
		want += "$1048576\r\n" + val + "\r\n"
	}
	in = append(in, encodeCmd("QUIT")...)
	want += "+OK\r\n"
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil || string(got) != want {
		t.Fatalf("%d bytes (%v), want %d ending in +OK", len(got), err, len(want))
	}
	waitFor(t, func() bool { return loopConns(s) == 0 && s.env.Clients.Len() == 0 })
}

// TestEventLoopTurns: a connection that streams a long pipeline does not
// keep the loop from the others. While a pipeline of INCRs is served, a
// GET of the counter on another connection is answered within a turn,
// long before the pipeline ends: each turn serves one read (16 KB, about
// 600 of the INCRs) of each ready connection.
func TestEventLoopTurns(t *testing.T) {
	s := startLoopServer(t)
	busy, other, bb, ob := dialTwo(t, s, 60*time.Second)
	cmd := encodeCmd("INCR", "counter")
	n := 4 << 20 / len(cmd)
	go busy.Write(bytes.Repeat(cmd, n))
	expectReply(t, bb, ":1\r\n") // the pipeline is being served
	if _, err := other.Write(encodeCmd("GET", "counter")); err != nil {
		t.Fatal(err)
	}
	reply, err := readBulk(ob)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := strconv.Atoi(reply); v < 1 || v >= n/2 {
		t.Errorf("GET answered at counter %s, of a pipeline of %d INCRs", reply, n)
	}
	for i := 2; i <= n; i++ {
		line, err := bb.ReadString('\n')
		if err != nil || line != ":"+strconv.Itoa(i)+"\r\n" {
			t.Fatalf("INCR reply %d: %q (%v)", i, line, err)
		}
	}
}

// readBulk reads one bulk string reply.
func readBulk(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "$"), "\r\n"))
	if err != nil || n < 0 {
		return "", fmt.Errorf("not a bulk string: %q", line)
	}
	b := make([]byte, n+2)
	_, err = io.ReadFull(br, b)
	return string(b[:n]), err
}

// TestEventLoopLeavesForScripts: a script, alone or queued in a
// transaction, runs on the connection's own goroutine, so that the loop
// goes on serving (and answering BUSY) while it runs.
func TestEventLoopLeavesForScripts(t *testing.T) {
	s := startLoopServer(t)
	plain, txn, pb, tb := dialTwo(t, s, 10*time.Second)
	if _, err := txn.Write(append(encodeCmd("MULTI"), encodeCmd("EVAL", "return 7", "0")...)); err != nil {
		t.Fatal(err)
	}
	expectReply(t, tb, "+OK\r\n+QUEUED\r\n")
	if n := loopConns(s); n != 2 {
		t.Fatalf("%d connections in the loops before EXEC, want 2", n)
	}
	if _, err := txn.Write(encodeCmd("EXEC")); err != nil {
		t.Fatal(err)
	}
	expectReply(t, tb, "*1\r\n:7\r\n")
	if _, err := plain.Write(encodeCmd("EVAL", "return 8", "0")); err != nil {
		t.Fatal(err)
	}
	expectReply(t, pb, ":8\r\n")
	if n := loopConns(s); n != 0 {
		t.Errorf("%d connections in the loops after EXEC of a script and EVAL, want 0", n)
	}
}
