package handler

import (
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/watch"
)

// newTxnHarness is a genHarness with a WATCH table and an Exec that
// records that it ran (the server's EXEC is tested in tests/compat).
func newTxnHarness(t *testing.T) (*genHarness, *int) {
	h := newGenHarness(t)
	h.env.Watches = watch.New()
	h.env.Clients = client.NewRegistry()
	ran := new(int)
	h.env.Exec = func(c *Ctx) {
		*ran++
		c.Out.Array(0)
		EndTransaction(c.Env, c.Client)
	}
	t.Cleanup(func() { h.env.Watches.Unwatch(h.cl) })
	return h, ran
}

func TestTransactionHandlers(t *testing.T) {
	h, ran := newTxnHarness(t)
	cl := h.cl
	h.expect(genErr(errs.ExecWithoutMulti), "exec")
	h.expect(genErr(errs.DiscardNoMulti), "discard")
	h.expect(genOK, "multi")
	if cl.MultiLen() != 0 {
		t.Fatalf("multi=%d after MULTI", cl.MultiLen())
	}
	h.expect(genErr(errs.MultiNested), "multi")
	h.expect(genErr(errs.WatchInMulti), "watch", "k")
	cl.Queue(command.LookupString("set"), [][]byte{[]byte("set"), []byte("k"), []byte("v")})
	if cl.MultiLen() != 1 {
		t.Fatalf("multi=%d after queueing", cl.MultiLen())
	}
	h.expect(genOK, "discard")
	if cl.MultiLen() != -1 || len(cl.Queued) != 0 {
		t.Fatalf("after DISCARD: multi=%d queued=%d", cl.MultiLen(), len(cl.Queued))
	}
	// A queueing error dooms the transaction: EXECABORT, no Exec call.
	h.expect(genOK, "multi")
	cl.MultiError = true
	cl.Queue(command.LookupString("set"), [][]byte{[]byte("set"), []byte("k"), []byte("v")})
	if cl.MultiLen() != 0 {
		t.Fatalf("a doomed transaction queued: multi=%d", cl.MultiLen())
	}
	h.expect(genErr(errs.ExecAbort), "exec")
	if *ran != 0 || cl.MultiLen() != -1 || cl.MultiError {
		t.Fatalf("EXECABORT: ran=%d multi=%d err=%v", *ran, cl.MultiLen(), cl.MultiError)
	}
	h.expect(genOK, "multi")
	h.expect("*0\r\n", "exec")
	if *ran != 1 {
		t.Fatalf("Exec ran %d times", *ran)
	}
}

func TestTransactionQueueCopies(t *testing.T) {
	cl := client.New(1, nil, time.UnixMilli(genT0))
	cl.SetMultiLen(0)
	buf := []byte("setkv")
	cl.Queue(command.LookupString("set"), [][]byte{buf[0:3], buf[3:4], buf[4:5]})
	copy(buf, "XXXXX")
	q := cl.Queued[0]
	if string(q.Args[0]) != "set" || string(q.Args[1]) != "k" || string(q.Args[2]) != "v" {
		t.Fatalf("queued args alias the read buffer: %q", q.Args)
	}
	q.Args[1] = append(q.Args[1], 'z') // capped: must not overwrite Args[2]
	if string(q.Args[2]) != "v" {
		t.Fatalf("queued args share capacity: %q", q.Args)
	}
}

