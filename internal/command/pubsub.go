package command

func init() { add(pubsubSpecs) }

// pubsubFlags are the flags of the subscription commands.
const pubsubFlags = PubSub | NoScript | Loading | Stale

// shardChannelSpec describes the shard channels of SSUBSCRIBE and
// SUNSUBSCRIBE: they hash like keys but are not keys.
var shardChannelSpec = []KeySpec{{Flags: KeyNotKey, Index: 1, LastKey: -1, Step: 1}}

var pubsubSpecs = []*Spec{
	{Name: "subscribe", Arity: -2, Flags: pubsubFlags | MayWait,
		Group: GroupPubSub, Since: "2.0.0",
		Complexity: "O(N) where N is the number of channels to subscribe to.",
		Summary:    "Starts listening to messages published to the given channels."},
	{Name: "unsubscribe", Arity: -1, Flags: pubsubFlags,
		Group: GroupPubSub, Since: "2.0.0",
		Complexity: "O(N) where N is the number of clients already subscribed to a channel.",
		Summary:    "Stops listening to the given channels, or to every channel."},
	{Name: "psubscribe", Arity: -2, Flags: pubsubFlags | MayWait,
		Group: GroupPubSub, Since: "2.0.0",
		Complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
		Summary:    "Starts listening to messages published to channels that match the given patterns."},
	{Name: "punsubscribe", Arity: -1, Flags: pubsubFlags,
		Group: GroupPubSub, Since: "2.0.0",
		Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
		Summary:    "Stops listening to the given patterns, or to every pattern."},
	{Name: "publish", Arity: 3, Flags: PubSub | Loading | Stale | Fast | MayReplicate,
		Group: GroupPubSub, Since: "2.0.0",
		Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
		Summary:    "Sends a message to a channel's subscribers and returns how many received it."},
	{Name: "ssubscribe", Arity: -2, Flags: pubsubFlags | MayWait, KeySpecs: shardChannelSpec,
		Group: GroupPubSub, Since: "7.0.0",
		Complexity: "O(N) where N is the number of shard channels to subscribe to.",
		Summary:    "Starts listening to messages published to the given shard channels."},
	{Name: "sunsubscribe", Arity: -1, Flags: pubsubFlags, KeySpecs: shardChannelSpec,
		Group: GroupPubSub, Since: "7.0.0",
		Complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
		Summary:    "Stops listening to the given shard channels, or to every shard channel."},
	{Name: "spublish", Arity: 3, Flags: PubSub | Loading | Stale | Fast | MayReplicate,
		KeySpecs: firstKey(KeyNotKey),
		Group:    GroupPubSub, Since: "7.0.0",
		Complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
		Summary:    "Sends a message to a shard channel's subscribers and returns how many received it."},
	{Name: "pubsub", Arity: -2,
		Group: GroupPubSub, Since: "2.8.0", Complexity: "Depends on subcommand.",
		Summary: "Container of the commands that inspect the pub/sub state.",
		Subs:    pubsubSubs},
}

// pubsubIntro are the flags of PUBSUB's introspection subcommands.
const pubsubIntro = PubSub | Loading | Stale

var pubsubSubs = []*Spec{
	{Name: "pubsub|numsub", Arity: -2, Flags: pubsubIntro,
		Group: GroupPubSub, Since: "2.8.0",
		Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
		Summary:    "Returns the number of subscribers of each given channel."},
	{Name: "pubsub|channels", Arity: -2, Flags: pubsubIntro,
		Group: GroupPubSub, Since: "2.8.0",
		Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
		Summary:    "Lists the channels with at least one subscriber, optionally those matching a pattern."},
	{Name: "pubsub|help", Arity: 2, Flags: Loading | Stale,
		Group: GroupPubSub, Since: "6.2.0", Complexity: "O(1)",
		Summary: "Describes the PUBSUB subcommands."},
	{Name: "pubsub|numpat", Arity: 2, Flags: pubsubIntro,
		Group: GroupPubSub, Since: "2.8.0", Complexity: "O(1)",
		Summary: "Returns the number of distinct patterns subscribed to."},
	{Name: "pubsub|shardnumsub", Arity: -2, Flags: pubsubIntro,
		Group: GroupPubSub, Since: "7.0.0",
		Complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
		Summary:    "Returns the number of subscribers of each given shard channel."},
	{Name: "pubsub|shardchannels", Arity: -2, Flags: pubsubIntro,
		Group: GroupPubSub, Since: "7.0.0",
		Complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
		Summary:    "Lists the shard channels with at least one subscriber, optionally those matching a pattern."},
}
