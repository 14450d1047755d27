package compat

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clientVolatile are the CLIENT LIST fields whose values depend on the
// connection or on the server's internals; normalizeClientLines blanks them.
var clientVolatile = map[string]bool{
	"id": true, "addr": true, "laddr": true, "fd": true, "age": true, "idle": true,
	"qbuf": true, "qbuf-free": true, "argv-mem": true, "multi-mem": true,
	"rbs": true, "rbp": true, "obl": true, "oll": true, "omem": true,
	"tot-mem": true, "events": true,
}

// normalizeClientLines rewrites the CLIENT LIST/INFO lines of a bulk or
// verbatim reply with the volatile field values replaced by "*", keeping
// the field names, their order and every other value.
func normalizeClientLines(_ []string, reply []byte) []byte {
	t, err := parseReplyTree(reply)
	if err != nil || (t.kind != '$' && t.kind != '=') || t.body == nil {
		return reply
	}
	prefix := ""
	body := string(t.body)
	if t.kind == '=' {
		prefix, body = body[:4], body[4:]
	}
	lines := strings.Split(body, "\n")
	for i, line := range lines {
		if line == "" {
			continue
		}
		fields := strings.Split(line, " ")
		for j, f := range fields {
			k, _, ok := strings.Cut(f, "=")
			if ok && clientVolatile[k] {
				fields[j] = k + "=*"
			}
		}
		lines[i] = strings.Join(fields, " ")
	}
	t.body = []byte(prefix + strings.Join(lines, "\n"))
	return t.encode()
}

var intReply = regexp.MustCompile(`^:\d+\r\n$`)

// normalizeClient blanks what legitimately differs between the servers in
// CLIENT replies: IDs, and the volatile CLIENT LIST fields.
func normalizeClient(args []string, reply []byte) []byte {
	if len(args) >= 2 && strings.EqualFold(args[0], "client") && strings.EqualFold(args[1], "id") && intReply.Match(reply) {
		return []byte(":0\r\n")
	}
	return normalizeClientLines(args, reply)
}

// TestClient compares the CLIENT subcommands whose replies are
// deterministic, in RESP2 and RESP3.
func TestClient(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			p.Normalize = normalizeClient
			// CLIENT SETINFO and CLIENT NO-TOUCH are Redis 7.2 additions the
			// issue requires; the 7.0 reference lacks them, so they are
			// tested against Ember alone (internal/handler/client_*_test.go).
			script := Script(`
				CLIENT
				CLIENT nosuch
				client NoSuch a b
				CLIENT ID
				CLIENT ID x
				CLIENT GETNAME
				CLIENT GETNAME x
				CLIENT SETNAME myconn
				CLIENT GETNAME
				CLIENT INFO
				CLIENT SETNAME ""
				CLIENT GETNAME
				CLIENT SETNAME "a b"
				CLIENT SETNAME "a\nb"
				CLIENT SETNAME "\x7f"
				CLIENT SETNAME "\x80abc"
				CLIENT SETNAME "\x00"
				CLIENT SETNAME "!~{}[]"
				CLIENT GETNAME
				CLIENT SETNAME
				CLIENT SETNAME a b
				CLIENT INFO
				CLIENT INFO x
				CLIENT NO-EVICT on
				CLIENT INFO
				CLIENT NO-EVICT OFF
				CLIENT NO-EVICT maybe
				CLIENT NO-EVICT
				CLIENT NO-EVICT on off
				CLIENT INFO
				CLIENT REPLY maybe
				CLIENT REPLY ON
				CLIENT REPLY
				CLIENT REPLY on off
				CLIENT PAUSE
				CLIENT PAUSE x
				CLIENT PAUSE -1
				CLIENT PAUSE 1.5
				CLIENT PAUSE 10 bad
				CLIENT PAUSE x bad
				CLIENT PAUSE 10 WRITE extra
				CLIENT PAUSE 0
				CLIENT PAUSE 0 write
				CLIENT PAUSE 0 ALL
				CLIENT UNPAUSE
				CLIENT UNPAUSE x
				CLIENT UNBLOCK
				CLIENT UNBLOCK x
				CLIENT UNBLOCK 1 x
				CLIENT UNBLOCK x y
				CLIENT UNBLOCK 99999999 TIMEOUT
				CLIENT UNBLOCK 99999999 error
				CLIENT UNBLOCK 99999999
				CLIENT UNBLOCK 1 timeout extra
				CLIENT KILL
				CLIENT KILL 203.0.113.1:1
				CLIENT KILL id
				CLIENT KILL ID x
				CLIENT KILL ID 0
				CLIENT KILL ID -5
				CLIENT KILL ID 99999999
				CLIENT KILL ID 99999999 SKIPME maybe
				CLIENT KILL ID 99999999 SKIPME no
				CLIENT KILL ID 1 x
				CLIENT KILL a b
				CLIENT KILL TYPE bogus
				CLIENT KILL TYPE master
				CLIENT KILL TYPE replica
				CLIENT KILL TYPE slave
				CLIENT KILL TYPE pubsub
				CLIENT KILL USER bob
				CLIENT KILL USER default ADDR 203.0.113.1:1
				CLIENT KILL ADDR 203.0.113.1:1
				CLIENT KILL LADDR 203.0.113.1:1
				CLIENT KILL ADDR 203.0.113.1:1 SKIPME no
				CLIENT KILL ID 99999999 TYPE bogus
				CLIENT KILL TYPE bogus ID 0
				CLIENT LIST x
				CLIENT LIST TYPE
				CLIENT LIST TYPE bogus
				CLIENT LIST TYPE master
				CLIENT LIST TYPE REPLICA
				CLIENT LIST TYPE slave
				CLIENT LIST TYPE pubsub
				CLIENT LIST TYPE normal extra
				CLIENT LIST ID
				CLIENT LIST ID x
				CLIENT LIST ID 99999999 x
				CLIENT LIST ID 99999999
				CLIENT LIST ID 99999999 99999998
				CLIENT LIST id -1
				CLIENT TRACKING
				CLIENT TRACKING maybe
				CLIENT TRACKING off
				CLIENT TRACKING OFF bogus
				CLIENT TRACKING off noloop optin
				CLIENT TRACKING on redirect 99999999
				CLIENT TRACKING on redirect x
				CLIENT TRACKING on redirect
				CLIENT TRACKING on prefix a
				CLIENT TRACKING on prefix
				CLIENT TRACKING on bcast optin
				CLIENT TRACKING on bcast optout
				CLIENT TRACKING on optin optout
				CLIENT TRACKING on bcast prefix a prefix ab
				CLIENT TRACKING on bcast prefix abc prefix ab
				CLIENT TRACKING off redirect 99999999
				CLIENT TRACKINGINFO
				CLIENT TRACKINGINFO x
				CLIENT GETREDIR
				CLIENT GETREDIR x
				CLIENT CACHING yes
				CLIENT CACHING no
				CLIENT CACHING maybe
				CLIENT CACHING
				CLIENT INFO
			`)
			p.CheckAll(script)
			t.Logf("%d CLIENT commands compared", len(script))
		})
	}
}

