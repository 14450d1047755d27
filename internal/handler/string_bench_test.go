package handler_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
)

// strBenchPipeline is how many commands one write carries.
const strBenchPipeline = 100

// strBench sends b.N copies of one command through a real server over
// loopback, strBenchPipeline at a time, and reads the replies, which must
// all equal reply ("" accepts any one-line replies). Allocations counted include the server's.
func strBench(b *testing.B, setup [][]string, cmd []string, reply string) {
	srv := embertest.Run(b)
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64<<10)
	for _, s := range setup {
		conn.Write(encodeRaw(s...))
		if _, err := r.ReadBytes('\n'); err != nil {
			b.Fatal(err)
		}
	}
	one := encodeRaw(cmd...)
	batch := bytes.Repeat(one, strBenchPipeline)
	want := bytes.Repeat([]byte(reply), strBenchPipeline)
	got := make([]byte, len(want))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += strBenchPipeline {
		n := min(strBenchPipeline, b.N-done)
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write(batch[:n*len(one)]); err != nil {
			b.Fatal(err)
		}
		if reply == "" {
			// Integer replies that change: read one line per command.
			for i := 0; i < n; i++ {
				if _, err := r.ReadSlice('\n'); err != nil {
					b.Fatal(err)
				}
			}
			continue
		}
		if _, err := io.ReadFull(r, got[:n*len(reply)]); err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(got[:n*len(reply)], want[:n*len(reply)]) {
			b.Fatalf("unexpected replies %q", got[:min(64, n*len(reply))])
		}
	}
}

func BenchmarkStringGet(b *testing.B) {
	strBench(b, [][]string{{"SET", "bench:key", "some value of a typical size"}},
		[]string{"GET", "bench:key"}, "$28\r\nsome value of a typical size\r\n")
}

func BenchmarkStringGetMissing(b *testing.B) {
	strBench(b, nil, []string{"GET", "bench:nosuch"}, "$-1\r\n")
}

// BenchmarkStringSet overwrites one key: the only allocations left are the
// stored value's.
func BenchmarkStringSet(b *testing.B) {
	strBench(b, nil, []string{"SET", "bench:key", "some value of a typical size"}, "+OK\r\n")
}

func BenchmarkStringIncr(b *testing.B) {
	strBench(b, [][]string{{"SET", "bench:n", "1000000"}}, []string{"INCR", "bench:n"}, "")
}
