package handler_test

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
)

// listBenchPipeline is how many commands one write carries.
const listBenchPipeline = 100

// listBench sends b.N commands through a real server over loopback,
// listBenchPipeline at a time, cycling through cmds, and reads every reply
// without allocating. Allocations counted include the server's.
func listBench(b *testing.B, setup [][]string, cmds ...[]string) {
	srv := embertest.Run(b)
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64<<10)
	for _, s := range setup {
		conn.Write(encodeRaw(s...))
		if err := listSkipReply(r); err != nil {
			b.Fatal(err)
		}
	}
	var batch []byte
	ends := make([]int, listBenchPipeline+1)
	for i := 0; i < listBenchPipeline; i++ {
		batch = append(batch, encodeRaw(cmds[i%len(cmds)]...)...)
		ends[i+1] = len(batch)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += listBenchPipeline {
		n := min(listBenchPipeline, b.N-done)
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write(batch[:ends[n]]); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := listSkipReply(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// listSkipReply reads one reply without keeping it, failing on an error
// reply.
func listSkipReply(r *bufio.Reader) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if line[0] == '-' {
		return errors.New("error reply " + string(line))
	}
	if line[0] != '$' && line[0] != '*' {
		return nil
	}
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$':
		if n >= 0 {
			_, err = r.Discard(n + 2)
		}
	case '*':
		for i := 0; i < n && err == nil; i++ {
			err = listSkipReply(r)
		}
	}
	return err
}

func listBenchFill(key string, n int) [][]string {
	args := []string{"RPUSH", key}
	for i := 0; i < n; i++ {
		args = append(args, "element-"+strconv.Itoa(i))
	}
	return [][]string{args}
}

// BenchmarkListPushPop is a queue: RPUSH then LPOP, on a list that stays
// about the same size.
func BenchmarkListPushPop(b *testing.B) {
	listBench(b, listBenchFill("bench:q", 1000),
		[]string{"RPUSH", "bench:q", "some element"}, []string{"LPOP", "bench:q"})
}

func BenchmarkListLPush(b *testing.B) {
	listBench(b, nil, []string{"LPUSH", "bench:l", "some element"})
}

func BenchmarkListLRange10(b *testing.B) {
	listBench(b, listBenchFill("bench:r", 1000), []string{"LRANGE", "bench:r", "0", "9"})
}

func BenchmarkListLIndexMiddle(b *testing.B) {
	listBench(b, listBenchFill("bench:i", 10000), []string{"LINDEX", "bench:i", "5000"})
}

// BenchmarkListBLPopReady is BLPOP on a list that has elements: it never
// blocks.
func BenchmarkListBLPopReady(b *testing.B) {
	listBench(b, listBenchFill("bench:b", 1000),
		[]string{"RPUSH", "bench:b", "some element"}, []string{"BLPOP", "bench:b", "0"})
}

// BenchmarkListBlockedWake measures a full hand-off: a client blocks in
// BLPOP, another pushes, the first receives the element.
func BenchmarkListBlockedWake(b *testing.B) {
	srv := embertest.Run(b)
	waiter := dialRaw(b, srv.Addr())
	pusher := dialRaw(b, srv.Addr())
	want := lBulks("bench:w", "v")
	push := encodeRaw("RPUSH", "bench:w", "v")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		waiter.send("BLPOP", "bench:w", "0")
		// Push until the waiter got it: a push before it blocked is popped
		// by the BLPOP directly, which is as good.
		pusher.c.Write(push)
		pusher.read()
		if got := waiter.read(); got != want {
			b.Fatalf("BLPOP: %q", got)
		}
	}
}

// BenchmarkListHotGet checks that the blocking hook costs nothing on hot
// commands when nobody is blocked: compare with BenchmarkStringGet.
func BenchmarkListHotGet(b *testing.B) {
	listBench(b, [][]string{{"SET", "bench:k", "v"}}, []string{"GET", "bench:k"})
}

// BenchmarkListHotSetWhileBlocked is SET while another client is blocked
// (on an unrelated key): every write then asks the blocking registry
// whether its key has waiters.
func BenchmarkListHotSetWhileBlocked(b *testing.B) {
	srv := embertest.Run(b)
	waiter := dialRaw(b, srv.Addr())
	waiter.send("BLPOP", "bench:never", "0")
	admin := dialRaw(b, srv.Addr())
	listWaitBlocked(b, admin, 1)
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64<<10)
	batch := bytes.Repeat(encodeRaw("SET", "bench:k", "v"), listBenchPipeline)
	per := len(batch) / listBenchPipeline
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += listBenchPipeline {
		n := min(listBenchPipeline, b.N-done)
		if _, err := conn.Write(batch[:n*per]); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := listSkipReply(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}
