package compat

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// psSession is several named connections to each server for pub/sub: a
// command is sent by one connection, then every connection's replies and
// the messages delivered to it are compared byte for byte. A PING sent
// after the command marks the end of what a connection received (its
// reply comes after every frame queued before it).
type psSession struct {
	t       *testing.T
	redis   map[string]*Conn
	ember   map[string]*Conn
	order   []string
	checks  int
	inMulti map[string]bool
	ids     map[string][2]string // name → client ID on redis, on ember
	// sortFrames compares the frames a connection received as a set (for
	// deliveries whose order Redis leaves to its hash tables).
	sortFrames bool
}

func newPSSession(t *testing.T, names ...string) *psSession {
	t.Helper()
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	NewPair(t, redisSrv.Addr, emberSrv.Addr()) // flushes both
	s := &psSession{t: t, redis: map[string]*Conn{}, ember: map[string]*Conn{}, inMulti: map[string]bool{}, ids: map[string][2]string{}}
	for _, n := range names {
		rc, err := Dial(redisSrv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		ec, err := Dial(emberSrv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		// RESET drops the subscriptions at once, so the next test's
		// PUBSUB introspection does not see them.
		t.Cleanup(func() {
			rc.Do("RESET")
			ec.Do("RESET")
			rc.Close()
			ec.Close()
		})
		s.redis[n], s.ember[n] = rc, ec
		var ids [2]string
		for i, c := range []*Conn{rc, ec} {
			r, err := c.Do("CLIENT", "ID")
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = strings.TrimSpace(string(r[1:]))
		}
		s.ids[n] = ids
		s.order = append(s.order, n)
	}
	return s
}

// isSentinel reports whether r is the reply of the PING that ends a read.
func isSentinel(r []byte) bool {
	return string(r) == "+PONG\r\n" || string(r) == "*2\r\n$4\r\npong\r\n$0\r\n\r\n"
}

// readUntilPing reads the frames before PING's reply.
func (s *psSession) readUntilPing(c *Conn, what string) [][]byte {
	s.t.Helper()
	var frames [][]byte
	for k := 0; ; k++ {
		r, err := c.Read()
		if err != nil {
			s.t.Fatalf("%s: %v", what, err)
		}
		if isSentinel(r) {
			return frames
		}
		if k > 10000 {
			s.t.Fatalf("%s: no PONG", what)
		}
		frames = append(frames, r)
	}
}

// normalizeFrames joins frames, sorting them (without the counts of
// argless unsubscribe confirmations, whose order is Redis's hash order)
// when asked.
func normalizeFrames(frames [][]byte, unordered bool) []byte {
	if !unordered {
		return bytes.Join(frames, nil)
	}
	out := make([][]byte, len(frames))
	for i, f := range frames {
		if bytes.Contains(f, []byte("unsubscribe\r\n")) {
			if j := bytes.LastIndexByte(f[:len(f)-2], '\n'); j >= 0 && f[j+1] == ':' {
				f = f[:j+1]
			}
		}
		out[i] = f
	}
	slices.SortFunc(out, bytes.Compare)
	return bytes.Join(out, nil)
}

// do sends one command as name to both servers, compares what name
// received up to its PING, then what every other connection received.
func (s *psSession) do(name string, args ...string) {
	s.t.Helper()
	unordered := s.sortFrames || len(args) == 1 && strings.HasSuffix(strings.ToLower(args[0]), "unsubscribe")
	var got [2][]byte
	cmd := strings.ToUpper(args[0])
	// Inside MULTI a PING would be queued: one reply is read instead.
	multi := s.inMulti[name]
	switch {
	case cmd == "MULTI":
		multi = true
	case cmd == "EXEC" || cmd == "DISCARD" || cmd == "RESET":
		s.inMulti[name] = false
	}
	for i, c := range []*Conn{s.redis[name], s.ember[name]} {
		args := s.subst(args, i)
		if multi {
			r, err := c.Do(args...)
			if err != nil {
				s.t.Fatalf("%s %s: %v", name, Show(args), err)
			}
			got[i] = r
			continue
		}
		if err := c.Send(append(Encode(args...), Encode("PING")...)); err != nil {
			s.t.Fatal(err)
		}
		frames := s.readUntilPing(c, name+" "+Show(args))
		if cmd == "PUBSUB" {
			// CHANNELS lists in Redis's hash order.
			for j := range frames {
				frames[j] = SortedArray(frames[j])
			}
		}
		got[i] = normalizeFrames(frames, unordered)
	}
	if cmd == "MULTI" {
		s.inMulti[name] = string(got[0]) == "+OK\r\n"
	}
	s.checks++
	if !bytes.Equal(got[0], got[1]) {
		s.t.Errorf("%s: %s\n redis: %q\n ember: %q", name, Show(args), got[0], got[1])
	}
	s.drain(name, Show(args))
}

// drain compares what every connection but skip received.
func (s *psSession) drain(skip, after string) {
	s.t.Helper()
	for _, n := range s.order {
		if n == skip {
			continue
		}
		var got [2][]byte
		for i, c := range []*Conn{s.redis[n], s.ember[n]} {
			if err := c.Send(Encode("PING")); err != nil {
				s.t.Fatal(err)
			}
			got[i] = normalizeFrames(s.readUntilPing(c, "drain "+n), s.sortFrames)
		}
		s.checks++
		if !bytes.Equal(got[0], got[1]) {
			s.t.Errorf("received by %s after %s\n redis: %q\n ember: %q", n, after, got[0], got[1])
		}
	}
}

// subst replaces $name (a connection's client ID) in args for server i.
func (s *psSession) subst(args []string, i int) []string {
	out := slices.Clone(args)
	for j, a := range out {
		if ids, ok := s.ids[strings.TrimPrefix(a, "$")]; ok && strings.HasPrefix(a, "$") {
			out[j] = ids[i]
		}
	}
	return out
}

// hello3 switches name to RESP3 on both servers, without comparing.
func (s *psSession) hello3(name string) {
	s.t.Helper()
	for _, c := range []*Conn{s.redis[name], s.ember[name]} {
		if _, err := c.Do("HELLO", "3"); err != nil {
			s.t.Fatal(err)
		}
	}
}

// run runs a transcript whose lines start with the connection's name;
// "hello3 a" switches a to RESP3.
func (s *psSession) run(script string) {
	s.t.Helper()
	for _, line := range Script(script) {
		if line[0] == "hello3" {
			s.hello3(line[1])
			continue
		}
		s.do(line[0], line[1:]...)
	}
}

func TestPubSubSubscribeReplies(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			s := newPSSession(t, "a")
			if proto == "3" {
				s.hello3("a")
			}
			s.run(`
				a UNSUBSCRIBE
				a PUNSUBSCRIBE
				a SUNSUBSCRIBE
				a UNSUBSCRIBE x y
				a PUNSUBSCRIBE x*
				a SUNSUBSCRIBE x
				a SUBSCRIBE ch1
				a SUBSCRIBE ch1 ch2 ch1
				a PSUBSCRIBE p* p? p*
				a SSUBSCRIBE s1 s2
				a SSUBSCRIBE s1
				a UNSUBSCRIBE ch2 nope ch2
				a PUNSUBSCRIBE p?
				a SUNSUBSCRIBE s2 s3
				a PING
				a PING hello
				a PING a b
				a UNSUBSCRIBE
				a PUNSUBSCRIBE
				a SUNSUBSCRIBE
				a SUBSCRIBE c1 c2 c3
				a PSUBSCRIBE q1 q2
				a UNSUBSCRIBE
				a PUNSUBSCRIBE
				a SUBSCRIBE
				a PSUBSCRIBE
				a SSUBSCRIBE
			`)
			t.Logf("%d checks", s.checks)
		})
	}
}

