package handler

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
)

func init() {
	register(map[string]Func{"migrate": migrateCmd})
}

// migrateOptions are MIGRATE's options after the timeout.
type migrateOptions struct {
	copy, replace      bool
	username, password []byte // password nil: no AUTH
	firstKey, numKeys  int
}

// MIGRATE host port <key | ""> destination-db timeout [COPY] [REPLACE]
// [AUTH password | AUTH2 username password] [KEYS key [key ...]]
//
// Ember keeps no connection cache: every MIGRATE dials the target, sends
// AUTH and SELECT as needed and one RESTORE per key, and deletes the keys
// the target acknowledged (unless COPY).
func migrateCmd(c *Ctx) {
	o := migrateOptions{firstKey: 3, numKeys: 1}
	for j := 6; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		switch strings.ToLower(string(c.Args[j])) {
		case "copy":
			o.copy = true
		case "replace":
			o.replace = true
		case "auth":
			if more < 1 {
				c.Error(errs.Syntax)
				return
			}
			j++
			o.username, o.password = nil, c.Args[j]
		case "auth2":
			if more < 2 {
				c.Error(errs.Syntax)
				return
			}
			o.username, o.password = c.Args[j+1], c.Args[j+2]
			j += 2
		case "keys":
			if len(c.Args[3]) != 0 {
				c.Error(errs.MigrateKeysNeedEmpty)
				return
			}
			o.firstKey, o.numKeys = j+1, len(c.Args)-j-1
			j = len(c.Args)
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	timeout, ok := c.Int(5)
	if !ok {
		return
	}
	dbid, ok := c.Int(4)
	if !ok {
		return
	}
	if timeout <= 0 {
		timeout = 1000
	}
	// The keys that are here, with their payloads and TTLs.
	type item struct {
		key     []byte
		payload []byte
		ttl     int64
	}
	var items []item
	for _, key := range c.Args[o.firstKey : o.firstKey+o.numKeys] {
		e := c.DB.Read(key)
		if e == nil {
			continue
		}
		p, err := value.DumpPayloadWith(e.Value, c.Env.Config.Bool("rdbcompression"))
		if err != nil {
			c.Error(errs.DumpUnsupported)
			return
		}
		var ttl int64
		if at := c.DB.ExpireAt(key, e); at != 0 {
			ttl = max(at-c.DB.Now, 1)
		}
		items = append(items, item{key, p, ttl})
	}
	if len(items) == 0 {
		c.Out.Simple("NOKEY")
		return
	}
	d := time.Duration(timeout) * time.Millisecond
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(string(c.Args[1]), string(c.Args[2])), d)
	if err != nil {
		// Redis's blocking connect reports only a timeout; a refused
		// connection fails at the first write.
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			c.Error(errs.MigrateConnect)
		} else {
			c.Error(errs.MigrateWrite)
		}
		return
	}
	defer conn.Close()
	var req []byte
	if o.password != nil {
		if o.username != nil {
			req = migrateAppendCommand(req, []byte("AUTH"), o.username, o.password)
		} else {
			req = migrateAppendCommand(req, []byte("AUTH"), o.password)
		}
	}
	req = migrateAppendCommand(req, []byte("SELECT"), strconv.AppendInt(nil, dbid, 10))
	for _, it := range items {
		args := [][]byte{[]byte("RESTORE"), it.key, strconv.AppendInt(nil, it.ttl, 10), it.payload}
		if o.replace {
			args = append(args, []byte("REPLACE"))
		}
		req = migrateAppendCommand(req, args...)
	}
	conn.SetDeadline(time.Now().Add(d))
	if _, err := conn.Write(req); err != nil {
		c.Error(errs.MigrateWrite)
		return
	}
	r := bufio.NewReader(conn)
	var authReply, selectReply []byte
	if o.password != nil {
		if authReply, err = migrateReadLine(r, conn, d); err != nil {
			c.Error(errs.MigrateRead)
			return
		}
	}
	if selectReply, err = migrateReadLine(r, conn, d); err != nil {
		c.Error(errs.MigrateRead)
		return
	}
	targetErr := false
	for _, it := range items {
		line, err := migrateReadLine(r, conn, d)
		if err != nil {
			if !targetErr {
				c.Error(errs.MigrateRead)
			}
			return
		}
		var bad []byte
		switch {
		case len(authReply) > 0 && authReply[0] == '-':
			bad = authReply
		case len(selectReply) > 0 && selectReply[0] == '-':
			bad = selectReply
		case len(line) > 0 && line[0] == '-':
			bad = line
		}
		if bad != nil {
			if !targetErr {
				targetErr = true
				c.Error(errs.MigrateTargetPrefix + string(bad[1:]))
			}
			continue
		}
		if !o.copy {
			c.DB.Delete(it.key)
			c.Notify(notify.Generic, "del", it.key)
		}
	}
	if !targetErr {
		c.OK()
	}
}

// migrateAppendCommand appends args as a RESP request.
func migrateAppendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// migrateReadLine reads one reply line (the target answers AUTH, SELECT
// and RESTORE with a status or an error), without its CRLF.
func migrateReadLine(r *bufio.Reader, conn net.Conn, d time.Duration) ([]byte, error) {
	conn.SetReadDeadline(time.Now().Add(d))
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}
