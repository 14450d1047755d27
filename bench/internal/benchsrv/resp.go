package benchsrv

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Conn is a minimal RESP2 client used for probes, FLUSHALL and preparing
// data; measured loads use their own clients.
type Conn struct {
	C net.Conn
	R *bufio.Reader
}

// Dial connects to addr.
func Dial(addr string, timeout time.Duration) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &Conn{C: c, R: bufio.NewReader(c)}, nil
}

// Close closes the connection.
func (rc *Conn) Close() error { return rc.C.Close() }

// AppendCommand appends args as a RESP multibulk command to b.
func AppendCommand(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// Do sends one command and returns the first line of its reply ("+OK",
// "-ERR ...", ":1", "$5", "*3"); the rest of the reply is read and dropped.
func (rc *Conn) Do(timeout time.Duration, args ...string) (string, error) {
	_ = rc.C.SetDeadline(time.Now().Add(timeout))
	if _, err := rc.C.Write(AppendCommand(nil, args...)); err != nil {
		return "", err
	}
	return rc.ReadReply()
}

// DoBulk sends one command and returns a bulk reply's payload (INFO).
func (rc *Conn) DoBulk(timeout time.Duration, args ...string) (string, error) {
	_ = rc.C.SetDeadline(time.Now().Add(timeout))
	if _, err := rc.C.Write(AppendCommand(nil, args...)); err != nil {
		return "", err
	}
	line, err := rc.readLine()
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(line, "$") {
		return "", fmt.Errorf("reply %q is not a bulk string", line)
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 0 {
		return "", fmt.Errorf("bad bulk length %q", line)
	}
	b := make([]byte, n+2)
	if _, err := ioReadFull(rc.R, b); err != nil {
		return "", err
	}
	return string(b[:n]), nil
}

func (rc *Conn) readLine() (string, error) {
	line, err := rc.R.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// ReadReply reads one whole reply and returns its first line.
func (rc *Conn) ReadReply() (string, error) { return rc.readReply(0) }

func (rc *Conn) readReply(depth int) (string, error) {
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
			if _, err := rc.R.Discard(n + 2); err != nil {
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

func ioReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
