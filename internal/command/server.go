package command

func init() { add(serverSpecs) }

// The server group's introspection and control commands.
var serverSpecs = []*Spec{
	{Name: "info", Arity: -1, Flags: Loading | Stale | AllKeys, ACL: CatDangerous,
		Tips:  []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		Group: GroupServer, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Reports the server's state and statistics, by section."},
	{Name: "config", Arity: -2, Group: GroupServer, Since: "2.0.0", Complexity: "Depends on subcommand.",
		Summary: "Reads and changes the server's configuration.",
		Subs: []*Spec{
			{Name: "config|get", Arity: -3, Flags: Admin | NoScript | Loading | Stale,
				Group: GroupServer, Since: "2.0.0",
				Complexity: "O(N) when N is the number of configuration parameters provided",
				Summary:    "Returns the directives matching one or more patterns, with their values."},
			{Name: "config|set", Arity: -4, Flags: Admin | NoScript | Loading | Stale,
				Tips:  []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Group: GroupServer, Since: "2.0.0",
				Complexity: "O(N) when N is the number of configuration parameters provided",
				Summary:    "Changes one or more directives, all or none."},
			{Name: "config|resetstat", Arity: 2, Flags: Admin | NoScript | Loading | Stale,
				Group: GroupServer, Since: "2.0.0", Complexity: "O(1)",
				Summary: "Zeroes the statistics INFO reports."},
			{Name: "config|rewrite", Arity: 2, Flags: Admin | NoScript | Loading | Stale,
				Group: GroupServer, Since: "2.8.0", Complexity: "O(1)",
				Summary: "Writes the running configuration back to the configuration file."},
			{Name: "config|help", Arity: 2, Flags: Loading | Stale,
				Group: GroupServer, Since: "5.0.0", Complexity: "O(1)",
				Summary: "Lists the CONFIG subcommands."},
		}},
	{Name: "time", Arity: 1, Flags: Loading | Stale | Fast,
		Tips:  []string{"nondeterministic_output"},
		Group: GroupServer, Since: "2.6.0", Complexity: "O(1)",
		Summary: "Returns the server's clock as seconds and microseconds."},
	{Name: "lastsave", Arity: 1, Flags: Loading | Stale | Fast, ACL: CatAdmin | CatDangerous,
		Tips:  []string{"nondeterministic_output"},
		Group: GroupServer, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Returns the Unix time of the last successful save to disk."},
	{Name: "monitor", Arity: 1, Flags: Admin | NoScript | Loading | Stale | MayWait,
		Group: GroupServer, Since: "1.0.0",
		Summary: "Streams every command the server runs to the calling client."},
	{Name: "shutdown", Arity: -1, Flags: Admin | NoScript | Loading | Stale | NoMulti | AllowBusy | MayWait,
		Group: GroupServer, Since: "1.0.0",
		Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
		Summary:    "Stops the server, closing every connection."},
	// DEBUG is one command (not a container): the dispatcher gives it no
	// shard locks, so DEBUG SLEEP blocks nobody but its own client.
	{Name: "debug", Arity: -2, Flags: Admin | NoScript | Loading | Stale | Protected | MayWait,
		Group: GroupServer, Since: "1.0.0", Complexity: "Depends on subcommand.",
		Summary: "Runs debugging and testing helpers."},
}
