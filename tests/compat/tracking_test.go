package compat

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
)

// trackSession is several named connections to each server, for CLIENT
// TRACKING: one connection tracks keys, another changes them, and the
// invalidation pushes each connection received are compared byte for byte.
type trackSession struct {
	t      *testing.T
	redis  map[string]*Conn
	ember  map[string]*Conn
	ids    map[string][2]int64 // name → client ID on redis, on ember
	order  []string
	checks int
	multi  map[string]bool // connections inside MULTI: no draining meanwhile
}

func newTrackSession(t *testing.T, names ...string) *trackSession {
	t.Helper()
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	s := &trackSession{t: t, redis: map[string]*Conn{}, ember: map[string]*Conn{}, ids: map[string][2]int64{}}
	p := NewPair(t, redisSrv.Addr, emberSrv.Addr()) // flushes both
	_ = p
	for _, n := range names {
		s.open(n)
	}
	return s
}

// open connects name to both servers and records its client IDs.
func (s *trackSession) open(name string) {
	s.t.Helper()
	rc, err := Dial(redisSrv.Addr)
	if err != nil {
		s.t.Fatal(err)
	}
	ec, err := Dial(emberSrv.Addr())
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { rc.Close(); ec.Close() })
	s.redis[name], s.ember[name] = rc, ec
	var ids [2]int64
	for i, c := range []*Conn{rc, ec} {
		r, err := c.Do("CLIENT", "ID")
		if err != nil {
			s.t.Fatal(err)
		}
		ids[i], _ = strconv.ParseInt(strings.TrimSpace(string(r[1:])), 10, 64)
	}
	s.ids[name] = ids
	s.order = append(s.order, name)
}

