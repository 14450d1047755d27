package command

func init() { add(memorySpecs) }

// MEMORY: memory introspection (server group).
var memorySpecs = []*Spec{
	{Name: "memory", Arity: -2, Group: GroupServer, Since: "4.0.0", Complexity: "Depends on subcommand.",
		Summary: "Reports and manages the server's memory use.",
		Subs: []*Spec{
			{Name: "memory|doctor", Arity: 2, Flags: AllKeys,
				Tips:  []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Group: GroupServer, Since: "4.0.0", Complexity: "O(1)",
				Summary: "Diagnoses memory problems and suggests remedies."},
			{Name: "memory|help", Arity: 2, Flags: Loading | Stale,
				Group: GroupServer, Since: "4.0.0", Complexity: "O(1)",
				Summary: "Lists the MEMORY subcommands."},
			{Name: "memory|malloc-stats", Arity: 2,
				Tips:  []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Group: GroupServer, Since: "4.0.0", Complexity: "Depends on how much memory is allocated, could be slow",
				Summary: "Reports the memory allocator's statistics."},
			{Name: "memory|purge", Arity: 2,
				Tips:  []string{"request_policy:all_shards", "response_policy:all_succeeded"},
				Group: GroupServer, Since: "4.0.0", Complexity: "Depends on how much memory is allocated, could be slow",
				Summary: "Returns free memory to the operating system."},
			{Name: "memory|stats", Arity: 2, Flags: AllKeys,
				Tips:  []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Group: GroupServer, Since: "4.0.0", Complexity: "O(1)",
				Summary: "Breaks the server's memory use down by purpose."},
			{Name: "memory|usage", Arity: -3, Flags: ReadOnly,
				KeySpecs: []KeySpec{genKeyAt(2, KeyRO)},
				Group:    GroupServer, Since: "4.0.0", Complexity: "O(N) where N is the number of samples.",
				Summary: "Estimates the memory a key and its value take."},
		}},
}
