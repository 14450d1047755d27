package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// keyspaceBench pipelines batches of 16 commands made by cmd over random
// keys of a keyspace of n keys that SET filled first, with warming on or
// off, and reports the cost per command of the whole round trip.
func keyspaceBench(b *testing.B, n int, off bool, cmd func(key string) []byte, reply string) {
	s := startServer(b)
	c := dial(b, s)
	br := bufio.NewReaderSize(c, 1<<16)
	fill := func(block []byte, replies int) {
		if _, err := c.Write(block); err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, br, int64(replies*len("+OK\r\n"))); err != nil {
			b.Fatal(err)
		}
	}
	var block []byte
	for i := 0; i < n; i++ {
		block = append(block, encodeCmd("SET", "key:"+strconv.Itoa(i), "0123456789")...)
		if i%1000 == 999 || i == n-1 {
			fill(block, i%1000+1)
			block = block[:0]
		}
	}
	const batch, batches = 16, 512
	r := rand.New(rand.NewPCG(1, 2))
	blocks := make([][]byte, batches)
	for i := range blocks {
		for range batch {
			blocks[i] = append(blocks[i], cmd("key:"+strconv.Itoa(r.IntN(n)))...)
		}
	}
	want := []byte(reply)
	got := make([]byte, batch*len(want))
	prefetchOff = off
	defer func() { prefetchOff = false }()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		if _, err := c.Write(blocks[(i/batch)%batches]); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(br, got); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if !bytes.Equal(got[:len(want)], want) {
		b.Fatalf("reply %q", got[:min(len(got), 40)])
	}
}

// BenchmarkPipelineKeyspace is SET and GET at pipeline 16 over a
// million keys, with and without warming the pipeline's keys first
// (Keyspace.Prefetch): what the warming saves is the cache misses of
// lookups made one after another.
func BenchmarkPipelineKeyspace(b *testing.B) {
	const keys = 1_000_000
	set := func(k string) []byte { return encodeCmd("SET", k, "0123456789") }
	get := func(k string) []byte { return encodeCmd("GET", k) }
	for _, off := range []bool{false, true} {
		name := map[bool]string{false: "warm", true: "cold"}[off]
		b.Run(fmt.Sprintf("SET/%s", name), func(b *testing.B) { keyspaceBench(b, keys, off, set, "+OK\r\n") })
		b.Run(fmt.Sprintf("GET/%s", name), func(b *testing.B) { keyspaceBench(b, keys, off, get, "$10\r\n0123456789\r\n") })
	}
}

// TestPrefetchPipelineReplies runs pipelines that mix keyed, keyless,
// multi-key, unknown and malformed commands with warming on: the replies
// are those of the commands run one by one.
func TestPrefetchPipelineReplies(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	br := bufio.NewReader(c)
	var in []byte
	for _, cmd := range [][]string{
		{"SET", "a", "1"}, {"INCR", "a"}, {"MSET", "b", "x", "c", "y"}, {"MGET", "a", "b", "c", "d"},
		{"NOSUCH", "a"}, {"GET"}, {"PING"}, {"LPUSH", "l", "1", "2"}, {"LRANGE", "l", "0", "-1"},
		{"DEL", "a", "b"}, {"EXISTS", "a", "b", "c"},
	} {
		in = append(in, encodeCmd(cmd...)...)
	}
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	want := "+OK\r\n:2\r\n+OK\r\n*4\r\n$1\r\n2\r\n$1\r\nx\r\n$1\r\ny\r\n$-1\r\n" +
		"-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n" +
		"-ERR wrong number of arguments for 'get' command\r\n+PONG\r\n:2\r\n*2\r\n$1\r\n2\r\n$1\r\n1\r\n:2\r\n:1\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatalf("%v after %q", err, got)
	}
	if string(got) != want {
		t.Fatalf("replies\n%q\nwant\n%q", got, want)
	}
}

// TestPrefetchMemberGroups: consecutive commands on one key make one
// group of members; another key starts another.
func TestPrefetchMemberGroups(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	br := bufio.NewReader(c)
	var in []byte
	for i := 0; i < 300; i++ { // a set large enough for a hash table
		in = append(in, encodeCmd("SADD", "s", strconv.Itoa(i))...)
	}
	in = append(in, encodeCmd("HSET", "h", "f", "v", "g", "w")...)
	in = append(in, encodeCmd("SISMEMBER", "s", "7")...)
	in = append(in, encodeCmd("SISMEMBER", "s", "nope")...)
	in = append(in, encodeCmd("HGET", "h", "g")...)
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat(":1\r\n", 300) + ":2\r\n:1\r\n:0\r\n$1\r\nw\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
		t.Fatalf("replies %q (%v)", got[len(got)-30:], err)
	}
}
