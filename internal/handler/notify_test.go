package handler_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/resp"
)

// notifyRig calls handlers directly, with a notifier that records what it
// publishes as "event:key" (keyevent channels only; flags are the
// notify-keyspace-events letters).
type notifyRig struct {
	ks     *keyspace.Keyspace
	env    *handler.Env
	w      *resp.Writer
	events []string
}

func newNotifyRig(t testing.TB, flags string) *notifyRig {
	t.Helper()
	r := &notifyRig{ks: keyspace.New(1), w: resp.NewWriter()}
	r.env = &handler.Env{Keyspace: r.ks, Config: config.New()}
	r.env.Notify = notify.New(func(_ *client.Client, channel, message []byte) {
		ch := string(channel)
		if i := strings.Index(ch, "__:"); i >= 0 && strings.HasPrefix(ch, "__keyevent@") {
			r.events = append(r.events, ch[i+3:]+":"+string(message))
		} else {
			r.events = append(r.events, ch+"="+string(message))
		}
	})
	c, ok := notify.Parse(flags)
	if !ok {
		t.Fatalf("bad flags %q", flags)
	}
	r.env.Notify.SetClasses(c)
	return r
}

// prepare returns a call of the command's handler (the reply is dropped).
func (r *notifyRig) prepare(t testing.TB, args ...string) func() {
	t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	spec := command.LookupString(args[0])
	if spec == nil {
		t.Fatalf("no command %q", args[0])
	}
	fn := handler.Lookup(spec.Name)
	ctx := &handler.Ctx{Args: argv, Spec: spec, DB: r.ks.DB(0, time.Now().UnixMilli()), Out: r.w, Env: r.env, Client: client.New(1, nil, time.Now())}
	return func() {
		r.w.Reset()
		fn(ctx)
	}
}

// run calls a command and returns the events it published.
func (r *notifyRig) run(t testing.TB, args ...string) []string {
	t.Helper()
	r.events = nil
	r.prepare(t, args...)()
	return r.events
}

