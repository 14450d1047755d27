// A raw RESP connection for the handler tests: commands in, each reply's
// exact bytes out.

package handler_test

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/resp"
)

// rawConn is a raw RESP connection returning each reply's exact bytes.
type rawConn struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReader(c)}
}

func encodeRaw(args ...string) []byte {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b
}

// send writes a command without reading its reply.
func (c *rawConn) send(args ...string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(encodeRaw(args...)); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next reply's raw bytes.
func (c *rawConn) read() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out []byte
	if err := readRawReply(c.r, &out); err != nil {
		c.t.Fatalf("read: %v (so far %q)", err, out)
	}
	return string(out)
}

// noReply checks that no reply arrives within d.
func (c *rawConn) noReply(d time.Duration) {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(d))
	if b, err := c.r.Peek(1); err == nil {
		c.t.Fatalf("unexpected reply starting %q", b)
	}
}

func (c *rawConn) do(args ...string) string {
	c.t.Helper()
	c.send(args...)
	return c.read()
}

func readRawReply(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	*out = append(*out, line...)
	if err != nil {
		return err
	}
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$', '=':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		for got := 0; got < len(buf); {
			m, err := r.Read(buf[got:])
			if err != nil {
				return err
			}
			got += m
		}
		*out = append(*out, buf...)
	case '*', '%', '~', '>':
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readRawReply(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// replyCase is one command and its exact expected reply.
type replyCase struct {
	cmd  string // split on spaces; "" stands for an empty argument
	want string
}

func runCases(t *testing.T, c *rawConn, cases []replyCase) {
	t.Helper()
	for _, tc := range cases {
		args := strings.Fields(tc.cmd)
		for i, a := range args {
			if a == `""` {
				args[i] = ""
			}
		}
		if got := c.do(args...); got != tc.want {
			t.Errorf("%s\n got: %q\nwant: %q", tc.cmd, got, tc.want)
		}
	}
}

// directCaller returns a function that prepares a command for calling its
// handler directly, without a server or a connection: the allocation tests
// measure the handlers alone with it. The commands share one keyspace and
// one reply buffer.
func directCaller() func(args ...string) func() {
	ks := keyspace.New(1)
	env := &handler.Env{Keyspace: ks, Config: config.New()}
	db := ks.DB(0, time.Now().UnixMilli())
	w := resp.NewWriter()
	return func(args ...string) func() {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		spec := command.LookupString(args[0])
		fn := handler.Lookup(spec.Name)
		ctx := &handler.Ctx{Args: argv, Spec: spec, DB: db, Out: w, Env: env}
		return func() {
			w.Reset()
			fn(ctx)
		}
	}
}
