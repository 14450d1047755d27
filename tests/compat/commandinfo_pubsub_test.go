package compat

import "testing"

// pubsubCommands are the pub/sub group.
var pubsubCommands = []string{"subscribe", "unsubscribe", "psubscribe", "punsubscribe", "publish",
	"ssubscribe", "sunsubscribe", "spublish"}

// pubsubSubcommands are PUBSUB's subcommands.
var pubsubSubcommands = []string{"pubsub|channels", "pubsub|numsub", "pubsub|numpat",
	"pubsub|shardchannels", "pubsub|shardnumsub", "pubsub|help"}

// TestCommandInfoPubSub compares COMMAND INFO of the pub/sub group, in
// RESP2 and RESP3, and the shard commands' (not-key) keys.
func TestCommandInfoPubSub(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			for _, name := range append(pubsubCommands, pubsubSubcommands...) {
				p.Check("COMMAND", "INFO", name)
			}
			p.Check(append([]string{"COMMAND", "INFO"}, pubsubCommands...)...)
			p.CheckAll(Script(`
				COMMAND GETKEYS SSUBSCRIBE a
				COMMAND GETKEYS SSUBSCRIBE a b c
				COMMAND GETKEYS SUNSUBSCRIBE a b
				COMMAND GETKEYS SPUBLISH a m
				COMMAND GETKEYSANDFLAGS SSUBSCRIBE a b
				COMMAND GETKEYSANDFLAGS SPUBLISH a m
				COMMAND GETKEYS SUBSCRIBE a
				COMMAND GETKEYS PUBLISH a m
				COMMAND GETKEYS SUNSUBSCRIBE
			`))
			p.Normalize = func(_ []string, reply []byte) []byte { return SortedArray(reply) }
			p.Check("COMMAND", "LIST", "FILTERBY", "ACLCAT", "pubsub")
			// COMMAND INFO pubsub itself is not compared: Ember lists a
			// container's subcommands by name, Redis in its hash order.
		})
	}
}