// TestNotifyEvents checks each command's events, names, classes and order
// included (the differential tests compare them with Redis; this table
// states them).
func TestNotifyEvents(t *testing.T) {
	r := newNotifyRig(t, "EA")
	cases := []struct {
		cmd  string
		want string // space-separated event:key, "" for none
	}{
		{"SET s v", "set:s"},
		{"SET s v EX 100", "set:s expire:s"},
		{"SET s v NX", ""},
		{"SETEX s 100 v", "set:s expire:s"},
		{"PSETEX s 100000 v", "set:s expire:s"},
		{"SETNX s2 v", "set:s2"},
		{"GETEX s PERSIST", "persist:s"},
		{"GETEX s PERSIST", ""},
		{"GETEX s EX 10", "expire:s"},
		{"GETEX s PXAT 1", "del:s"},
		{"MSET a 1 b 2", "set:a set:b"},
		{"MSETNX a 1 c 2", ""},
		{"MSETNX c 1 d 2", "set:c set:d"},
		{"INCR a", "incrby:a"},
		{"DECRBY a 3", "incrby:a"},
		{"INCRBYFLOAT a 1.5", "incrbyfloat:a"},
		{"INCR s2", ""},
		{"APPEND a x", "append:a"},
		{"SETRANGE a 0 z", "setrange:a"},
		{"SETRANGE a 0 \"\"", ""},
		{"GETSET a 1", "set:a"},
		{"GETDEL a", "del:a"},
		{"GETDEL a", ""},
		{"SETBIT bits 3 1", "setbit:bits"},
		{"SETBIT bits 3 1", ""},
		{"SETBIT bits 30 0", "setbit:bits"},
		{"BITFIELD bits SET u8 0 1", "setbit:bits"},
		{"BITFIELD bits GET u8 0", ""},
		{"BITOP NOT nb bits", "set:nb"},
		{"BITOP AND nb nokey", "del:nb"},
		{"DEL b c nokey", "del:b del:c"},
		{"EXPIRE d 100", "expire:d"},
		{"PERSIST d", "persist:d"},
		{"EXPIRE d -1", "del:d"},
		{"SET r v", "set:r"},
		{"RENAME r r2", "rename_from:r rename_to:r2"},
		{"COPY r2 r3", "copy_to:r3"},
		{"HSET h a 1 b 2", "hset:h"},
		{"HSETNX h a 1", ""},
		{"HINCRBY h a 1", "hincrby:h"},
		{"HINCRBYFLOAT h a 1", "hincrbyfloat:h"},
		{"HDEL h a b", "hdel:h del:h"},
		{"RPUSH l a b c", "rpush:l"},
		{"LPUSHX l z", "lpush:l"},
		{"LINSERT l AFTER z y", "linsert:l"},
		{"LSET l 0 x", "lset:l"},
		{"LREM l 0 y", "lrem:l"},
		{"LTRIM l 0 -1", "ltrim:l"},
		{"LMOVE l l2 LEFT RIGHT", "rpush:l2 lpop:l"},
		{"RPOP l 5", "rpop:l del:l"},
		{"LMPOP 1 l2 LEFT", "lpop:l2 del:l2"},
		{"SADD s1 a b", "sadd:s1"},
		{"SADD s1 a", ""},
		{"SMOVE s1 s3 a", "srem:s1 sadd:s3"},
		{"SINTERSTORE s4 s1 s3", ""},
		{"SUNIONSTORE s4 s1 s3", "sunionstore:s4"},
		{"SDIFFSTORE s4 s1 s1", "del:s4"},
		{"SREM s1 b", "srem:s1 del:s1"},
		{"SPOP s3", "spop:s3 del:s3"},
		{"ZADD z 1 a 2 b", "zadd:z"},
		{"ZINCRBY z 1 a", "zincr:z"},
		{"ZADD z INCR 1 a", "zincr:z"},
		{"ZREMRANGEBYSCORE z 100 200", ""},
		{"ZUNIONSTORE z2 1 z", "zunionstore:z2"},
		{"ZINTERSTORE z2 1 z", "zinterstore:z2"},
		{"ZDIFFSTORE z2 2 z z", "del:z2"},
		{"ZRANGESTORE z2 z 0 0", "zrangestore:z2"},
		{"ZPOPMAX z2", "zpopmax:z2 del:z2"},
		{"ZREMRANGEBYRANK z 0 0", "zremrangebyrank:z"},
		{"ZREMRANGEBYLEX z - +", "zremrangebylex:z del:z"},
		{"PFADD p a", "pfadd:p"},
		{"PFADD p a", ""},
		{"PFMERGE p2 p", "pfadd:p2"},
		{"GEOADD g 1 1 m", "zadd:g"},
		{"GEOSEARCHSTORE g2 g FROMLONLAT 1 1 BYRADIUS 10 km", "geosearchstore:g2"},
		{"GEORADIUS g 1 1 10 km STORE g2", "georadiusstore:g2"},
		{"GEORADIUS g 50 50 1 km STORE g2", "del:g2"},
		{"RPUSH sl 2 1", "rpush:sl"},
		{"SORT sl STORE sl2", "sortstore:sl2"},
		{"SORT nokey STORE sl2", "del:sl2"},
		{"FLUSHDB", ""},
	}
	for _, tc := range cases {
		args := strings.Fields(tc.cmd)
		for i, a := range args {
			if a == `""` {
				args[i] = ""
			}
		}
		got := strings.Join(r.run(t, args...), " ")
		if got != tc.want {
			t.Errorf("%s: events %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

// TestNotifyClassFilter: each class letter selects its events, and K/E
// choose the channels.
func TestNotifyClassFilter(t *testing.T) {
	for _, tc := range []struct {
		flags string
		want  string
	}{
		{"", ""},
		{"A", ""}, // neither K nor E
		{"E$", "set:k"},
		{"Eg", "expire:k"},
		{"EA", "set:k expire:k"},
		{"K$", "__keyspace@0__:k=set"},
		{"KE$", "__keyspace@0__:k=set set:k"},
		{"Elshz", ""},
	} {
		r := newNotifyRig(t, tc.flags)
		if got := strings.Join(r.run(t, "SET", "k", "v", "EX", "100"), " "); got != tc.want {
			t.Errorf("flags %q: %q, want %q", tc.flags, got, tc.want)
		}
	}
}

// TestNotifyOffNoAlloc: with notifications off, or on for other classes
// only, hot commands allocate no more than before (the check is one atomic
// load; no event data is built).
func TestNotifyOffNoAlloc(t *testing.T) {
	for _, flags := range []string{"", "KEh", "Kg"} {
		r := newNotifyRig(t, flags)
		r.run(t, "SET", "n", "1000")
		r.run(t, "SET", "s", "x")
		r.run(t, "HSET", "h", "f", "1")
		r.run(t, "RPUSH", "l", "a")
		for _, cmd := range [][]string{
			{"INCR", "n"},
			{"SETBIT", "s", "3", "1"},
			{"LPUSH", "l", "a"},
			{"RPOP", "l"},
		} {
			if got := testing.AllocsPerRun(200, r.prepare(t, cmd...)); got > 0 {
				t.Errorf("flags %q: %v allocates %v times", flags, cmd, got)
			}
		}
		if len(r.events) != 0 && !strings.Contains(flags, "h") {
			t.Errorf("flags %q: unexpected events %q", flags, r.events)
		}
	}
}

// notifySub subscribes a connection to every keyspace notification and
// returns a function reading what arrived up to the next marker.
func notifySub(t *testing.T, addr string, cmd *rawConn) func() []string {
	t.Helper()
	sub := dialRaw(t, addr)
	sub.do("PSUBSCRIBE", "__key*__:*")
	sub.do("SUBSCRIBE", "marker")
	return func() []string {
		t.Helper()
		cmd.do("PUBLISH", "marker", "end")
		var out []string
		for k := 0; k < 1000; k++ {
			f := sub.read()
			if strings.Contains(f, "$6\r\nmarker\r\n") {
				return out
			}
			lines := strings.Split(f, "\r\n")
			// *4 pmessage pattern channel message
			if len(lines) >= 9 {
				out = append(out, lines[6]+"="+lines[8])
			}
		}
		t.Fatal("no marker")
		return nil
	}
}

// TestNotifyServerEvents: through a server with a manual clock, lazy
// expiry ("expired"), lookups that miss ("keymiss"), key creation ("new")
// and events in other databases (MOVE, COPY ... DB).
func TestNotifyServerEvents(t *testing.T) {
	clock := embertest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := embertest.Run(t, ember.Config{Clock: clock})
	c := dialRaw(t, srv.Addr())
	events := notifySub(t, srv.Addr(), c)
	steps := []struct {
		cmd  string
		want []string
	}{
		{"CONFIG SET notify-keyspace-events Egxmn", nil},
		{"SET k v PX 1000", []string{"__keyevent@0__:new=k", "__keyevent@0__:expire=k"}},
		{"GET k", nil},
		{"ADVANCE", nil},
		{"GET k", []string{"__keyevent@0__:expired=k", "__keyevent@0__:keymiss=k"}},
		{"GET k", []string{"__keyevent@0__:keymiss=k"}},
		{"MGET a b", []string{"__keyevent@0__:keymiss=a", "__keyevent@0__:keymiss=b"}},
		{"SET a 1", []string{"__keyevent@0__:new=a"}},
		{"SET a 2", nil},
		{"MOVE a 3", []string{"__keyevent@3__:new=a", "__keyevent@0__:move_from=a", "__keyevent@3__:move_to=a"}},
		{"SET b 1", []string{"__keyevent@0__:new=b"}},
		{"COPY b b DB 2", []string{"__keyevent@2__:new=b", "__keyevent@2__:copy_to=b"}},
		{"COPY b b DB 2 REPLACE", []string{"__keyevent@2__:new=b", "__keyevent@2__:copy_to=b"}},
		{"SET c 1", []string{"__keyevent@0__:new=c"}},
		{"RENAME b c", []string{"__keyevent@0__:new=c", "__keyevent@0__:rename_from=b", "__keyevent@0__:rename_to=c"}},
		{"CONFIG SET notify-keyspace-events KA", nil},
		{"LPUSH l x", []string{"__keyspace@0__:l=lpush"}},
		{"LPOP l", []string{"__keyspace@0__:l=lpop", "__keyspace@0__:l=del"}},
		{"CONFIG SET notify-keyspace-events \"\"", nil},
		{"SET z 1", nil},
	}
	for _, st := range steps {
		if st.cmd == "ADVANCE" {
			clock.Advance(2 * time.Second)
			continue
		}
		args := strings.Fields(st.cmd)
		for i, a := range args {
			if a == `""` {
				args[i] = ""
			}
		}
		c.do(args...)
		got := events()
		if !slices.Equal(got, st.want) {
			t.Errorf("%s: events %q, want %q", st.cmd, got, st.want)
		}
	}
}

// TestNotifyBlockedServe: a client blocked in BLPOP, served by another's
// push, publishes the pop (and the del of the emptied list) after the push.
func TestNotifyBlockedServe(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	events := notifySub(t, srv.Addr(), c)
	c.do("CONFIG", "SET", "notify-keyspace-events", "El")
	b := dialRaw(t, srv.Addr())
	b.send("BLPOP", "q", "0")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.do("INFO", "clients"), "blocked_clients:1") {
		if time.Now().After(deadline) {
			t.Fatal("BLPOP did not block")
		}
		time.Sleep(time.Millisecond)
	}
	c.do("RPUSH", "q", "a", "b")
	if got, want := b.read(), "*2\r\n$1\r\nq\r\n$1\r\na\r\n"; got != want {
		t.Fatalf("BLPOP: %q, want %q", got, want)
	}
	want := []string{"__keyevent@0__:rpush=q", "__keyevent@0__:lpop=q"}
	if got := events(); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
