package handler

import (
	"bytes"
	"strings"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/pubsub"
)

// Pub/sub commands: the registry and delivery are internal/pubsub; the
// dispatcher enforces the RESP2 subscriber context.

func init() {
	register(map[string]Func{
		"subscribe":            subscribe,
		"unsubscribe":          unsubscribe,
		"psubscribe":           psubscribe,
		"punsubscribe":         punsubscribe,
		"ssubscribe":           ssubscribe,
		"sunsubscribe":         sunsubscribe,
		"publish":              publish,
		"spublish":             spublish,
		"pubsub|channels":      pubsubChannels,
		"pubsub|shardchannels": pubsubShardChannels,
		"pubsub|numsub":        pubsubNumsub,
		"pubsub|shardnumsub":   pubsubShardNumsub,
		"pubsub|numpat":        pubsubNumpat,
		"pubsub|help":          pubsubHelp,
	})
	// RESET drops every subscription without confirmations; messages
	// already waiting for the client go out before RESET's reply.
	onClientReset(func(c *Ctx) {
		c.Out.Raw(pubsub.For(c.Env.Clients).Remove(c.Client))
	})
}

// pubsubNames are the confirmation names of each kind.
var pubsubNames = [3][2]string{
	pubsub.Channel: {"subscribe", "unsubscribe"},
	pubsub.Pattern: {"psubscribe", "punsubscribe"},
	pubsub.Shard:   {"ssubscribe", "sunsubscribe"},
}

// pubsubConfirm writes one (un)subscribe confirmation: [kind, name (null
// for none), count], a push in RESP3.
func pubsubConfirm(c *Ctx, what string, name []byte, null bool, count int) {
	c.Out.Push(3)
	c.Out.BulkString(what)
	if null {
		c.Out.Null()
	} else {
		c.Out.Bulk(name)
	}
	c.Out.Int(int64(count))
}

// pubsubSubscribe subscribes the client to each argument.
func pubsubSubscribe(c *Ctx, k pubsub.Kind) {
	t := pubsub.For(c.Env.Clients)
	for _, name := range c.Args[1:] {
		t.Subscribe(c.Client, k, name)
		pubsubConfirm(c, pubsubNames[k][0], name, false, pubsub.Total(c.Client, k))
	}
}

// pubsubUnsubscribe unsubscribes the client from each argument, or from
// every name of kind k when there is none.
func pubsubUnsubscribe(c *Ctx, k pubsub.Kind) {
	t := pubsub.For(c.Env.Clients)
	what := pubsubNames[k][1]
	if len(c.Args) > 1 {
		for _, name := range c.Args[1:] {
			t.Unsubscribe(c.Client, k, name)
			pubsubConfirm(c, what, name, false, pubsub.Total(c.Client, k))
		}
		return
	}
	names := t.UnsubscribeAll(c.Client, k)
	if len(names) == 0 {
		pubsubConfirm(c, what, nil, true, pubsub.Total(c.Client, k))
		return
	}
	// Counts as Redis reports them, one name at a time.
	left := pubsub.Total(c.Client, k)
	for i, name := range names {
		pubsubConfirm(c, what, []byte(name), false, left+len(names)-1-i)
	}
}

// PushesKept is how many bytes at the start of out, what the command spec
// wrote, CLIENT REPLY OFF or SKIP must leave: pub/sub pushes go out
// regardless, as in Redis. (Un)subscribe confirmations are all the output
// of their commands; PUBLISH keeps the frames of a client that receives
// its own message, not its integer reply.
func PushesKept(spec *command.Spec, out []byte) int {
	if len(out) == 0 || out[0] == '-' {
		return 0
	}
	switch spec.Name {
	case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe":
		return len(out)
	case "publish", "spublish":
		// The reply is the last line, ":n\r\n".
		if i := bytes.LastIndexByte(out[:len(out)-2], '\n'); i >= 0 {
			return i + 1
		}
	}
	return 0
}

// SUBSCRIBE channel [channel ...]
func subscribe(c *Ctx) { pubsubSubscribe(c, pubsub.Channel) }