func TestPubSubSubscriberContext(t *testing.T) {
	s := newPSSession(t, "a", "b")
	s.run(`
		a SUBSCRIBE ch
		a GET x
		a SET x 1
		a CLIENT INFO
		a CLIENT LIST
		a PUBLISH ch m
		a PUBSUB NUMSUB ch
		a MULTI
		a HELLO
		a ECHO hi
		a GET
		a NOSUCHCOMMAND
		a PING
		a PING x
		a UNSUBSCRIBE ch
		a GET x
		a PING
		a SSUBSCRIBE s
		a GET x
		a SUNSUBSCRIBE
		a GET x
		a PSUBSCRIBE *
		a SET y 2
		a RESET
		a GET x
		a PING
		b MULTI
		b SUBSCRIBE ch
		b PSUBSCRIBE p*
		b SSUBSCRIBE s
		b EXEC
		b GET x
		b RESET
		b MULTI
		b SUBSCRIBE ch
		b PUBLISH ch inmulti
		b EXEC
		b RESET
	`)
	t.Logf("%d checks", s.checks)
}

func TestPubSubDelivery(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			s := newPSSession(t, "pub", "s1", "s2", "s3")
			if proto == "3" {
				s.hello3("s1")
				s.hello3("s2")
				s.hello3("pub")
			}
			s.run(`
				pub PUBLISH nobody hello
				s1 SUBSCRIBE news
				s2 SUBSCRIBE news sports
				s3 PSUBSCRIBE n*
				pub PUBLISH news "hello world"
				pub PUBLISH sports goal
				pub PUBLISH nothing x
				pub PUBLISH news ""
				pub PUBLISH news "bin\x00ary\r\n"
				s2 UNSUBSCRIBE news
				pub PUBLISH news again
				s3 PSUBSCRIBE s?orts h[ae]llo
				pub PUBLISH sports goal2
				pub PUBLISH hello p
				pub PUBLISH hallo p
				pub PUBLISH hxllo p
				s1 SSUBSCRIBE shard
				s2 SSUBSCRIBE shard
				pub SPUBLISH shard smsg
				pub SPUBLISH news notshard
				pub PUBLISH shard notshard
				s1 SUNSUBSCRIBE shard
				pub SPUBLISH shard smsg2
				pub PUBSUB CHANNELS
				pub PUBSUB NUMSUB news sports shard nope
				pub PUBSUB SHARDNUMSUB shard news
				pub PUBSUB NUMPAT
				pub PUBSUB SHARDCHANNELS
				pub PUBSUB SHARDCHANNELS sh*
				pub PUBSUB SHARDCHANNELS x*
				pub PUBSUB CHANNELS n*
				pub PUBSUB CHANNELS zz*
				pub PUBSUB CHANNELS a b
				pub PUBSUB SHARDCHANNELS a b
				pub PUBSUB NUMPAT x
				pub PUBSUB NUMSUB
				pub PUBSUB SHARDNUMSUB
				pub PUBSUB FOO
				pub PUBSUB
				pub PUBLISH a
				pub SPUBLISH a
				s3 PUNSUBSCRIBE n*
				pub PUBLISH news last
				s1 RESET
				pub PUBLISH news afterreset
				pub PUBSUB NUMSUB news
			`)
			if proto == "3" {
				// A RESP3 subscriber may run anything, and gets its own
				// messages before the PUBLISH reply.
				s.run(`
					s2 SUBSCRIBE self
					s2 PUBLISH self mine
					s2 PSUBSCRIBE se*
					s2 PUBLISH self mine2
					s2 SET k v
					s2 GET k
					s2 SSUBSCRIBE sh
					s2 SPUBLISH sh smine
				`)
			}
			t.Logf("%d checks", s.checks)
		})
	}
}