func TestWatchTable(t *testing.T) {
	h, _ := newTxnHarness(t)
	wt := h.env.Watches
	cl := h.cl
	other := client.New(2, nil, time.UnixMilli(genT0))
	t.Cleanup(func() { wt.Unwatch(other) })
	dirty := func(c *client.Client) bool { return c.Flags()&client.FlagDirtyCAS != 0 }

	h.expect(genOK, "watch", "a", "b", "a")
	if got := wt.Keys(cl); len(got) != 2 {
		t.Fatalf("WATCH a b a: %d keys", len(got))
	}
	if !watch.Active() || !wt.Watched(0, []byte("a")) || wt.Watched(1, []byte("a")) {
		t.Fatal("Watched")
	}
	wt.Watch(other, 0, []byte("a"), false)
	wt.Touch(0, []byte("b"), true)
	if !dirty(cl) || dirty(other) {
		t.Fatalf("touching b: dirty %v %v", dirty(cl), dirty(other))
	}
	if len(wt.Keys(cl)) != 0 {
		t.Fatal("a dirty client keeps its watches")
	}
	// A dirty client's WATCH adds nothing; UNWATCH clears the flag.
	h.expect(genOK, "watch", "c")
	if len(wt.Keys(cl)) != 0 {
		t.Fatal("a dirty client watched more")
	}
	h.expect(genOK, "unwatch")
	if dirty(cl) {
		t.Fatal("UNWATCH left the client dirty")
	}

	// A key watched already expired: deleting it is no change; setting
	// it is.
	h.setTTL("e", "v", 10)
	h.advance(20)
	h.expect(genOK, "watch", "e")
	if k := wt.Keys(cl); len(k) != 1 || !k[0].Expired {
		t.Fatalf("watching an expired key: %+v", k)
	}
	wt.Touch(0, []byte("e"), false)
	if dirty(cl) {
		t.Fatal("deleting a key watched expired made the client dirty")
	}
	if k := wt.Keys(cl); len(k) != 1 || k[0].Expired {
		t.Fatalf("after its deletion the key is not expired any more: %+v", k)
	}
	wt.Touch(0, []byte("e"), true)
	if !dirty(cl) {
		t.Fatal("creating the key again did not dirty the client")
	}
	h.expect(genOK, "unwatch")

	// FLUSHDB plan: touched when present, nothing when absent.
	h.expect(genOK, "watch", "p", "q")
	probe := func(db int, key string) (bool, bool) { return key == "p", false }
	acts := wt.Plan(nil, 1, -1, probe)
	wt.Apply(acts)
	if dirty(cl) {
		t.Fatal("flushing another database touched the watch")
	}
	acts = wt.Plan(nil, 0, -1, func(int, string) (bool, bool) { return false, false })
	wt.Apply(acts)
	if dirty(cl) {
		t.Fatal("flushing a database without the key touched it")
	}
	acts = wt.Plan(nil, 0, -1, probe)
	wt.Unwatch(other)
	wt.Apply(acts)
	if !dirty(cl) || dirty(other) {
		t.Fatal("flushing the key's database")
	}
	h.expect(genOK, "unwatch")
	// SWAPDB: a missing key replaced by an expired one becomes watched
	// expired; a key watched expired that stays expired is untouched.
	h.expect(genOK, "watch", "s")
	wt.Apply(wt.Plan(nil, 0, 1, func(db int, key string) (bool, bool) { return db == 1, db == 1 }))
	if k := wt.Keys(cl); dirty(cl) || len(k) != 1 || !k[0].Expired {
		t.Fatalf("swapped in an expired key: dirty %v %+v", dirty(cl), k)
	}
	wt.Apply(wt.Plan(nil, 0, 1, func(db int, key string) (bool, bool) { return true, true }))
	if dirty(cl) {
		t.Fatal("expired replaced by expired touched the watch")
	}
	wt.Apply(wt.Plan(nil, 0, 1, func(db int, key string) (bool, bool) { return true, db == 0 }))
	if !dirty(cl) {
		t.Fatal("replaced by a live key")
	}
	// RESET forgets everything.
	h.expect(genOK, "watch", "z")
	wt.Watch(cl, 0, []byte("z"), false)
	h.expect("+RESET\r\n", "reset")
	if dirty(cl) || len(wt.Keys(cl)) != 0 || cl.MultiLen() != -1 {
		t.Fatal("RESET kept transaction state")
	}
	wt.Unwatch(cl)
	wt.Unwatch(other)
	if watch.Active() {
		t.Fatal("watch.Active with no watches left")
	}
}