// TestClientListOwn compares this connection's CLIENT LIST ID line and
// CLIENT LIST TYPE normal field names.
func TestClientListOwn(t *testing.T) {
	p := pair(t)
	var lines [2][]byte
	for i, c := range []*Conn{p.Redis, p.Ember} {
		id, err := c.Do("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		n := strings.TrimSuffix(strings.TrimPrefix(string(id), ":"), "\r\n")
		c.Do("CLIENT", "SETNAME", "own")
		r, err := c.Do("CLIENT", "LIST", "ID", n, "99999999", n)
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = normalizeClientLines(nil, r)
	}
	if !bytes.Equal(lines[0], lines[1]) {
		t.Errorf("CLIENT LIST ID own:\n redis: %q\n ember: %q", lines[0], lines[1])
	}
	// Every line of CLIENT LIST has Redis's fields, in Redis's order.
	var fields [2]string
	for i, c := range []*Conn{p.Redis, p.Ember} {
		r, err := c.Do("CLIENT", "LIST", "TYPE", "normal")
		if err != nil {
			t.Fatal(err)
		}
		tree, err := parseReplyTree(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(tree.body), "\n"), "\n") {
			var names []string
			for _, f := range strings.Split(line, " ") {
				k, _, _ := strings.Cut(f, "=")
				names = append(names, k)
			}
			got := strings.Join(names, " ")
			if fields[i] != "" && fields[i] != got {
				t.Errorf("CLIENT LIST lines with different fields: %q, %q", fields[i], got)
			}
			fields[i] = got
		}
	}
	if fields[0] != fields[1] {
		t.Errorf("CLIENT LIST fields:\n redis: %s\n ember: %s", fields[0], fields[1])
	}
}