// TestPubSubOrder publishes many messages from one connection to
// subscribers of every kind and checks they arrive in order.
func TestPubSubOrder(t *testing.T) {
	s := newPSSession(t, "pub", "a", "b")
	s.hello3("b")
	s.run(`
		a SUBSCRIBE c
		b PSUBSCRIBE c*
	`)
	for _, c := range []*Conn{s.redis["pub"], s.ember["pub"]} {
		var buf []byte
		for i := range 500 {
			buf = append(buf, Encode("PUBLISH", "c", fmt.Sprint("m", i))...)
		}
		if err := c.Send(buf); err != nil {
			t.Fatal(err)
		}
		for range 500 {
			if _, err := c.Read(); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.drain("pub", "500 PUBLISH")
	t.Logf("%d checks", s.checks)
}

// TestPubSubRandom runs a seeded random stream of (un)subscriptions and
// publications over three subscribers; deliveries are compared as sets
// (the order of a subscriber's pattern matches is Redis's hash order).
func TestPubSubRandom(t *testing.T) {
	s := newPSSession(t, "pub", "x", "y", "z")
	s.hello3("z")
	s.sortFrames = true
	r := Rand(t)
	chans := []string{"a", "b", "ab", "ba", "c"}
	pats := []string{"a*", "?", "*b", "[ab]*", "c"}
	subs := []string{"x", "y", "z"}
	for range 1500 {
		who := subs[r.IntN(len(subs))]
		switch r.IntN(10) {
		case 0:
			s.do(who, "SUBSCRIBE", chans[r.IntN(len(chans))], chans[r.IntN(len(chans))])
		case 1:
			s.do(who, "UNSUBSCRIBE", chans[r.IntN(len(chans))])
		case 2:
			s.do(who, "PSUBSCRIBE", pats[r.IntN(len(pats))])
		case 3:
			s.do(who, "PUNSUBSCRIBE", pats[r.IntN(len(pats))])
		case 4:
			s.do(who, "SSUBSCRIBE", chans[r.IntN(len(chans))])
		case 5:
			s.do(who, "SUNSUBSCRIBE", chans[r.IntN(len(chans))])
		case 6:
			s.do("pub", "SPUBLISH", chans[r.IntN(len(chans))], fmt.Sprint(r.IntN(100)))
		case 7:
			s.do("pub", "PUBSUB", "NUMSUB", chans[r.IntN(len(chans))], chans[r.IntN(len(chans))])
		default:
			s.do("pub", "PUBLISH", chans[r.IntN(len(chans))], fmt.Sprint(r.IntN(100)))
		}
	}
	s.do("pub", "PUBSUB", "NUMPAT")
	t.Logf("%d checks", s.checks)
}

// TestPubSubIntrospection compares PUBSUB and CLIENT LIST's counts.
func TestPubSubIntrospection(t *testing.T) {
	s := newPSSession(t, "a", "b")
	s.run(`
		a SUBSCRIBE x y
		a PSUBSCRIBE p* q*
		a SSUBSCRIBE s
		b SUBSCRIBE x
		b PSUBSCRIBE p*
	`)
	p := pair(t)
	p.Normalize = func(args []string, reply []byte) []byte {
		if args[0] == "INFO" {
			var keep []string
			for _, l := range strings.Split(string(reply), "\r\n") {
				if strings.HasPrefix(l, "pubsub") {
					keep = append(keep, l)
				}
			}
			return []byte(strings.Join(keep, ","))
		}
		return SortedArray(reply)
	}
	p.CheckAll(Script(`
		PUBSUB CHANNELS
		PUBSUB CHANNELS ?
		PUBSUB NUMSUB x y z
		PUBSUB NUMPAT
		PUBSUB SHARDCHANNELS
		PUBSUB SHARDNUMSUB s t
		INFO stats
	`))
	// CLIENT LIST's sub/psub/ssub fields and flags.
	p.Normalize = func(_ []string, reply []byte) []byte {
		var out []string
		for _, l := range strings.Split(string(reply), "\n") {
			if !strings.Contains(l, "flags=P") {
				continue
			}
			var keep []string
			for _, f := range strings.Fields(l) {
				for _, k := range []string{"flags=", "sub=", "psub=", "ssub="} {
					if strings.HasPrefix(f, k) {
						keep = append(keep, f)
					}
				}
			}
			out = append(out, strings.Join(keep, " "))
		}
		slices.Sort(out)
		return []byte(strings.Join(out, "|"))
	}
	p.Check("CLIENT", "LIST")
	p.Check("CLIENT", "LIST", "TYPE", "pubsub")
}

// TestPubSubOutputLimit checks that a subscriber that does not read is
// disconnected once what waits for it passes the pubsub hard limit, on
// both servers.
func TestPubSubOutputLimit(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	for _, addr := range []string{redisSrv.Addr, emberSrv.Addr()} {
		pub, err := Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pub.Do("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"); err != nil {
			t.Fatal(err)
		}
		if _, err := sub.Do("SUBSCRIBE", "flood"); err != nil {
			t.Fatal(err)
		}
		msg := strings.Repeat("x", 64<<10)
		gone := false
		for i := 0; i < 2000 && !gone; i++ {
			r, err := pub.Do("PUBLISH", "flood", msg)
			if err != nil {
				t.Fatal(err)
			}
			gone = string(r) == ":0\r\n"
		}
		pub.Do("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60")
		if !gone {
			t.Errorf("%s: the subscriber was not disconnected", addr)
		}
		if r, _ := pub.Do("PUBSUB", "NUMSUB", "flood"); string(r) != "*2\r\n$5\r\nflood\r\n:0\r\n" {
			t.Errorf("%s: NUMSUB %q", addr, r)
		}
		sub.Close()
		pub.Close()
	}
}

// TestPubSubTrackingRedirect checks CLIENT TRACKING REDIRECT to a RESP2
// client: invalidations arrive as messages on __redis__:invalidate while
// it has a subscription (to any channel), and are dropped otherwise.
func TestPubSubTrackingRedirect(t *testing.T) {
	s := newPSSession(t, "t", "r", "u", "b")
	s.run(`
		r SUBSCRIBE __redis__:invalidate
		t CLIENT TRACKING on REDIRECT $r
		t GET k1
		t GET k2
		t SET k1 v
		t MSET k1 v k2 v
		t GET k1
		t GET k2
		t MSET k1 v k2 v
		t GET k1
		t FLUSHALL
		t CLIENT TRACKING on REDIRECT $u
		t GET k1
		t SET k1 v
		u PSUBSCRIBE foo
		t GET k1
		t SET k1 v
		u SSUBSCRIBE bar
		u PUNSUBSCRIBE
		t GET k1
		t SET k1 w
		t CLIENT TRACKING off
		b CLIENT TRACKING on REDIRECT $r BCAST PREFIX k
		b MSET k2 v k1 v x 1
		b SET x 2
		b FLUSHALL
		r UNSUBSCRIBE
		b SET k1 v
		t CLIENT GETREDIR
	`)
	t.Logf("%d checks", s.checks)
}