// UNSUBSCRIBE [channel [channel ...]]
func unsubscribe(c *Ctx) { pubsubUnsubscribe(c, pubsub.Channel) }

// PSUBSCRIBE pattern [pattern ...]
func psubscribe(c *Ctx) { pubsubSubscribe(c, pubsub.Pattern) }

// PUNSUBSCRIBE [pattern [pattern ...]]
func punsubscribe(c *Ctx) { pubsubUnsubscribe(c, pubsub.Pattern) }

// SSUBSCRIBE shardchannel [shardchannel ...]
func ssubscribe(c *Ctx) {
	if blocking.Denied(c.Client) {
		c.Error(errs.SsubscribeDenyBlocking)
		return
	}
	pubsubSubscribe(c, pubsub.Shard)
}

// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
func sunsubscribe(c *Ctx) { pubsubUnsubscribe(c, pubsub.Shard) }

// PUBLISH channel message
func publish(c *Ctx) {
	n := pubsub.For(c.Env.Clients).Publish(c.Client, pubsub.Channel, c.Args[1], c.Args[2])
	c.Out.Int(int64(n))
}

// SPUBLISH shardchannel message
func spublish(c *Ctx) {
	n := pubsub.For(c.Env.Clients).Publish(c.Client, pubsub.Shard, c.Args[1], c.Args[2])
	c.Out.Int(int64(n))
}

// pubsubList answers PUBSUB CHANNELS and SHARDCHANNELS [pattern].
func pubsubList(c *Ctx, k pubsub.Kind) {
	if len(c.Args) > 3 {
		c.Error(errs.SubcommandSyntax(c.Args[1], "PUBSUB"))
		return
	}
	var pattern []byte
	if len(c.Args) == 3 {
		pattern = c.Args[2]
	}
	names := pubsub.For(c.Env.Clients).Names(k, pattern)
	c.Out.Array(len(names))
	for _, n := range names {
		c.Out.BulkString(n)
	}
}

// PUBSUB CHANNELS [pattern]
func pubsubChannels(c *Ctx) { pubsubList(c, pubsub.Channel) }

// PUBSUB SHARDCHANNELS [pattern]
func pubsubShardChannels(c *Ctx) { pubsubList(c, pubsub.Shard) }

// pubsubCounts answers PUBSUB NUMSUB and SHARDNUMSUB: name, count, ...
func pubsubCounts(c *Ctx, k pubsub.Kind) {
	t := pubsub.For(c.Env.Clients)
	c.Out.Array(2 * (len(c.Args) - 2))
	for _, name := range c.Args[2:] {
		c.Out.Bulk(name)
		c.Out.Int(int64(t.NumSub(k, name)))
	}
}

// PUBSUB NUMSUB [channel [channel ...]]
func pubsubNumsub(c *Ctx) { pubsubCounts(c, pubsub.Channel) }

// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
func pubsubShardNumsub(c *Ctx) { pubsubCounts(c, pubsub.Shard) }

// PUBSUB NUMPAT
func pubsubNumpat(c *Ctx) {
	c.Out.Int(int64(pubsub.For(c.Env.Clients).Count(pubsub.Pattern)))
}

// pubsubHelpLines is PUBSUB HELP's text (Ember's own wording).
var pubsubHelpLines = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    List the channels that have subscribers, those matching <pattern> if given.",
	"NUMPAT",
	"    Count the distinct patterns clients are subscribed to.",
	"NUMSUB [<channel> ...]",
	"    Count the subscribers of each channel (pattern subscribers not included).",
	"SHARDCHANNELS [<pattern>]",
	"    List the shard channels that have subscribers, those matching <pattern> if given.",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Count the subscribers of each shard channel.",
	"HELP",
	"    Print this help.",
}

// PUBSUB HELP
func pubsubHelp(c *Ctx) {
	c.Out.Array(len(pubsubHelpLines))
	for _, l := range pubsubHelpLines {
		c.Out.Simple(strings.TrimRight(l, " "))
	}
}
