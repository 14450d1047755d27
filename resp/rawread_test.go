//go:build unix

package resp

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"
)

// rawPair returns a reader over the server side of a loopback TCP
// connection, reading it raw (SetRawConn), and the client side.
func rawPair(t *testing.T) (*Reader, net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	rc, err := server.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(server)
	r.SetRawConn(rc)
	return r, client, server
}

type readResult struct {
	args []string
	err  error
}

// readAsync runs ReadCommand on another goroutine.
func readAsync(r *Reader) chan readResult {
	ch := make(chan readResult, 1)
	go func() {
		args, err := r.ReadCommand()
		var out []string
		for _, a := range args {
			out = append(out, string(a))
		}
		ch <- readResult{out, err}
	}()
	return ch
}

func wantArgs(t *testing.T, ch chan readResult, want ...string) {
	t.Helper()
	select {
	case got := <-ch:
		if got.err != nil || strings.Join(got.args, " ") != strings.Join(want, " ") {
			t.Fatalf("ReadCommand = %q, %v; want %q", got.args, got.err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadCommand did not return")
	}
}

// TestRawReadIdleReleasesBuffer: while a raw reader waits for input with
// nothing buffered, it holds no buffer (and calls Idle); commands split
// across reads and large ones still parse.
func TestRawReadIdleReleasesBuffer(t *testing.T) {
	r, client, _ := rawPair(t)
	idle := make(chan bool, 16)
	r.Idle = func() { idle <- r.buf == nil }
	awaitIdle := func() {
		t.Helper()
		select {
		case released := <-idle:
			if !released {
				t.Fatal("read buffer held while idle")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("reader never went idle")
		}
	}
	ch := readAsync(r)
	awaitIdle()
	if _, err := client.Write([]byte("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n")); err != nil {
		t.Fatal(err)
	}
	wantArgs(t, ch, "ECHO", "hello")

	// A command in two writes, the reader idle in between.
	ch = readAsync(r)
	awaitIdle()
	client.Write([]byte("*2\r\n$3\r\nGET\r\n"))
	// The first part is buffered: the reader waits with it, holding the
	// buffer, so only a complete command returns.
	client.Write([]byte("$3\r\nkey\r\n"))
	wantArgs(t, ch, "GET", "key")

	// A command larger than both pooled sizes, then a small one.
	big := strings.Repeat("x", 3*keepBuf)
	ch = readAsync(r)
	awaitIdle()
	go client.Write([]byte("*2\r\n$4\r\nECHO\r\n$" + itoa(len(big)) + "\r\n" + big + "\r\n*1\r\n$4\r\nPING\r\n"))
	wantArgs(t, ch, "ECHO", big)
	wantArgs(t, readAsync(r), "PING")
	if cap(r.buf) > keepBuf {
		t.Fatalf("buffer of %d bytes kept after a large command", cap(r.buf))
	}
	ch = readAsync(r)
	awaitIdle()
	client.Close()
	select {
	case got := <-ch:
		if !errors.Is(got.err, io.EOF) {
			t.Fatalf("after close: %q, %v", got.args, got.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadCommand did not return after the client closed")
	}
}

// TestRawReadClosedWhileIdle: closing the connection (CLIENT KILL) ends
// a read that waits with its buffer lent out.
func TestRawReadClosedWhileIdle(t *testing.T) {
	r, _, server := rawPair(t)
	idle := make(chan struct{}, 1)
	r.Idle = func() { idle <- struct{}{} }
	ch := readAsync(r)
	<-idle
	server.Close()
	select {
	case got := <-ch:
		if got.err == nil {
			t.Fatalf("read on a closed connection returned %q", got.args)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadCommand did not return after Close")
	}
}

// TestRawReadMatchesPlain feeds the same pipelined stream through a raw
// and a plain reader.
func TestRawReadMatchesPlain(t *testing.T) {
	var stream bytes.Buffer
	for i := range 2000 {
		stream.WriteString("*3\r\n$3\r\nSET\r\n$" + itoa(len(itoa(i))+4) + "\r\nkey:" + itoa(i) + "\r\n$" + itoa(i%300) + "\r\n" + strings.Repeat("v", i%300) + "\r\n")
	}
	r, client, _ := rawPair(t)
	go func() {
		b := stream.Bytes()
		for len(b) > 0 { // uneven writes
			n := min(len(b), 1+len(b)%7919)
			client.Write(b[:n])
			b = b[n:]
		}
		client.Close()
	}()
	plain := NewReader(bytes.NewReader(stream.Bytes()))
	for i := 0; ; i++ {
		want, werr := plain.ReadCommand()
		got, gerr := r.ReadCommand()
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("command %d: raw err %v, plain err %v", i, gerr, werr)
		}
		if werr != nil {
			break
		}
		if len(got) != len(want) {
			t.Fatalf("command %d: %q vs %q", i, got, want)
		}
		for j := range want {
			if !bytes.Equal(got[j], want[j]) {
				t.Fatalf("command %d arg %d: %q vs %q", i, j, got[j], want[j])
			}
		}
	}
}

func itoa(n int) string { return string(AppendInt(nil, int64(n))) }

// readTurn runs event-loop turns (AllowRead, then ReadCommand until it
// would block) until one yields a command or an error other than
// ErrWouldBlock: input written by the peer may take a moment to arrive.
func readTurn(t *testing.T, r *Reader) ([][]byte, error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.AllowRead()
		args, err := r.ReadCommand()
		if err != ErrWouldBlock {
			return args, err
		}
		if time.Now().After(deadline) {
			t.Fatal("no input arrived")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestReaderNoWait: in event-loop mode a reader never waits: it reads
// once per AllowRead, answers ErrWouldBlock when it needs input it may
// not read, keeps a partial command across turns, gives its buffer back
// between turns and reports the end of input.
func TestReaderNoWait(t *testing.T) {
	r, client, server := rawPair(t)
	rc, _ := server.(*net.TCPConn).SyscallConn()
	if !r.SetNoWait(rc) {
		t.Fatal("SetNoWait refused a TCP connection")
	}
	r.AllowRead()
	if _, err := r.ReadCommand(); err != ErrWouldBlock {
		t.Fatalf("nothing sent: %v, want ErrWouldBlock", err)
	}
	if _, err := client.Write([]byte("PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nh")); err != nil {
		t.Fatal(err)
	}
	args, err := readTurn(t, r)
	if err != nil || len(args) != 1 || string(args[0]) != "PING" {
		t.Fatalf("first command %q, %v", args, err)
	}
	// The ECHO is partial and the turn's read is spent.
	if _, err := r.ReadCommand(); err != ErrWouldBlock {
		t.Fatalf("partial command: %v, want ErrWouldBlock", err)
	}
	if _, err := client.Write([]byte("i\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadCommand(); err != ErrWouldBlock {
		t.Fatalf("no read allowed: %v, want ErrWouldBlock", err)
	}
	args, err = readTurn(t, r)
	if err != nil || len(args) != 2 || string(args[1]) != "hi" {
		t.Fatalf("second command %q, %v", args, err)
	}
	r.ReleaseIdle()
	if r.buf != nil {
		t.Error("an idle reader kept its buffer")
	}
	client.Close()
	if _, err := readTurn(t, r); err != io.EOF {
		t.Fatalf("after the peer closed: %v, want EOF", err)
	}
	// Back to waiting reads.
	r.StopNoWait()
	if r.raw != nil || r.noWait {
		t.Error("StopNoWait left event-loop mode on")
	}
}

// TestReaderNoWaitChunks: in event-loop mode, a random stream of commands
// (multibulk and inline, with bulks of every size up to 40 KB) written in
// random pieces, each read in turns of one read, parses to exactly the
// commands sent, in order. Seed printed.
func TestReaderNoWaitChunks(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	r, client, server := rawPair(t)
	rc, _ := server.(*net.TCPConn).SyscallConn()
	r.SetNoWait(rc)
	var want [][]string
	var stream []byte
	for range 300 {
		n := 1 + rng.IntN(4)
		cmd := make([]string, n)
		for i := range cmd {
			size := rng.IntN(12)
			if rng.IntN(20) == 0 {
				size = rng.IntN(40 << 10)
			}
			b := make([]byte, size)
			for j := range b {
				b[j] = byte('a' + rng.IntN(26))
			}
			cmd[i] = string(b)
		}
		if cmd[0] == "" {
			cmd[0] = "x"
		}
		if rng.IntN(4) == 0 && len(cmd) < 3 && !strings.ContainsAny(strings.Join(cmd, ""), " \"'") {
			stream = append(stream, strings.Join(cmd, " ")+"\r\n"...) // inline
			var words []string
			for _, w := range cmd {
				if w != "" {
					words = append(words, w)
				}
			}
			cmd = words
		} else {
			stream = append(stream, encode(cmd...)...)
		}
		want = append(want, cmd)
	}
	got := 0
	take := func() {
		for {
			args, err := r.ReadCommand()
			if err == ErrWouldBlock {
				return
			}
			if err != nil {
				t.Fatalf("command %d: %v", got, err)
			}
			if got >= len(want) || len(args) != len(want[got]) {
				t.Fatalf("command %d: %d arguments, want %v", got, len(args), want[got])
			}
			for i := range args {
				if string(args[i]) != want[got][i] {
					t.Fatalf("command %d argument %d differs", got, i)
				}
			}
			got++
		}
	}
	for len(stream) > 0 {
		k := min(len(stream), 1+rng.IntN(9000))
		if _, err := client.Write(stream[:k]); err != nil {
			t.Fatal(err)
		}
		stream = stream[k:]
		for range 1 + rng.IntN(3) {
			r.AllowRead()
			take()
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for got < len(want) {
		if time.Now().After(deadline) {
			t.Fatalf("parsed %d of %d commands", got, len(want))
		}
		r.AllowRead()
		take()
		time.Sleep(time.Millisecond)
	}
}