// close disconnects name from both servers and waits until both have
// forgotten it.
func (s *trackSession) close(name string) {
	s.t.Helper()
	s.redis[name].Close()
	s.ember[name].Close()
	delete(s.redis, name)
	delete(s.ember, name)
	for i, n := range s.order {
		if n == name {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	ids := s.ids[name]
	for i, conns := range []map[string]*Conn{s.redis, s.ember} {
		var probe *Conn
		for _, c := range conns {
			probe = c
			break
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			r, err := probe.Do("CLIENT", "LIST", "ID", strconv.FormatInt(ids[i], 10))
			if err != nil {
				s.t.Fatal(err)
			}
			if !bytes.Contains(r, []byte("id=")) {
				break
			}
			if time.Now().After(deadline) {
				s.t.Fatalf("client %s still listed", name)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// subst replaces $name (a connection's client ID) in args for server i.
func (s *trackSession) subst(args []string, i int) []string {
	out := make([]string, len(args))
	for j, a := range args {
		if strings.HasPrefix(a, "$") {
			if ids, ok := s.ids[a[1:]]; ok {
				a = strconv.FormatInt(ids[i], 10)
			}
		}
		out[j] = a
	}
	return out
}

// normalize replaces the connections' client IDs in an integer reply
// element by their names, and the fields of CLIENT LIST/INFO lines that
// differ between servers by the ones that must match (flags, redir).
func (s *trackSession) normalize(reply []byte, i int, getredir bool) []byte {
	if !getredir && !bytes.Contains(reply, []byte("redir")) {
		return reply
	}
	for name, ids := range s.ids {
		reply = bytes.ReplaceAll(reply, []byte(":"+strconv.FormatInt(ids[i], 10)+"\r\n"), []byte(":<"+name+">\r\n"))
		reply = bytes.ReplaceAll(reply, []byte("redir="+strconv.FormatInt(ids[i], 10)+" "), []byte("redir=<"+name+"> "))
	}
	if m := clientLineFields.FindAll(reply, -1); m != nil {
		return bytes.Join(m, []byte(" "))
	}
	return reply
}

var clientLineFields = regexp.MustCompile(`(flags|redir)=\S*`)

// do sends one command as name to both servers and compares the replies,
// then every connection's pending pushes.
func (s *trackSession) do(name string, args ...string) {
	s.t.Helper()
	var got [2][]byte
	for i, c := range []*Conn{s.redis[name], s.ember[name]} {
		r, err := c.Do(s.subst(args, i)...)
		if err != nil {
			s.t.Fatalf("%s %s on %d: %v", name, Show(args), i, err)
		}
		got[i] = s.normalize(r, i, len(args) == 2 && strings.EqualFold(args[1], "getredir"))
	}
	s.checks++
	if !bytes.Equal(got[0], got[1]) {
		s.t.Errorf("%s: %s\n redis: %q\n ember: %q", name, Show(args), got[0], got[1])
	}
	switch strings.ToUpper(args[0]) {
	case "MULTI":
		if s.multi == nil {
			s.multi = map[string]bool{}
		}
		s.multi[name] = true
	case "EXEC", "DISCARD":
		delete(s.multi, name)
	}
	if len(s.multi) > 0 {
		return // a PING would be queued
	}
	s.drainAll(name + " " + Show(args))
}

// drainAll compares what each connection received besides its replies:
// a PING's reply comes after every push queued before it.
func (s *trackSession) drainAll(after string) {
	s.t.Helper()
	s.drain(after, s.order...)
}

// drain is drainAll for the connections names.
func (s *trackSession) drain(after string, names ...string) {
	s.t.Helper()
	for _, n := range names {
		var got [2][]byte
		for i, c := range []*Conn{s.redis[n], s.ember[n]} {
			if err := c.Send(Encode("PING")); err != nil {
				s.t.Fatal(err)
			}
			for k := 0; ; k++ {
				r, err := c.Read()
				if err != nil {
					s.t.Fatalf("drain %s on %d: %v", n, i, err)
				}
				// PING's reply, or in a RESP2 subscriber context.
				if string(r) == "+PONG\r\n" || string(r) == "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
					break
				}
				if k > 1000 {
					s.t.Fatalf("drain %s: no PONG", n)
				}
				got[i] = append(got[i], s.normalize(r, i, false)...)
			}
		}
		s.checks++
		if !bytes.Equal(got[0], got[1]) {
			s.t.Errorf("pushes to %s after %s\n redis: %q\n ember: %q", n, after, got[0], got[1])
		}
	}
}

// both sends a command to both servers without comparing replies (HELLO).
func (s *trackSession) both(name string, args ...string) {
	s.t.Helper()
	for i, c := range []*Conn{s.redis[name], s.ember[name]} {
		if _, err := c.Do(s.subst(args, i)...); err != nil {
			s.t.Fatal(err)
		}
	}
}

// run runs a transcript whose lines start with the connection's name;
// "hello3 a" switches a to RESP3 without comparing HELLO's reply.
func (s *trackSession) run(script string) {
	s.t.Helper()
	for _, line := range Script(script) {
		switch line[0] {
		case "hello3", "hello2":
			s.both(line[1], "HELLO", line[0][5:])
		case "close":
			s.close(line[1])
		case "open":
			s.open(line[1])
		default:
			s.do(line[0], line[1:]...)
		}
	}
}

func TestTrackingDefaultMode(t *testing.T) {
	s := newTrackSession(t, "a", "b")
	s.run(`
		hello3 a
		a CLIENT TRACKINGINFO
		a CLIENT GETREDIR
		a CLIENT TRACKING ON
		a CLIENT TRACKINGINFO
		a CLIENT GETREDIR
		a CLIENT INFO
		a GET k
		a MGET k2 k3
		a HGET h f
		a STRLEN s
		b SET k 1
		b MSET k2 1 k3 2
		b SET k 2
		b HSET h f v
		b APPEND s x
		a GET k
		a SET k 3
		a GET k
		b DEL k
		a SELECT 1
		a GET other
		b SET other x
		a SELECT 0
		# A write by the tracking client itself: reply, then the push.
		a GET n
		a INCR n
		a INCR n
		# Reads with errors are remembered too.
		b LPUSH l x
		a GET l
		b RPUSH l y
		# FLUSHALL and FLUSHDB: a null invalidation, and the table is emptied.
		a GET f1
		a GET f2
		b FLUSHDB
		b SET f1 x
		a GET f1
		b FLUSHALL
		b SET f1 y
		a FLUSHALL
		# SWAPDB invalidates nothing.
		a GET sw
		b SWAPDB 0 1
		b SWAPDB 0 1
		b SET sw 1
		# OFF forgets the client; its old reads send nothing.
		a GET off
		a CLIENT TRACKING OFF
		b SET off 1
		a CLIENT TRACKINGINFO
		a CLIENT INFO
	`)
	t.Logf("%d comparisons", s.checks)
}

func TestTrackingNoLoopOptInOptOut(t *testing.T) {
	s := newTrackSession(t, "a", "b")
	s.run(`
		hello3 a
		a CLIENT TRACKING ON NOLOOP
		a CLIENT TRACKINGINFO
		a GET k
		a SET k 1
		b SET k 2
		a GET k
		b SET k 3
		a CLIENT TRACKING OFF
		# OPTIN: only the read right after CLIENT CACHING yes is tracked;
		# CLIENT commands keep the flag, any other command ends it.
		a CLIENT TRACKING ON OPTIN
		a CLIENT CACHING yes
		a CLIENT TRACKINGINFO
		a CLIENT GETNAME
		a GET i1
		a GET i2
		b MSET i1 1 i2 2
		a CLIENT CACHING yes
		a PING
		a GET i3
		b SET i3 1
		a CLIENT CACHING yes
		a NOSUCHCOMMAND
		a GET i4
		b SET i4 1
		a CLIENT CACHING yes
		a CLIENT NOSUCHSUB
		a GET i5
		b SET i5 1
		a CLIENT CACHING yes
		a CLIENT CACHING
		a GET i6
		b SET i6 1
		a CLIENT CACHING no
		a CLIENT CACHING maybe
		a CLIENT TRACKING ON OPTOUT
		a CLIENT TRACKING ON OPTIN NOLOOP
		a CLIENT TRACKINGINFO
		a CLIENT TRACKING OFF
		# OPTOUT: every read but the one right after CLIENT CACHING no.
		a CLIENT TRACKING ON OPTOUT
		a CLIENT CACHING yes
		a CLIENT CACHING no
		a CLIENT TRACKINGINFO
		a GET o1
		a GET o2
		b MSET o1 1 o2 2
		a CLIENT TRACKING ON OPTIN
		a CLIENT TRACKING ON BCAST
		a RESET
		a CLIENT TRACKINGINFO
		a CLIENT CACHING yes
		b SET o2 3
	`)
	t.Logf("%d comparisons", s.checks)
}

func TestTrackingBroadcast(t *testing.T) {
	s := newTrackSession(t, "a", "b", "c")
	s.run(`
		hello3 a
		hello3 c
		a CLIENT TRACKING ON BCAST PREFIX user: PREFIX obj:
		a CLIENT TRACKINGINFO
		a CLIENT INFO
		c CLIENT TRACKING ON BCAST
		b SET user:1 x
		b MSET obj:9 1 user:3 2 other 3 user:2 4 user:3 5
		b SET unrelated 1
		a SET user:7 1
		a CLIENT TRACKING ON BCAST PREFIX acct: NOLOOP
		a CLIENT TRACKINGINFO
		a SET acct:1 1
		b SET acct:1 2
		c SET user:5 1
		a CLIENT TRACKING ON BCAST PREFIX user:x
		a CLIENT TRACKING ON BCAST PREFIX us
		a CLIENT TRACKING ON BCAST PREFIX q PREFIX q
		a CLIENT TRACKING ON BCAST PREFIX r PREFIX s PREFIX rs
		# Redis reports an overlap found after the first prefix and yet
		# registers the prefixes and replies +OK.
		a CLIENT TRACKING ON BCAST PREFIX y PREFIX x PREFIX xy
		a CLIENT TRACKINGINFO
		b SET xyz 1
		b FLUSHALL
		a CLIENT TRACKING ON
		a CLIENT TRACKING ON OPTIN
		a CLIENT TRACKING OFF
		a CLIENT TRACKING ON BCAST PREFIX n
		a CLIENT TRACKINGINFO
		b SET user:1 y
		b SET n1 y
	`)
	t.Logf("%d comparisons", s.checks)
}

func TestTrackingErrorsAndRedirect(t *testing.T) {
	s := newTrackSession(t, "a", "b", "c")
	s.run(`
		hello3 a
		hello3 c
		a CLIENT TRACKING
		a CLIENT TRACKING MAYBE
		a CLIENT TRACKING ON FOO
		a CLIENT TRACKING ON REDIRECT
		a CLIENT TRACKING ON REDIRECT x
		a CLIENT TRACKING ON REDIRECT 0
		a CLIENT TRACKING ON REDIRECT 999999
		a CLIENT TRACKING ON REDIRECT $c REDIRECT $c
		a CLIENT TRACKING ON PREFIX p
		a CLIENT TRACKING ON OPTIN OPTOUT
		a CLIENT TRACKING ON BCAST OPTIN
		a CLIENT TRACKING ON BCAST OPTOUT
		a CLIENT TRACKING OFF FOO
		a CLIENT TRACKING OFF PREFIX p
		a CLIENT CACHING yes
		a CLIENT CACHING foo
		a CLIENT TRACKING ON REDIRECT $c
		a CLIENT TRACKINGINFO
		a CLIENT GETREDIR
		a CLIENT INFO
		a GET k
		b SET k 1
		a CLIENT TRACKING ON BCAST
		a CLIENT TRACKING OFF
		a CLIENT TRACKING ON REDIRECT $c BCAST PREFIX k
		b SET k 2
		a CLIENT TRACKING OFF
		a CLIENT TRACKING ON REDIRECT $c
		a GET k
		close c
		b SET k 3
		a CLIENT TRACKINGINFO
		a CLIENT INFO
		a GET k
		b SET k 4
		a FLUSHALL
		a CLIENT TRACKING OFF
		a CLIENT INFO
		a CLIENT TRACKING ON REDIRECT $a
		a GET k
		b SET k 5
		a CLIENT GETREDIR
		a CLIENT TRACKING OFF
		# A RESP2 client may track but receives nothing.
		hello2 a
		a CLIENT TRACKING ON
		a GET k
		b SET k 6
		a CLIENT TRACKINGINFO
		a CLIENT TRACKING OFF
		a CLIENT TRACKING ON BCAST
		b SET k 7
	`)
	t.Logf("%d comparisons", s.checks)
}

// TestTrackingRandom runs a seeded random stream of reads by a tracking
// connection and writes by another, comparing every push. Only writes that
// always change their key are used: Ember invalidates a write command's
// keys even when it changes nothing, which Redis does not.
func TestTrackingRandom(t *testing.T) {
	s := newTrackSession(t, "a", "b")
	rng := Rand(t)
	s.both("a", "HELLO", "3")
	modes := [][]string{{"ON"}, {"ON", "NOLOOP"}, {"ON", "OPTIN"}, {"ON", "OPTOUT"},
		{"ON", "BCAST"}, {"ON", "BCAST", "PREFIX", "k1", "PREFIX", "k2"}, {"ON", "BCAST", "NOLOOP", "PREFIX", "k"}}
	key := func() string { return "k" + strconv.Itoa(rng.IntN(12)) }
	deadline := time.Now().Add(20 * time.Second)
	for round := 0; round < 8 && time.Now().Before(deadline); round++ {
		mode := modes[rng.IntN(len(modes))]
		s.do("a", append([]string{"CLIENT", "TRACKING"}, mode...)...)
		for i := 0; i < 150; i++ {
			who := "a"
			if rng.IntN(2) == 0 {
				who = "b"
			}
			switch rng.IntN(9) {
			case 0:
				s.do(who, "GET", key())
			case 1:
				s.do(who, "MGET", key(), key(), key())
			case 2:
				s.do(who, "EXISTS", key())
			case 3:
				s.do(who, "SET", key(), strconv.Itoa(rng.IntN(1000)))
			case 4:
				s.do(who, "MSET", key(), "1", key(), "2")
			case 5:
				s.do(who, "APPEND", key(), "x")
			case 6:
				if mode[len(mode)-1] == "OPTIN" && who == "a" {
					s.do(who, "CLIENT", "CACHING", "yes")
				} else if mode[len(mode)-1] == "OPTOUT" && who == "a" {
					s.do(who, "CLIENT", "CACHING", "no")
				} else {
					s.do(who, "STRLEN", key())
				}
			case 7:
				s.do(who, "GETRANGE", key(), "0", "1")
			case 8:
				if rng.IntN(10) == 0 {
					s.do(who, "FLUSHALL")
				} else {
					s.do(who, "PING")
				}
			}
		}
		s.do("a", "CLIENT", "TRACKING", "OFF")
	}
	t.Logf("%d comparisons", s.checks)
}

// RESP2 redirection (invalidations as pub/sub messages) is tested in
// pubsub_test.go: TestPubSubTrackingRedirect.

// TestTrackingExpiry checks that keys removed by expiry, lazily or by the
// active cycle, are invalidated (time is moved, not waited for).
func TestTrackingExpiry(t *testing.T) {
	clock := embertest.NewClock(time.Unix(1_700_000_000, 0))
	srv := embertest.Run(t, ember.Config{Clock: clock})
	a, b := dialT(t, srv.Addr()), dialT(t, srv.Addr())
	mustDo(t, a, "HELLO", "3")
	mustDo(t, a, "CLIENT", "TRACKING", "ON")
	mustDo(t, b, "SET", "lazy", "1", "PX", "100")
	mustDo(t, b, "SET", "active", "1", "PX", "100")
	mustDo(t, a, "MGET", "lazy", "active")
	clock.Advance(time.Second)
	// Lazy: b's read of the expired key deletes it and tells a; the active
	// cycle (hz 10) deletes the other one without any command. Either may
	// come first, and the cron may take both.
	mustDo(t, b, "GET", "lazy")
	got := []string{string(mustRead(t, a)), string(mustRead(t, a))}
	slices.Sort(got)
	want := []string{">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nlazy\r\n", ">2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\nactive\r\n"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("expiry pushes: %q", got)
	}
	// The tracking client's own read of an expired key: the null reply and
	// the push (after the reply unless the cron got there first).
	mustDo(t, b, "SET", "own", "1", "PX", "100")
	mustDo(t, a, "GET", "own")
	clock.Advance(time.Second)
	if err := a.Send(Encode("GET", "own")); err != nil {
		t.Fatal(err)
	}
	got = []string{string(mustRead(t, a)), string(mustRead(t, a))}
	if !slices.Contains(got, "_\r\n") || !slices.Contains(got, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nown\r\n") {
		t.Fatalf("own expiry: %q", got)
	}
}

func dialT(t *testing.T, addr string) *Conn {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustDo(t *testing.T, c *Conn, args ...string) []byte {
	t.Helper()
	r, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s: %v", Show(args), err)
	}
	return r
}

func mustRead(t *testing.T, c *Conn) []byte {
	t.Helper()
	r, err := c.ReadTimeout(5 * time.Second)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return r
}
