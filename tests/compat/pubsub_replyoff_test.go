package compat

import (
	"bytes"
	"testing"
)

// readUntilMarker reads replies until one equals marker and returns what
// came before it, concatenated.
func readUntilMarker(t *testing.T, c *Conn, marker string) []byte {
	t.Helper()
	var out []byte
	for i := 0; ; i++ {
		r, err := c.Read()
		if err != nil {
			t.Fatalf("reading until %q: %v (so far %q)", marker, err, out)
		}
		if string(r) == marker {
			return out
		}
		if i > 1000 {
			t.Fatalf("no %q after %q", marker, out)
		}
		out = append(out, r...)
	}
}

// pipelineBoth sends cmds in one write to both servers of p and compares
// everything they send back up to the marker reply (the reply of the last
// command).
func pipelineBoth(t *testing.T, p *Pair, marker string, cmds ...[]string) {
	t.Helper()
	var b []byte
	for _, c := range cmds {
		b = append(b, Encode(c...)...)
	}
	var got [2][]byte
	for i, c := range []*Conn{p.Redis, p.Ember} {
		if err := c.Send(b); err != nil {
			t.Fatal(err)
		}
		got[i] = readUntilMarker(t, c, marker)
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("pipeline %q\n redis: %q\n ember: %q", cmds, got[0], got[1])
	}
}

// TestPubSubReplyOff: (un)subscribe confirmations and messages are pushes,
// which CLIENT REPLY OFF and SKIP do not silence (Redis's unit/pubsub
// "PubSub messages with CLIENT REPLY OFF"); the other replies are.
func TestPubSubReplyOff(t *testing.T) {
	p := pair(t)
	// RESP3: the client stays free to run any command while subscribed.
	p.Both("HELLO", "3")
	pipelineBoth(t, p, "+PONG\r\n",
		[]string{"CLIENT", "REPLY", "OFF"},
		[]string{"SUBSCRIBE", "x", "y"},
		[]string{"PSUBSCRIBE", "p*"},
		[]string{"PUBLISH", "x", "to-self"},
		[]string{"PUBLISH", "nobody", "m"},
		[]string{"SET", "k", "v"},
		[]string{"UNSUBSCRIBE", "x"},
		[]string{"UNSUBSCRIBE", "nosuch"},
		[]string{"PUNSUBSCRIBE"},
		[]string{"SSUBSCRIBE", "s"},
		[]string{"SUNSUBSCRIBE", "s"},
		[]string{"SUNSUBSCRIBE"},
		[]string{"CLIENT", "REPLY", "SKIP"},
		[]string{"SUBSCRIBE", "z"},
		[]string{"CLIENT", "REPLY", "SKIP"},
		[]string{"PUBLISH", "z", "m2"},
		[]string{"CLIENT", "REPLY", "SKIP"},
		[]string{"SUBSCRIBE"},
		[]string{"GET", "k"},
		[]string{"CLIENT", "REPLY", "ON"},
		[]string{"UNSUBSCRIBE", "y", "z"},
		[]string{"PING"},
	)
	// Another client's messages reach a silenced subscriber.
	pipelineBoth(t, p, "+PONG\r\n",
		[]string{"SUBSCRIBE", "news"},
		[]string{"PING"},
	)
	for _, c := range []*Conn{p.Redis, p.Ember} {
		if err := c.Send(Encode("CLIENT", "REPLY", "OFF")); err != nil {
			t.Fatal(err)
		}
	}
	other := pair(t)
	other.Check("PUBLISH", "news", "hello")
	pipelineBoth(t, p, "+PONG\r\n",
		[]string{"UNSUBSCRIBE", "news"},
		[]string{"CLIENT", "REPLY", "ON"},
		[]string{"PING"},
	)
	p.Both("HELLO", "2")

	// RESP2: CLIENT REPLY is refused in the subscriber context, silently.
	pipelineBoth(t, p, "+PONG\r\n",
		[]string{"CLIENT", "REPLY", "OFF"},
		[]string{"SUBSCRIBE", "a"},
		[]string{"CLIENT", "REPLY", "ON"},
		[]string{"PSUBSCRIBE", "b*"},
		[]string{"PUNSUBSCRIBE", "b*"},
		[]string{"UNSUBSCRIBE", "a"},
		[]string{"CLIENT", "REPLY", "ON"},
		[]string{"PING"},
	)
	pipelineBoth(t, p, "+PONG\r\n",
		[]string{"CLIENT", "REPLY", "SKIP"},
		[]string{"SUBSCRIBE", "c"},
		[]string{"UNSUBSCRIBE"},
		[]string{"CLIENT", "REPLY", "SKIP"},
		[]string{"UNSUBSCRIBE"},
		[]string{"PING"},
	)
}
