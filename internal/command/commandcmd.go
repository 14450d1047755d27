package command

func init() { add(commandSpecs) }

// cmdFlags are the flags of COMMAND and its subcommands.
const cmdFlags = Loading | Stale

var commandSpecs = []*Spec{
	{Name: "command", Arity: -1, Flags: cmdFlags, ACL: CatConnection,
		Tips:  []string{"nondeterministic_output_order"},
		Group: GroupServer, Since: "2.8.13",
		Complexity: "O(N) where N is the total number of Redis commands",
		Summary:    "Describes every command of the server.",
		Subs: []*Spec{
			{Name: "command|count", Arity: 2, Flags: cmdFlags, ACL: CatConnection,
				Group: GroupServer, Since: "2.8.13", Complexity: "O(1)",
				Summary: "Returns how many commands the server has."},
			{Name: "command|docs", Arity: -2, Flags: cmdFlags, ACL: CatConnection,
				Tips:  []string{"nondeterministic_output_order"},
				Group: GroupServer, Since: "7.0.0",
				Complexity: "O(N) where N is the number of commands to look up",
				Summary:    "Returns the documentation of commands."},
			{Name: "command|getkeys", Arity: -4, Flags: cmdFlags, ACL: CatConnection,
				Group: GroupServer, Since: "2.8.13",
				Complexity: "O(N) where N is the number of arguments to the command",
				Summary:    "Returns the key names a full command line would use."},
			{Name: "command|getkeysandflags", Arity: -4, Flags: cmdFlags, ACL: CatConnection,
				Group: GroupServer, Since: "7.0.0",
				Complexity: "O(N) where N is the number of arguments to the command",
				Summary:    "Returns the key names a full command line would use, with how each is accessed."},
			{Name: "command|help", Arity: 2, Flags: cmdFlags, ACL: CatConnection,
				Group: GroupServer, Since: "5.0.0", Complexity: "O(1)",
				Summary: "Describes the COMMAND subcommands."},
			{Name: "command|info", Arity: -2, Flags: cmdFlags, ACL: CatConnection,
				Tips:  []string{"nondeterministic_output_order"},
				Group: GroupServer, Since: "2.8.13",
				Complexity: "O(N) where N is the number of commands to look up",
				Summary:    "Describes the given commands, or all of them."},
			{Name: "command|list", Arity: -2, Flags: cmdFlags, ACL: CatConnection,
				Tips:  []string{"nondeterministic_output_order"},
				Group: GroupServer, Since: "7.0.0",
				Complexity: "O(N) where N is the total number of Redis commands",
				Summary:    "Lists the command names, optionally filtered."},
		}},
}