// TestClientReply compares CLIENT REPLY OFF/ON/SKIP over pipelined
// commands whose replies are suppressed.
func TestClientReply(t *testing.T) {
	p := pair(t)
	for _, c := range []*Conn{p.Redis, p.Ember} {
		sendRaw(t, c,
			Encode("CLIENT", "REPLY", "OFF"), Encode("PING"), Encode("CLIENT", "REPLY", "bad"),
			Encode("nosuch"), Encode("CLIENT", "REPLY", "SKIP"), Encode("ECHO", "1"),
			Encode("CLIENT", "REPLY", "ON"), Encode("ECHO", "2"),
			Encode("CLIENT", "REPLY", "SKIP"), Encode("ECHO", "3"), Encode("ECHO", "4"),
			Encode("CLIENT", "REPLY", "SKIP"), Encode("nosuch"), Encode("ECHO", "5"),
			Encode("CLIENT", "REPLY", "SKIP"), Encode("CLIENT", "REPLY", "SKIP"), Encode("ECHO", "6"), Encode("ECHO", "7"),
			Encode("CLIENT", "REPLY", "SKIP"), Encode("GET"), Encode("ECHO", "9"),
		)
	}
	const n = 6
	want, got := readN(t, p.Redis, n), readN(t, p.Ember, n)
	if want != got {
		t.Errorf("CLIENT REPLY:\n redis: %q\n ember: %q", want, got)
	}
	expectNoMore(t, p.Redis, "redis")
	expectNoMore(t, p.Ember, "ember")
}

// TestClientReplySkipThenOn: CLIENT REPLY ON right after CLIENT REPLY SKIP
// ends the skip before it replies, so its +OK is sent.
func TestClientReplySkipThenOn(t *testing.T) {
	p := pair(t)
	var out [2]string
	for i, c := range []*Conn{p.Redis, p.Ember} {
		sendRaw(t, c, Encode("CLIENT", "REPLY", "SKIP"), Encode("CLIENT", "REPLY", "ON"), Encode("ECHO", "8"), Encode("ECHO", "end"))
		for range 4 {
			r, err := c.Read()
			if err != nil {
				t.Fatal(err)
			}
			out[i] += string(r)
			if string(r) == "$3\r\nend\r\n" {
				break
			}
		}
	}
	if out[0] != out[1] {
		t.Errorf("CLIENT REPLY SKIP, CLIENT REPLY ON:\n redis: %q\n ember: %q", out[0], out[1])
	}
}

// TestClientKill compares CLIENT KILL of other connections (new and old
// forms) and of the caller itself.
func TestClientKill(t *testing.T) {
	p := pair(t)
	type victim struct {
		c        *Conn
		id, addr string
	}
	open := func(addr string) victim {
		c, err := Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		id, _ := c.Do("CLIENT", "ID")
		info, _ := c.Do("CLIENT", "INFO")
		tree, err := parseReplyTree(info)
		if err != nil {
			t.Fatal(err)
		}
		v := victim{c: c, id: strings.TrimSuffix(string(id[1:]), "\r\n")}
		for _, f := range strings.Fields(string(tree.body)) {
			if a, ok := strings.CutPrefix(f, "addr="); ok {
				v.addr = a
			}
		}
		return v
	}
	closed := func(v victim) bool {
		_, err := v.c.ReadTimeout(5 * time.Second)
		return err != nil
	}
	for _, srv := range []struct {
		name string
		conn *Conn
		addr string
	}{{"redis", p.Redis, redisSrv.Addr}, {"ember", p.Ember, emberSrv.Addr()}} {
		// New form by ID, with filters that match and that do not.
		v := open(srv.addr)
		if r, _ := srv.conn.Do("CLIENT", "KILL", "ID", v.id, "TYPE", "pubsub"); string(r) != ":0\r\n" {
			t.Errorf("%s: KILL ID TYPE pubsub: %q", srv.name, r)
		}
		if r, _ := srv.conn.Do("CLIENT", "KILL", "ID", v.id, "USER", "default", "TYPE", "normal", "ADDR", v.addr, "SKIPME", "yes"); string(r) != ":1\r\n" {
			t.Errorf("%s: KILL ID: %q", srv.name, r)
		}
		if !closed(v) {
			t.Errorf("%s: killed client still connected", srv.name)
		}
		if r, _ := srv.conn.Do("CLIENT", "LIST", "ID", v.id); !bytes.HasSuffix(r, []byte("\r\n\r\n")) || len(r) > 16 {
			t.Errorf("%s: killed client still listed: %q", srv.name, r)
		}
		// Old form by address.
		v = open(srv.addr)
		if r, _ := srv.conn.Do("CLIENT", "KILL", v.addr); string(r) != "+OK\r\n" {
			t.Errorf("%s: KILL addr: %q", srv.name, r)
		}
		if !closed(v) {
			t.Errorf("%s: killed client still connected", srv.name)
		}
		if r, _ := srv.conn.Do("CLIENT", "KILL", v.addr); string(r) != "-ERR No such client\r\n" {
			t.Errorf("%s: KILL gone addr: %q", srv.name, r)
		}
		// The caller, with SKIPME no: the reply comes, then the connection closes.
		v = open(srv.addr)
		if r, _ := v.c.Do("CLIENT", "KILL", "ID", v.id, "SKIPME", "no"); string(r) != ":1\r\n" {
			t.Errorf("%s: KILL self: %q", srv.name, r)
		}
		if !closed(v) {
			t.Errorf("%s: self-killed client still connected", srv.name)
		}
		// The caller, old form.
		v = open(srv.addr)
		if r, _ := v.c.Do("CLIENT", "KILL", v.addr); string(r) != "+OK\r\n" {
			t.Errorf("%s: KILL own addr: %q", srv.name, r)
		}
		if !closed(v) {
			t.Errorf("%s: self-killed client still connected", srv.name)
		}
		// SKIPME yes (the default) spares the caller.
		v = open(srv.addr)
		if r, _ := v.c.Do("CLIENT", "KILL", "ID", v.id); string(r) != ":0\r\n" {
			t.Errorf("%s: KILL self with SKIPME yes: %q", srv.name, r)
		}
		if r, _ := v.c.Do("PING"); string(r) != "+PONG\r\n" {
			t.Errorf("%s: spared client: %q", srv.name, r)
		}
	}
}

