// Package compat holds Ember's differential tests: the same command streams
// go to a real redis-server, started by the tests on a free loopback port,
// and to Ember, and the raw replies must match byte for byte.
package compat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Redis is a redis-server process started for the tests.
type Redis struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
}

// StartRedis starts redis-server on a free loopback port with persistence
// off, or returns an error naming why it could not. extra are additional
// "--directive value" arguments.
func StartRedis(extra ...string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errNoRedis
	}
	dir, err := os.MkdirTemp("", "ember-compat-redis")
	if err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "no", "--dir", dir, "--enable-debug-command", "yes", "--logfile", filepath.Join(dir, "redis.log")}
		args = append(args, extra...)
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		if waitReady(addr, 10*time.Second) {
			return &Redis{Addr: addr, cmd: cmd, dir: dir}, nil
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	return nil, errors.New("redis-server did not become ready")
}

var errNoRedis = errors.New("redis-server not installed (apt-get install -y redis-server); differential tests skipped")

// IsNotInstalled reports whether StartRedis failed because redis-server is missing.
func IsNotInstalled(err error) bool { return err == errNoRedis }

// Stop kills the server and removes its directory.
func (r *Redis) Stop() {
	r.cmd.Process.Kill()
	r.cmd.Wait()
	os.RemoveAll(r.dir)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls addr with PING until it answers or the deadline passes.
func waitReady(addr string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		c, err := Dial(addr)
		if err == nil {
			reply, err := c.Do("PING")
			c.Close()
			if err == nil && string(reply) == "+PONG\r\n" {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// Conn is a raw RESP connection: it sends commands and returns each reply's
// exact bytes.
type Conn struct {
	c  net.Conn
	r  *bufio.Reader
	to time.Duration
}

// Dial connects to addr.
func Dial(addr string) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{c: c, r: bufio.NewReader(c), to: 10 * time.Second}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Encode renders a command as a RESP multibulk.
func Encode(args ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// Do sends one command and returns its raw reply.
func (c *Conn) Do(args ...string) ([]byte, error) {
	if err := c.Send(Encode(args...)); err != nil {
		return nil, err
	}
	return c.Read()
}

// Send writes raw bytes.
func (c *Conn) Send(b []byte) error {
	c.c.SetWriteDeadline(time.Now().Add(c.to))
	_, err := c.c.Write(b)
	return err
}

// Read reads one complete reply and returns its raw bytes.
func (c *Conn) Read() ([]byte, error) {
	c.c.SetReadDeadline(time.Now().Add(c.to))
	var out []byte
	err := readReply(c.r, &out)
	return out, err
}

// ReadTimeout reads one reply, waiting at most d.
func (c *Conn) ReadTimeout(d time.Duration) ([]byte, error) {
	c.c.SetReadDeadline(time.Now().Add(d))
	var out []byte
	err := readReply(c.r, &out)
	return out, err
}

func readReply(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	*out = append(*out, line...)
	if err != nil {
		return err
	}
	if len(line) < 3 {
		return fmt.Errorf("short reply line %q", line)
	}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(r, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(r, out); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line)
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Pair is a real Redis and an Ember, each behind a raw connection, that
// receive the same commands.
type Pair struct {
	T     testing.TB
	Redis *Conn
	Ember *Conn
	// Normalize, when set, rewrites both replies of a command before they
	// are compared (e.g. sorting unordered arrays).
	Normalize func(args []string, reply []byte) []byte
}

// NewPair connects to both servers, flushes them and registers cleanup.
func NewPair(t testing.TB, redisAddr, emberAddr string) *Pair {
	t.Helper()
	rc, err := Dial(redisAddr)
	if err != nil {
		t.Fatalf("dial redis: %v", err)
	}
	ec, err := Dial(emberAddr)
	if err != nil {
		t.Fatalf("dial ember: %v", err)
	}
	t.Cleanup(func() { rc.Close(); ec.Close() })
	p := &Pair{T: t, Redis: rc, Ember: ec}
	p.Both("FLUSHALL")
	return p
}

// Both sends a command to both servers without comparing; it fails the
// test if either connection breaks.
func (p *Pair) Both(args ...string) {
	p.T.Helper()
	if _, err := p.Redis.Do(args...); err != nil {
		p.T.Fatalf("redis %q: %v", args, err)
	}
	if _, err := p.Ember.Do(args...); err != nil {
		p.T.Fatalf("ember %q: %v", args, err)
	}
}

// Check sends a command to both servers and fails the test unless the raw
// replies are identical. It returns the reply.
func (p *Pair) Check(args ...string) []byte {
	p.T.Helper()
	want, err := p.Redis.Do(args...)
	if err != nil {
		p.T.Fatalf("redis %s: %v", Show(args), err)
	}
	got, err := p.Ember.Do(args...)
	if err != nil {
		p.T.Fatalf("ember %s: %v (redis replied %q)", Show(args), err, want)
	}
	if p.Normalize != nil {
		want, got = p.Normalize(args, want), p.Normalize(args, got)
	}
	if !bytes.Equal(want, got) {
		p.T.Errorf("%s\n redis: %q\n ember: %q", Show(args), want, got)
	}
	return want
}

// CheckAll runs Check over a script of commands.
func (p *Pair) CheckAll(script [][]string) {
	p.T.Helper()
	for _, cmd := range script {
		p.Check(cmd...)
	}
}

// Show renders a command for failure messages.
func Show(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q, " ")
}

// Script parses a transcript: one command per line, arguments split as
// redis-cli splits them (quotes and escapes), blank lines and '#' comments
// skipped.
func Script(text string) [][]string {
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, splitLine(line))
	}
	return out
}

func splitLine(line string) []string {
	var args []string
	var cur strings.Builder
	inq, insq, have := false, false, false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case inq:
			if ch == '\\' && i+1 < len(line) {
				i++
				switch line[i] {
				case 'n':
					cur.WriteByte('\n')
				case 'r':
					cur.WriteByte('\r')
				case 't':
					cur.WriteByte('\t')
				case 'x':
					if i+2 < len(line) {
						v, err := strconv.ParseUint(line[i+1:i+3], 16, 8)
						if err == nil {
							cur.WriteByte(byte(v))
							i += 2
							continue
						}
					}
					cur.WriteByte('x')
				default:
					cur.WriteByte(line[i])
				}
			} else if ch == '"' {
				inq = false
			} else {
				cur.WriteByte(ch)
			}
		case insq:
			if ch == '\'' {
				insq = false
			} else {
				cur.WriteByte(ch)
			}
		case ch == '"':
			inq, have = true, true
		case ch == '\'':
			insq, have = true, true
		case ch == ' ' || ch == '\t':
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(ch)
			have = true
		}
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}

// Seed returns the random seed for a randomized test: EMBER_SEED when set,
// otherwise a fresh one. It logs the seed so a failure can be replayed.
func Seed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EMBER_SEED"); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			seed = v
		}
	}
	t.Logf("seed=%d (replay with EMBER_SEED=%d)", seed, seed)
	return seed
}

// Rand returns a generator seeded by Seed.
func Rand(t testing.TB) *rand.Rand {
	s := Seed(t)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// SortedArray is a Normalize helper: it sorts the elements of a flat array
// reply of bulk strings, for commands whose order is unspecified.
func SortedArray(reply []byte) []byte {
	r := bufio.NewReader(bytes.NewReader(reply))
	head, err := r.ReadBytes('\n')
	if err != nil || len(head) < 2 || (head[0] != '*' && head[0] != '~') {
		return reply
	}
	n, err := strconv.Atoi(string(head[1 : len(head)-2]))
	if err != nil || n < 0 {
		return reply
	}
	elems := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var out []byte
		if err := readReply(r, &out); err != nil {
			return reply
		}
		elems = append(elems, string(out))
	}
	sort.Strings(elems)
	return append(head, []byte(strings.Join(elems, ""))...)
}
