package glob

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests compare the matcher with a real redis-server (KEYS uses
// stringmatchlen) when one is installed. Set GLOB_REDIS_SEED to replay a
// particular random run and GLOB_REDIS_PATTERNS to change how many random
// patterns are tried (default 2000).

type redisConn struct {
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

// startRedis starts a throwaway redis-server on a free loopback port and
// returns a connection to it. The server is killed when the test ends.
func startRedis(t *testing.T) *redisConn {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		c, err := tryStartRedis(t, bin)
		if err == nil {
			return c
		}
		lastErr = err
	}
	t.Fatalf("could not start redis-server: %v", lastErr)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

func tryStartRedis(t *testing.T, bin string) (*redisConn, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	var logBuf bytes.Buffer
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", t.TempDir(),
	)
	cmd.Stdout = &logBuf
	cmd.Stderr = &logBuf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			return nil, fmt.Errorf("redis-server exited early: %s", logBuf.String())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, errors.New("redis-server did not answer PING in time")
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		c := &redisConn{conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}
		if reply, err := c.do("PING"); err == nil && reply == "PONG" {
			t.Cleanup(func() {
				conn.Close()
				stop()
			})
			return c, nil
		}
		conn.Close()
		time.Sleep(20 * time.Millisecond)
	}
}

// do sends one command and reads its reply: string for simple and bulk
// strings, int64, nil, []any for arrays, or an error for an error reply.
func (c *redisConn) do(args ...string) (any, error) {
	c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return c.readReply()
}

func (c *redisConn) readLine() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("bad line %q", line)
	}
	return line[:len(line)-2], nil
}

func (c *redisConn) readReply() (any, error) {
	line, err := c.readLine()
	if err != nil {
		return nil, err
	}
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, fmt.Errorf("redis error: %s", body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = c.readReply(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", line)
}

func (c *redisConn) mustDo(t *testing.T, args ...string) any {
	t.Helper()
	reply, err := c.do(args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return reply
}

// keys runs KEYS pattern and returns the sorted reply.
func (c *redisConn) keys(t *testing.T, pattern string) []string {
	t.Helper()
	arr, ok := c.mustDo(t, "KEYS", pattern).([]any)
	if !ok {
		t.Fatalf("KEYS %q: reply is not an array", pattern)
	}
	out := make([]string, len(arr))
	for i, v := range arr {
		out[i] = v.(string)
	}
	slices.Sort(out)
	return out
}

// expectKeys is what KEYS should return according to Match. KEYS skips the
// matcher entirely for the exact pattern "*" (which is why it lists the
// empty key although Match("*", "") is false).
func expectKeys(pattern string, keys []string) []string {
	var out []string
	for _, k := range keys {
		if pattern == "*" || MatchString(pattern, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// TestRedisTable replays the case-sensitive table cases against redis-server.
func TestRedisTable(t *testing.T) {
	r := startRedis(t)
	n := 0
	for _, c := range exactCases {
		if c.pattern == "*" {
			continue // KEYS special-cases it
		}
		r.mustDo(t, "FLUSHALL")
		r.mustDo(t, "SET", c.s, "1")
		got := len(r.keys(t, c.pattern)) == 1
		if got != c.want {
			t.Errorf("redis: KEYS %q with key %q: match = %v, table says %v", c.pattern, c.s, got, c.want)
		}
		n++
	}
	t.Logf("%d table cases checked against redis-server", n)
}

func TestRedisDifferential(t *testing.T) {
	r := startRedis(t)

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("GLOB_REDIS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("GLOB_REDIS_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (set GLOB_REDIS_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 0x676c6f62))

	const keyAlphabet = "abcAB09-[]\\*?^ \x00\x7f\x80\xe9\xff"
	const patAlphabet = "****???[[[]]]^^--\\\\\\abcAB09 \x00\x7f\x80\xe9\xff"
	pick := func(alphabet string, maxLen int) string {
		b := make([]byte, rng.IntN(maxLen+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}

	keySet := map[string]bool{
		"":                                   true,
		"a":                                  true,
		"[":                                  true,
		"\\":                                 true,
		strings.Repeat("a", 1100):            true,
		strings.Repeat("a", 1100) + "b":      true,
		strings.Repeat("ab", 600):            true,
		strings.Repeat("a", 60):              true,
		strings.Repeat("\xff", 30) + "\x00z": true,
	}
	for len(keySet) < 200 {
		keySet[pick(keyAlphabet, 8)] = true
	}
	keys := make([]string, 0, len(keySet))
	for k := range keySet {
		keys = append(keys, k)
		r.mustDo(t, "SET", k, "1")
	}
	if n := r.mustDo(t, "DBSIZE"); n != int64(len(keys)) {
		t.Fatalf("DBSIZE = %v, want %d", n, len(keys))
	}

	patterns := []string{
		"*", "**", "", "?", "[", "[^", "\\", "*\\", "[]", "[^]", "[a-]", "[\\",
		strings.Repeat("a*", 1001),
		strings.Repeat("a*", 1002),
		strings.Repeat("a*", 40) + "b",
		strings.Repeat("*a", 40) + "b",
		strings.Repeat("*?", 3000),
		strings.Repeat("?*", 1000) + "b",
		strings.Repeat("*[ab]", 700),
		strings.Repeat("*[ab]", 1100),
		strings.Repeat("\xff*", 20) + "z",
	}
	total := 2000
	if s := os.Getenv("GLOB_REDIS_PATTERNS"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			total = v
		}
	}
	for len(patterns) < total {
		patterns = append(patterns, pick(patAlphabet, 10))
	}

	failures, nonEmpty := 0, 0
	for _, p := range patterns {
		got := r.keys(t, p)
		if len(got) > 0 {
			nonEmpty++
		}
		want := expectKeys(p, keys)
		if !slices.Equal(got, want) {
			failures++
			t.Errorf("KEYS %q:\n redis: %q\n Match: %q", p, got, want)
			if failures >= 10 {
				t.Fatalf("too many mismatches")
			}
		}
	}
	t.Logf("%d patterns x %d keys agreed with redis-server (%d patterns matched some key)",
		len(patterns), len(keys), nonEmpty)
}
