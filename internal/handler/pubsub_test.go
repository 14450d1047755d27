package handler

import (
	"testing"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/pubsub"
)

func pubsubConfirmation(kind, name string, n int) string {
	if name == "" {
		return "*3\r\n" + genBulk(kind) + "$-1\r\n" + genInt(int64(n))
	}
	return "*3\r\n" + genBulk(kind) + genBulk(name) + genInt(int64(n))
}

func TestPubSubHandlers(t *testing.T) {
	h := newGenHarness(t)
	h.env.Clients = client.NewRegistry()
	t.Cleanup(func() { pubsub.For(h.env.Clients).Remove(h.cl) })
	h.expect(pubsubConfirmation("unsubscribe", "", 0), "unsubscribe")
	h.expect(pubsubConfirmation("punsubscribe", "", 0), "punsubscribe")
	h.expect(pubsubConfirmation("sunsubscribe", "", 0), "sunsubscribe")
	h.expect("+PONG\r\n", "ping")
	h.expect(pubsubConfirmation("subscribe", "a", 1)+pubsubConfirmation("subscribe", "b", 2)+pubsubConfirmation("subscribe", "a", 2),
		"subscribe", "a", "b", "a")
	h.expect(pubsubConfirmation("psubscribe", "a*", 3), "psubscribe", "a*")
	h.expect(pubsubConfirmation("ssubscribe", "s", 1), "ssubscribe", "s")
	if ch, pat, sh := h.cl.Subscriptions(); ch != 2 || pat != 1 || sh != 1 {
		t.Fatalf("counts %d %d %d", ch, pat, sh)
	}
	// RESP2 subscriber: PING has the shape of a message.
	h.expect("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "ping")
	h.expect("*2\r\n$4\r\npong\r\n$2\r\nhi\r\n", "ping", "hi")
	// Publishing to itself: the messages precede the reply.
	h.expect("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n"+
		"*4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$1\r\nm\r\n"+genInt(2), "publish", "a", "m")
	h.expect("*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n"+genInt(1), "spublish", "s", "m")
	h.expect(genInt(0), "spublish", "a", "m")
	h.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "pubsub", "channels")
	h.expect("*1\r\n$1\r\nb\r\n", "pubsub", "channels", "b*")
	h.expect("*1\r\n$1\r\ns\r\n", "pubsub", "shardchannels")
	h.expect(genErr(errs.SubcommandSyntax([]byte("channels"), "PUBSUB")), "pubsub", "channels", "a", "b")
	h.expect("*4\r\n$1\r\na\r\n:1\r\n$1\r\nz\r\n:0\r\n", "pubsub", "numsub", "a", "z")
	h.expect("*0\r\n", "pubsub", "numsub")
	h.expect("*2\r\n$1\r\ns\r\n:1\r\n", "pubsub", "shardnumsub", "s")
	h.expect(genInt(1), "pubsub", "numpat")
	if got := h.do("pubsub", "help"); len(got) < 10 || got[0] != '*' {
		t.Fatalf("help %q", got)
	}
	h.expect(pubsubConfirmation("unsubscribe", "a", 2)+pubsubConfirmation("unsubscribe", "b", 1), "unsubscribe")
	h.expect(pubsubConfirmation("punsubscribe", "x", 1), "punsubscribe", "x")
	// RESET drops everything without confirmations.
	h.expect("+RESET\r\n", "reset")
	if h.cl.PubSub() || pubsub.For(h.env.Clients).Count(pubsub.Shard) != 0 {
		t.Fatal("RESET left subscriptions")
	}
	// RESP3: pushes, and a null channel.
	h.cl.SetProto(3)
	h.expect(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n", "unsubscribe")
	h.expect(">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", "subscribe", "c")
	h.expect("+PONG\r\n", "ping")
	h.expect(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n"+genInt(1), "publish", "c", "m")
	h.cl.SetProto(2)
	h.expect("+RESET\r\n", "reset")
	// SSUBSCRIBE may not run inside MULTI/EXEC.
	h.cl.SetMultiLen(0)
	h.expect(genErr(errs.SsubscribeDenyBlocking), "ssubscribe", "s")
	h.cl.SetMultiLen(-1)
}
