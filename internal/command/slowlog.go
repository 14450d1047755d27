package command

func init() { add(slowlogSpecs) }

// SLOWLOG: the log of slow commands (server group).
var slowlogSpecs = []*Spec{
	{Name: "slowlog", Arity: -2, Group: GroupServer, Since: "2.2.12", Complexity: "Depends on subcommand.",
		Summary: "Reads and clears the log of slow commands.",
		Subs: []*Spec{
			{Name: "slowlog|get", Arity: -2, Flags: Admin | Loading | Stale,
				Tips:  []string{"request_policy:all_nodes", "nondeterministic_output"},
				Group: GroupServer, Since: "2.2.12", Complexity: "O(N) where N is the number of entries returned",
				Summary: "Returns the newest entries of the slow log."},
			{Name: "slowlog|len", Arity: 2, Flags: Admin | Loading | Stale,
				Tips:  []string{"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"},
				Group: GroupServer, Since: "2.2.12", Complexity: "O(1)",
				Summary: "Returns the number of entries in the slow log."},
			{Name: "slowlog|reset", Arity: 2, Flags: Admin | Loading | Stale,
				Tips:  []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Group: GroupServer, Since: "2.2.12", Complexity: "O(N) where N is the number of entries in the slowlog",
				Summary: "Empties the slow log."},
			{Name: "slowlog|help", Arity: 2, Flags: Loading | Stale,
				Group: GroupServer, Since: "6.2.0", Complexity: "O(1)",
				Summary: "Lists the SLOWLOG subcommands."},
		}},
}
