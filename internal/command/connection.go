package command

func init() { add(connectionSpecs) }

var connectionSpecs = []*Spec{
	{Name: "ping", Arity: -1, Flags: Fast, ACL: CatConnection,
		Tips:  []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		Group: GroupConnection, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Returns PONG, or the given message."},
	{Name: "echo", Arity: 2, Flags: Loading | Stale | Fast, ACL: CatConnection,
		Group: GroupConnection, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Returns the given message."},
	{Name: "quit", Arity: -1, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, ACL: CatConnection,
		Group: GroupConnection, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Closes the connection."},
}
