package handler_test

import (
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
)

// TestClientNoTouch checks CLIENT NO-TOUCH (Redis 7.2, which the reference
// server lacks) through the dispatcher: while it is on, the connection's
// reads and writes leave a key's idle time growing; TOUCH still
// touches; other connections and NO-TOUCH OFF touch again; RESET ends it.
func TestClientNoTouch(t *testing.T) {
	clock := embertest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := embertest.Run(t, ember.Config{Clock: clock})
	c := dialRaw(t, srv.Addr())
	other := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{
		{"SET k v", strOK},
		{"CLIENT NO-TOUCH ON", strOK},
	})
	clock.Advance(10 * time.Second)
	runCases(t, c, []replyCase{
		{"OBJECT IDLETIME k", strInt(10)},
		{"GET k", strBulk("v")},
		{"STRLEN k", strInt(1)},
		{"OBJECT IDLETIME k", strInt(10)},
	})
	clock.Advance(5 * time.Second)
	runCases(t, c, []replyCase{
		{"GET k", strBulk("v")},
		{"OBJECT IDLETIME k", strInt(15)},
		{"APPEND k w", strInt(2)},
		{"OBJECT IDLETIME k", strInt(15)},
		// TOUCH still touches.
		{"TOUCH k", strInt(1)},
		{"OBJECT IDLETIME k", strInt(0)},
	})
	clock.Advance(3 * time.Second)
	runCases(t, other, []replyCase{
		{"OBJECT IDLETIME k", strInt(3)},
		{"GET k", strBulk("vw")},
		{"OBJECT IDLETIME k", strInt(0)},
	})
	clock.Advance(4 * time.Second)
	runCases(t, c, []replyCase{
		{"CLIENT NO-TOUCH maybe", strErr("ERR syntax error")},
		{"CLIENT NO-TOUCH", strErr("ERR wrong number of arguments for 'client|no-touch' command")},
		{"CLIENT NO-TOUCH on off", strErr("ERR wrong number of arguments for 'client|no-touch' command")},
		{"GET k", strBulk("vw")},
		{"OBJECT IDLETIME k", strInt(4)}, // still on after the errors
		{"CLIENT NO-TOUCH off", strOK},
		{"GET k", strBulk("vw")},
		{"OBJECT IDLETIME k", strInt(0)},
		{"CLIENT NO-TOUCH on", strOK},
	})
	clock.Advance(2 * time.Second)
	runCases(t, c, []replyCase{
		{"GET k", strBulk("vw")},
		{"OBJECT IDLETIME k", strInt(2)},
		{"RESET", "+RESET\r\n"},
		{"GET k", strBulk("vw")},
		{"OBJECT IDLETIME k", strInt(0)},
	})

	// With an LFU policy the counter does not move either. A new key's
	// counter is 5, and its first access raises it to 6 for sure.
	runCases(t, c, []replyCase{
		{"CONFIG SET maxmemory-policy allkeys-lfu", strOK},
		{"SET f v", strOK},
		{"OBJECT FREQ f", strInt(5)},
		{"CLIENT NO-TOUCH ON", strOK},
		{"GET f", strBulk("v")},
		{"GET f", strBulk("v")},
		{"OBJECT FREQ f", strInt(5)},
		{"TOUCH f", strInt(1)},
		{"OBJECT FREQ f", strInt(6)},
		{"CONFIG SET maxmemory-policy noeviction", strOK},
	})
}

// TestClientSetInfoServer checks CLIENT SETINFO over a connection, as
// client libraries send it (pipelined after HELLO).
func TestClientSetInfoServer(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{
		{"CLIENT SETINFO LIB-NAME go-redis(,go1.26)", strOK},
		{"CLIENT SETINFO LIB-VER 9.7.0", strOK},
		{"CLIENT SETINFO LIB-NAME", strErr("ERR wrong number of arguments for 'client|setinfo' command")},
		{"CLIENT SETINFO LIB-NAME a b", strErr("ERR wrong number of arguments for 'client|setinfo' command")},
		{"CLIENT SETINFO lib-foo x", strErr("ERR Unrecognized option 'lib-foo'")},
	})
	if got, want := c.do("CLIENT", "SETINFO", "lib-ver", "1 0"), strErr("ERR lib-ver cannot contain spaces, newlines or special characters."); got != want {
		t.Errorf("SETINFO lib-ver \"1 0\": got %q want %q", got, want)
	}
}