// TestClientPause checks CLIENT PAUSE WRITE on both servers: reads go on,
// writes wait until CLIENT UNPAUSE.
func TestClientPause(t *testing.T) {
	p := pair(t)
	for _, srv := range []struct {
		name string
		conn *Conn
		addr string
	}{{"redis", p.Redis, redisSrv.Addr}, {"ember", p.Ember, emberSrv.Addr()}} {
		other, err := Dial(srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := srv.conn.Do("CLIENT", "PAUSE", "20000", "WRITE"); string(r) != "+OK\r\n" {
			t.Fatalf("%s: PAUSE: %q", srv.name, r)
		}
		if r, _ := other.Do("GET", "pausekey"); string(r) != "$-1\r\n" {
			t.Errorf("%s: GET during WRITE pause: %q", srv.name, r)
		}
		other.Send(Encode("SET", "pausekey", "v"))
		if r, err := other.ReadTimeout(200 * time.Millisecond); err == nil {
			t.Errorf("%s: SET answered during a WRITE pause: %q", srv.name, r)
		}
		if r, _ := srv.conn.Do("CLIENT", "UNPAUSE"); string(r) != "+OK\r\n" {
			t.Fatalf("%s: UNPAUSE: %q", srv.name, r)
		}
		if r, err := other.Read(); string(r) != "+OK\r\n" {
			t.Errorf("%s: SET after UNPAUSE: %q %v", srv.name, r, err)
		}
		other.Close()
		if r, _ := srv.conn.Do("GET", "pausekey"); string(r) != "$1\r\nv\r\n" {
			t.Errorf("%s: after UNPAUSE: %q", srv.name, r)
		}
	}
}

// TestClientPauseShowsBlocked: a client whose write waits out CLIENT PAUSE
// WRITE counts in INFO blocked_clients and shows flag b with its command,
// as in Redis; reads are not held.
func TestClientPauseShowsBlocked(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("CLIENT", "UNPAUSE") })
	w := listDialSide(t)
	p.Check("CLIENT", "PAUSE", "100000", "WRITE")
	w.send("GET", "pz:k")
	w.check("GET while paused")
	w.send("SET", "pz:k", "v")
	listWaitBlocked(t, p, 1)
	for name, c := range map[string]*Conn{"redis": p.Redis, "ember": p.Ember} {
		if n := clientBlockedCount(t, c); n != 1 {
			t.Errorf("%s: blocked_clients %d, want 1", name, n)
		}
		r, _ := c.Do("CLIENT", "LIST")
		if !strings.Contains(string(r), "flags=b ") || !strings.Contains(string(r), "cmd=set ") {
			t.Errorf("%s: CLIENT LIST %q", name, r)
		}
	}
	p.Check("CLIENT", "UNPAUSE")
	w.check("SET after UNPAUSE")
	p.Check("GET", "pz:k")
	for name, c := range map[string]*Conn{"redis": p.Redis, "ember": p.Ember} {
		if n := clientBlockedCount(t, c); n != 0 {
			t.Errorf("%s: blocked_clients %d after UNPAUSE", name, n)
		}
	}
}

// clientBlockedCount reads INFO clients' blocked_clients.
func clientBlockedCount(t *testing.T, c *Conn) int64 {
	t.Helper()
	reply, err := c.Do("INFO", "clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(reply), "\r\n") {
		if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatalf("no blocked_clients in %q", reply)
	return 0
}
