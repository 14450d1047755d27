package main

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// respConn is a minimal RESP2 client used for probes, FLUSHALL and
// preparing data; the measured load always comes from redis-benchmark.
type respConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialRESP(addr string, timeout time.Duration) (*respConn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &respConn{c: c, r: bufio.NewReader(c)}, nil
}

func (rc *respConn) Close() error { return rc.c.Close() }

// do sends one command and returns the first line of its reply ("+OK",
// "-ERR ...", ":1", "$5", "*3"); the rest of the reply is read and dropped.
func (rc *respConn) do(timeout time.Duration, args ...string) (string, error) {
	_ = rc.c.SetDeadline(time.Now().Add(timeout))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := rc.c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	return rc.readReply(0)
}

func (rc *respConn) readLine() (string, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readReply reads one whole reply and returns its first line.
func (rc *respConn) readReply(depth int) (string, error) {
	if depth > 64 {
		return "", fmt.Errorf("reply nested too deeply")
	}
	line, err := rc.readLine()
	if err != nil {
		return "", err
	}
	if line == "" {
		return "", fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '$', '=', '!':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", fmt.Errorf("bad bulk length %q", line)
		}
		if n >= 0 {
			if _, err := rc.r.Discard(n + 2); err != nil {
				return "", err
			}
		}
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", fmt.Errorf("bad aggregate length %q", line)
		}
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if _, err := rc.readReply(depth + 1); err != nil {
				return "", err
			}
		}
	}
	return line, nil
}
