package command

func init() { add(dbSpecs) }

// dbSpecs are the commands that work on whole databases, and SELECT and
// WAIT. Their redis.io groups differ: server, connection, generic.
var dbSpecs = []*Spec{
	{Name: "dbsize", Arity: 1, Flags: ReadOnly | Fast | AllKeys, ACL: CatKeyspace,
		Tips:  []string{"request_policy:all_shards", "response_policy:agg_sum"},
		Group: GroupServer, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Counts the keys of the selected database."},
	{Name: "flushdb", Arity: -1, Flags: Write | AllKeys, ACL: CatKeyspace | CatDangerous,
		Tips:  []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		Group: GroupServer, Since: "1.0.0",
		Complexity: "O(N) in the number of keys of the database.",
		Summary:    "Deletes every key of the selected database."},
	{Name: "flushall", Arity: -1, Flags: Write | AllKeys, ACL: CatKeyspace | CatDangerous,
		Tips:  []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		Group: GroupServer, Since: "1.0.0",
		Complexity: "O(N) in the number of keys of all databases.",
		Summary:    "Deletes every key of every database."},
	{Name: "swapdb", Arity: 3, Flags: Write | Fast | AllKeys, ACL: CatKeyspace | CatDangerous,
		Group: GroupServer, Since: "4.0.0",
		Complexity: "O(N) in the clients watching or blocked on keys of the two databases.",
		Summary:    "Exchanges the contents of two databases."},
	{Name: "select", Arity: 2, Flags: Loading | Stale | Fast, ACL: CatConnection,
		Group: GroupConnection, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Switches the connection to another database."},
	{Name: "wait", Arity: 3, Flags: NoScript | MayWait, ACL: CatConnection,
		Tips:  []string{"request_policy:all_shards", "response_policy:agg_min"},
		Group: GroupGeneric, Since: "3.0.0", Complexity: "O(1)",
		Summary: "Blocks until replicas acknowledged this connection's writes, or a timeout."},
}
